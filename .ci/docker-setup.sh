#!/usr/bin/env bash
# Makes a Docker engine available and builds the local .NET base images that the container tests use
# where the official mcr.microsoft.com images cannot be pulled. Idempotent, non-interactive, safe to
# run as root in CI with no stdin; every step is skipped when its result is already there.
#
# This is the one place that changes the machine for the container tests (apt packages, a running dockerd,
# images): .ci/run runs it before the tests, and by hand it is run once per machine. The tests themselves only
# look for what it made, and skip, naming this script, when it is missing.
#
#   bash .ci/docker-setup.sh            # engine + local base images + local Prometheus image
#   bash .ci/docker-setup.sh --engine   # engine only
#
# Prints, as its last lines, the images to pass as SDK_IMAGE / RUNTIME_IMAGE, the Prometheus image
# to pass to docker-compose.yml as PROMETHEUS_IMAGE and the HAProxy image for docker-compose.scale.yml:
#   INFERENCE_SDK_IMAGE=inference-local/dotnet-sdk:10.0
#   INFERENCE_RUNTIME_IMAGE=inference-local/aspnet:10.0
#   INFERENCE_PROMETHEUS_IMAGE=inference-local/prometheus:debian
#   INFERENCE_HAPROXY_IMAGE=inference-local/haproxy:debian
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SDK_TAG="${INFERENCE_LOCAL_SDK_TAG:-inference-local/dotnet-sdk:10.0}"
RUNTIME_TAG="${INFERENCE_LOCAL_RUNTIME_TAG:-inference-local/aspnet:10.0}"
PROMETHEUS_TAG="${INFERENCE_LOCAL_PROMETHEUS_TAG:-inference-local/prometheus:debian}"
# Bump when build_prometheus_image or prometheus_layout changes what goes into the image.
PROMETHEUS_RECIPE=2
STATE_DIR="${INFERENCE_CI_STATE_DIR:-/var/cache/inference-ci}"
LOG_DIR="${INFERENCE_CI_LOG_DIR:-/var/log/inference-ci}"
DOCKERD_WAIT_S="${INFERENCE_DOCKERD_WAIT_S:-60}"
APP_UID=1654

log() { printf '[docker-setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"; else
    die "'$*' needs root (run as root or with password-less sudo)"; fi
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  if [ "${1:-}" != "--engine" ]; then
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    # docker-compose.yml is run by the container tests; Debian's docker.io has no compose plugin.
    docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || missing+=(docker-compose)
  fi
  command -v docker >/dev/null || missing+=(docker.io)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root apt-get update -qq </dev/null
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
}

# dockerd outlives this script and whoever ran it, so it must hold none of their file descriptors: run from a
# test host or a CI step, an inherited pipe or lock file stays open as long as dockerd runs (a test host's output
# pipe was once held open for 15 minutes that way). The subshell closes every descriptor above 2, then setsid
# detaches dockerd from the caller's session with stdin from /dev/null and stdout/stderr to its log.
launch_dockerd_detached() {
  local log_file="$1"
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ] 2>/dev/null; then exec {fd}>&-; fi
    done
    exec setsid dockerd </dev/null >>"$log_file" 2>&1
  ) &
}

start_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if ! pgrep -x dockerd >/dev/null; then
    as_root mkdir -p "$LOG_DIR"
    log "starting dockerd detached (log: $LOG_DIR/dockerd.log)"
    if [ "$(id -u)" -eq 0 ]; then
      launch_dockerd_detached "$LOG_DIR/dockerd.log"
    else
      # sudo closes every descriptor above 2 itself (closefrom).
      as_root sh -c "setsid dockerd </dev/null >>'$LOG_DIR/dockerd.log' 2>&1 &"
    fi
  fi
  local waited=0
  until docker info >/dev/null 2>&1; do
    [ "$waited" -ge "$DOCKERD_WAIT_S" ] && { tail -n 20 "$LOG_DIR/dockerd.log" >&2 || true; die "dockerd not ready after ${DOCKERD_WAIT_S}s"; }
    sleep 1; waited=$((waited + 1))
  done
  log "docker engine ready ($(docker info --format '{{.ServerVersion}}'))"
}

