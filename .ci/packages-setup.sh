#!/usr/bin/env bash
# Installs the Debian packages that some tests need, each only when missing:
#   prometheus      the observability test that has a real Prometheus scrape the service (/usr/bin/prometheus);
#   libturbojpeg0   the system libjpeg-turbo (SIMD) that the 'auto' decoder uses for JPEG, and its tests.
# Idempotent; without root or a Debian mirror it says so and exits 0 (those tests then skip with the reason, and the
# service decodes JPEG with Skia).
set -uo pipefail

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so\.0' || missing+=(libturbojpeg0)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "packages-setup: $(prometheus --version 2>&1 | head -n 1); libturbojpeg.so.0 present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "packages-setup: no apt-get here; not installed: ${missing[*]} (their tests will skip)"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "packages-setup: not root and no password-less sudo; not installed: ${missing[*]} (their tests will skip)"
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# The prometheus package's service is never started here (no systemd in CI containers): the test runs the binary itself.
for package in "${missing[@]}"; do
  if ! $sudo apt-get install -y --no-install-recommends "$package" >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    if ! $sudo apt-get install -y --no-install-recommends "$package"; then
      echo "packages-setup: installing $package failed; its tests will skip"
      continue
    fi
  fi
  echo "packages-setup: installed $package"
done
