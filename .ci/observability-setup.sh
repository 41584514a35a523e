#!/usr/bin/env bash
# Installs what the observability tests need: Debian's prometheus server (/usr/bin/prometheus), used by
# the test that has a real Prometheus scrape the service. Idempotent; without root or a Debian mirror it
# says so and exits 0 (that test then skips with the reason).
set -uo pipefail

if command -v prometheus >/dev/null 2>&1; then
  echo "observability-setup: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "observability-setup: no apt-get here; the real-Prometheus test will skip"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "observability-setup: not root and no password-less sudo; the real-Prometheus test will skip"
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# The package's service is never started here (no systemd in CI containers): the test runs the binary itself.
if ! $sudo apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; then
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  if ! $sudo apt-get install -y --no-install-recommends prometheus; then
    echo "observability-setup: installing prometheus failed; the real-Prometheus test will skip"
    exit 0
  fi
fi

echo "observability-setup: installed $(prometheus --version 2>&1 | head -n 1)"
