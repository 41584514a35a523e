#!/usr/bin/env bash
# What an answer that never reads the body costs the service: bench/refusal-cost.sh [seconds]
# Starts the real service (Release, loopback only) and drives POST /v1/models/nope/classify with `hey` (c64, nice 19):
# a 404 from the model lookup, before the body is read, after which Kestrel drains the unread body, as it does for a
# 429 refusal. Once with an image body (darknet_dog.jpg, 163 KB) and once with a 1-byte body; prints the service's CPU
# time (user + system, /proc/<pid>/stat) per answer. The difference is reading (draining) the body. The request log
# line, which a 429 writes at Debug only, is turned off for the run. SERVICE_ROOT=<checkout> runs another checkout's
# service (e.g. the code before a change).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(realpath "${SERVICE_ROOT:-$PWD}")
seconds=${1:-10}
image=$(realpath "${IMAGE:-../shared/fidelity/images/darknet_dog.jpg}")
port=${PORT:-18400}
command -v hey >/dev/null || apt-get install -y hey >/dev/null
(cd "$root" && dotnet build -c Release src/Inference.Api -v q -nologo >/dev/null)
log=$(mktemp)
(cd "$root/src/Inference.Api/bin/Release/net10.0" && exec env Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port \
  Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) Inference__ModelRepository="$root/models" Inference__Models__0=resnet18 \
  Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware=Warning dotnet Inference.Api.dll) >"$log" 2>&1 &
service=$!
trap 'kill -9 "$service" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 240); do curl -sf --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
url=http://127.0.0.1:$port/v1/models/nope/classify
ticks() { awk '{print $14 + $15}' "/proc/$service/stat"; }
hz=$(getconf CLK_TCK)
echo "service $(git -C "$root" rev-parse --short HEAD); $(nproc) cores; uptime: $(uptime)"
for body in image byte; do
  if [ $body = image ]; then data=(-D "$image"); else data=(-d x); fi
  nice -n 19 hey -z 3s -c 64 -m POST -T image/jpeg "${data[@]}" "$url" >/dev/null
  before=$(ticks)
  answers=$(nice -n 19 hey -z "${seconds}s" -c 64 -m POST -T image/jpeg "${data[@]}" "$url" | awk '$1 == "[404]" {print $2}')
  after=$(ticks)
  python3 -c "import sys; t, n = ($after - $before) / $hz, ${answers:-0}; print(f'$body body: {n} answers 404, service CPU {t:.2f} s, {t * 1e6 / max(n, 1):.0f} us per answer')"
done
