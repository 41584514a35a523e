#!/usr/bin/env bash
# Many EmbedStream streams at once: bench/embed-streams.sh [streams] [images-per-stream] [model]
# Starts the service (Release) on 127.0.0.1:18080 (REST) and 18081 (gRPC, HTTP/2 only), opens every stream at
# once, each writing all its images without waiting, and counts the items that succeed and fail (by code).
# Loopback only; every call has a deadline, so the run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
streams=${1:-200}; per_stream=${2:-5}; model=${3:-resnet18}
images=${IMAGES:-../shared/fidelity/images}

for project in src/Inference.Api bench/GrpcLoad; do dotnet build -c Release "$project" -v q -nologo >/dev/null; done
echo "uptime before: $(uptime)"

api=src/Inference.Api/bin/Release/net10.0
(cd "$api" && Kestrel__Endpoints__Rest__Url=http://127.0.0.1:18080 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:18081 \
  Inference__Models__0=$model Inference__ModelRepository="$OLDPWD/models" Serilog__MinimumLevel__Default=Warning \
  exec dotnet Inference.Api.dll) &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf --max-time 2 http://127.0.0.1:18080/health/ready >/dev/null && break; sleep 0.5; done

status=0
dotnet bench/GrpcLoad/bin/Release/net10.0/GrpcLoad.dll --address http://127.0.0.1:18081 --model "$model" \
  --mode embed-burst --concurrency "$streams" --per-stream "$per_stream" --deadline 300 --images "$images" || status=$?
grep -E '^VmHWM' /proc/$service/status || true
kill -TERM $service; wait $service || true
trap - EXIT
echo "uptime after: $(uptime)"
exit $status
