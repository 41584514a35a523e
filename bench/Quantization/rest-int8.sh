#!/usr/bin/env bash
# REST classify FP32 vs INT8, one service, back to back: bench/Quantization/rest-int8.sh [depth] [concurrency] [seconds] [rounds]
# A temporary repository holds resnet<depth> (seeded demo weights) and resnet<depth>-int8: the same weights with
# "precision": "int8" and "calibration" (20 synthetic scenes written by the quantization bench), quantized at load.
# The service listens on 127.0.0.1 only; the load driver alternates FP32 and INT8 runs. Bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
depth=${1:-18}; concurrency=${2:-8}; seconds=${3:-15}; rounds=${4:-2}
image=../shared/fidelity/images/darknet_dog.jpg
port=18094
work=$(mktemp -d /tmp/rest-int8-XXXXXX)
trap 'rm -rf "$work"' EXIT

for project in src/Inference.Api bench/LoadDriver bench/Quantization; do dotnet build -c Release "$project" -v q -nologo >/dev/null; done
dotnet bench/Quantization/bin/Release/net10.0/Quantization.Benchmarks.dll --synthetic "$work/calibration" --images 20 >/dev/null
mkdir -p "$work/repo/resnet$depth" "$work/repo/resnet$depth-int8"
echo "{ \"architecture\": \"resnet$depth\" }" > "$work/repo/resnet$depth/config.json"
echo "{ \"architecture\": \"resnet$depth\", \"precision\": \"int8\", \"calibration\": \"$work/calibration\" }" > "$work/repo/resnet$depth-int8/config.json"
echo "uptime before: $(uptime)"

Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
  Inference__ModelRepository="$work/repo" Inference__Models__0=resnet$depth Inference__Models__1=resnet$depth-int8 \
  Inference__IntraOpThreads=2 Serilog__MinimumLevel__Default=Warning \
  dotnet src/Inference.Api/bin/Release/net10.0/Inference.Api.dll --contentRoot "$PWD" &
service=$!
trap 'kill $service 2>/dev/null || true; rm -rf "$work"' EXIT
started=$(date +%s)
for _ in $(seq 1 1200); do curl -sf http://127.0.0.1:$port/health/ready >/dev/null && break; sleep 0.5; done
echo "ready after $(( $(date +%s) - started )) s (includes calibrating the INT8 model at load)"
curl -s http://127.0.0.1:$port/v1/models/resnet$depth-int8 | grep -o '"precision":"[a-z0-9]*"'
ls "$work/repo/resnet$depth-int8"

for round in $(seq 1 "$rounds"); do
  for model in resnet$depth resnet$depth-int8; do
    dotnet bench/LoadDriver/bin/Release/net10.0/Inference.Bench.dll --mode rest --url http://127.0.0.1:$port \
      --model "$model" --image "$image" --concurrency "$concurrency" --duration "$seconds" --warmup 3 | head -1
  done
done
kill -TERM $service; wait $service || true
echo "uptime after: $(uptime)"