# The Debian mirror the machine's apt already uses (deb822 .sources or one-line sources.list).
debian_mirror() {
  local codename="$1" uri
  uri=$(awk -v c="$codename" '
      /^URIs:/ { u=$2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) found=u }
      END { if (found != "") print found }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    uri=$(awk -v c="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == c) { print $i; exit } } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

dotnet_root() { dirname "$(readlink -f "$(command -v dotnet)")"; }
runtime_version() { ls "$(dotnet_root)/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1; }
image_label() { docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# A Debian minbase root file system with what the official .NET images carry, plus libturbojpeg0 (the SIMD JPEG decoder
# the Dockerfile installs into the official image), cached as a tarball; ROOTFS_RECIPE names its contents.
ROOTFS_RECIPE="minbase+libturbojpeg0"
base_rootfs() {
  local codename tarball mirror tmp
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  tarball="$STATE_DIR/rootfs-$codename-$ROOTFS_RECIPE.tar"
  if [ ! -s "$tarball" ]; then
    mirror=$(debian_mirror "$codename")
    tmp=$(mktemp -d /var/tmp/inference-rootfs.XXXXXX)
    log "debootstrap $codename from $mirror (about a minute)"
    as_root debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata,zlib1g,libturbojpeg0 \
      "$codename" "$tmp" "$mirror" >"$LOG_DIR/debootstrap.log" 2>&1 </dev/null \
      || { tail -n 20 "$LOG_DIR/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed"; }
    as_root rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
    grep -q "^app:" "$tmp/etc/group" || echo "app:x:$APP_UID:" >>"$tmp/etc/group"
    grep -q "^app:" "$tmp/etc/passwd" || echo "app:x:$APP_UID:$APP_UID::/home/app:/usr/sbin/nologin" >>"$tmp/etc/passwd"
    mkdir -p "$tmp/home/app" && chown "$APP_UID:$APP_UID" "$tmp/home/app"
    as_root tar -C "$tmp" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    as_root rm -rf "$tmp"
  fi
  echo "$tarball"
}

# build_image TAG KIND(sdk|runtime): rootfs + this machine's .NET, imported as an image.
build_image() {
  local tag="$1" kind="$2" version tarball tmp root
  version=$(runtime_version)
  if [ "$(image_label "$tag" inference.dotnet-runtime)" = "$version" ] && [ "$(image_label "$tag" inference.rootfs)" = "$ROOTFS_RECIPE" ]; then
    log "$tag is cached (.NET $version)"; return 0
  fi
  tarball=$(base_rootfs)
  root=$(dotnet_root)
  tmp=$(mktemp -d /var/tmp/inference-image.XXXXXX)
  log "building $tag from $tarball + $root ($kind)"
  tar -C "$tmp" -xf "$tarball"
  mkdir -p "$tmp/usr/share/dotnet/shared"
  cp -a "$root/dotnet" "$root/host" "$root/LICENSE.txt" "$root/ThirdPartyNotices.txt" "$tmp/usr/share/dotnet/" 2>/dev/null || true
  cp -a "$root/shared/Microsoft.NETCore.App" "$root/shared/Microsoft.AspNetCore.App" "$tmp/usr/share/dotnet/shared/"
  if [ "$kind" = sdk ]; then
    for d in sdk sdk-manifests packs templates metadata; do [ -e "$root/$d" ] && cp -a "$root/$d" "$tmp/usr/share/dotnet/"; done
  fi
  ln -sf /usr/share/dotnet/dotnet "$tmp/usr/bin/dotnet"
  local changes=(
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --change "ENV APP_UID=$APP_UID"
    --change "ENV DOTNET_RUNNING_IN_CONTAINER=true"
    --change "ENV DOTNET_VERSION=$version"
    --change "ENV ASPNET_VERSION=$version"
    --change "LABEL inference.dotnet-runtime=$version"
    --change "LABEL inference.rootfs=$ROOTFS_RECIPE"
    --change "LABEL inference.origin=debootstrap+host-dotnet"
  )
  if [ "$kind" = sdk ]; then
    changes+=(--change "ENV DOTNET_NOLOGO=1" --change "ENV DOTNET_CLI_TELEMETRY_OPTOUT=1"
      --change "ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false" --change "ENV NUGET_XMLDOC_MODE=skip"
      --change "ENV DOTNET_USE_POLLING_FILE_WATCHER=true" --change "WORKDIR /src")
  else
    changes+=(--change "ENV ASPNETCORE_HTTP_PORTS=8080" --change "WORKDIR /app")
  fi
  tar -C "$tmp" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  rm -rf "$tmp"
  log "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

# package_image TAG RECIPE PACKAGE LAYOUT VERSION_CMD [--change ...]: Debian's PACKAGE in a minbase root file system,
# imported as TAG with the given image settings (entrypoint, user, ...) and labelled with RECIPE, which the next run
# checks to skip the build. LAYOUT (a function, given the root) arranges the files as the official image does;
# VERSION_CMD runs in the root (chroot) and prints the package's version as its first line's third word.
package_image() {
  local tag="$1" recipe="$2" package="$3" layout="$4" version_cmd="$5" codename mirror tmp version
  shift 5
  if [ "$(image_label "$tag" inference.recipe)" = "$recipe" ]; then
    log "$tag is cached"; return 0
  fi
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  mirror=$(debian_mirror "$codename")
  tmp=$(mktemp -d "/var/tmp/inference-$package.XXXXXX")
  log "debootstrap $codename + $package from $mirror (about a minute)"
  as_root debootstrap --variant=minbase --include="$package" \
    "$codename" "$tmp" "$mirror" >"$LOG_DIR/debootstrap-$package.log" 2>&1 </dev/null \
    || { tail -n 20 "$LOG_DIR/debootstrap-$package.log" >&2; as_root rm -rf "$tmp"; die "debootstrap with $package failed"; }
  as_root rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/usr/share/doc "$tmp"/usr/share/man
  "$layout" "$tmp"
  version=$(as_root chroot "$tmp" sh -c "$version_cmd" 2>&1 | awk 'NR == 1 { print $3 }')
  as_root tar -C "$tmp" -c . | docker import "$@" \
    --change "LABEL inference.recipe=$recipe" \
    --change "LABEL inference.$package-version=$version" \
    --change "LABEL inference.origin=debootstrap+debian-$package" \
    - "$tag" >/dev/null
  as_root rm -rf "$tmp"
  log "built $tag ($package $version, $(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

# Prometheus laid out like prom/prometheus (binary on PATH, /etc/prometheus, data under /prometheus, user nobody,
# port 9090), so docker-compose.yml runs unchanged with PROMETHEUS_IMAGE=TAG where prom/prometheus cannot be pulled.
# Debian's build defaults --storage.tsdb.path to /var/lib/prometheus/metrics2; prom/prometheus keeps its data under
# /prometheus. Both lead there, owned by the user the image runs as.
prometheus_layout() {
  as_root mkdir -p "$1/prometheus" "$1/var/lib/prometheus"
  as_root rm -rf "$1/var/lib/prometheus/metrics2"
  as_root ln -s /prometheus "$1/var/lib/prometheus/metrics2"
  as_root chown 65534:65534 "$1/prometheus"
}

build_prometheus_image() {
  package_image "$1" "$PROMETHEUS_RECIPE" prometheus prometheus_layout "prometheus --version" \
    --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    --change "WORKDIR /prometheus" \
    --change "USER 65534:65534" \
    --change "EXPOSE 9090"
}

# --- HAProxy (the fleet stack, docker-compose.scale.yml) ---------------------------------------------------
HAPROXY_TAG="${INFERENCE_LOCAL_HAPROXY_TAG:-inference-local/haproxy:debian}"
# Bump when build_haproxy_image or haproxy_layout changes what goes into the image.
HAPROXY_RECIPE=1

# HAProxy laid out like the official haproxy image (config at /usr/local/etc/haproxy/haproxy.cfg, master-worker in
# the foreground, user haproxy), so docker-compose.scale.yml runs unchanged with HAPROXY_IMAGE=TAG where the official
# image cannot be pulled. `docker import` cannot set STOPSIGNAL; the compose file sets stop_signal: SIGUSR1 (soft stop).
haproxy_layout() {
  as_root mkdir -p "$1/usr/local/etc/haproxy"
  as_root cp "$1/etc/haproxy/haproxy.cfg" "$1/usr/local/etc/haproxy/haproxy.cfg"
}

build_haproxy_image() {
  package_image "$1" "$HAPROXY_RECIPE" haproxy haproxy_layout "haproxy -v" \
    --change 'ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db"]' \
    --change 'CMD ["-f", "/usr/local/etc/haproxy/haproxy.cfg"]' \
    --change "USER haproxy"
}
# ------------------------------------------------------------------------------------------------------------

# Leftovers of earlier container-test runs: exited containers and untagged build stages (about 3 GB a run); the
# tagged base images stay. Each run tags its own images and stages its own context and removes them when it ends;
# a run that was killed leaves them behind, so those a day old are cleared (runs may share this engine).
prune_leftovers() {
  docker container prune -f >/dev/null 2>&1 || true
  docker image prune -f >/dev/null 2>&1 || true
  docker image prune -a -f --filter "label=inference.test-build-id" --filter "until=24h" >/dev/null 2>&1 || true
  find "${TMPDIR:-/tmp}/inference-container-tests/runs" -mindepth 1 -maxdepth 1 -mmin +1440 \
    -exec rm -rf {} + 2>/dev/null || true
}

main() {
  local mode="${1:-}"
  install_packages "$mode"
  as_root mkdir -p "$STATE_DIR" "$LOG_DIR"
  start_engine
  [ "$mode" = "--engine" ] && return 0
  build_image "$RUNTIME_TAG" runtime
  build_image "$SDK_TAG" sdk
  build_prometheus_image "$PROMETHEUS_TAG"
  build_haproxy_image "$HAPROXY_TAG"
  prune_leftovers
  echo "INFERENCE_SDK_IMAGE=$SDK_TAG"
  echo "INFERENCE_RUNTIME_IMAGE=$RUNTIME_TAG"
  echo "INFERENCE_PROMETHEUS_IMAGE=$PROMETHEUS_TAG"
  echo "INFERENCE_HAPROXY_IMAGE=$HAPROXY_TAG"
}

main "$@"
