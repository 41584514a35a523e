#!/usr/bin/env bash
# Service vs in-process engine, same model and threads: bench/run-load.sh [model] [concurrency] [seconds] [image]
# Starts the service (Release) on 127.0.0.1:18080, drives REST classify with the closed-loop load driver,
# stops it, then drives the engine in-process with the same settings. Loopback only; bounded in time.
# The service runs from its build output, as deployed, so its appsettings.json applies (gRPC port HTTP/2 only,
# log levels); only the URLs, the model and the repository path are overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-resnet18}; concurrency=${2:-8}; seconds=${3:-20}
image=${4:-../shared/fidelity/images/darknet_dog.jpg}
port=18080

for project in src/Inference.Api bench/LoadDriver; do dotnet build -c Release "$project" -v q -nologo >/dev/null; done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

(cd src/Inference.Api/bin/Release/net10.0 && Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port \
  Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:18081 Inference__Models__0=$model Inference__ModelRepository="$OLDPWD/models" \
  exec dotnet Inference.Api.dll) >/dev/null &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -sf --max-time 2 http://127.0.0.1:$port/health/ready >/dev/null && break; sleep 0.5; done
curl -sf --max-time 2 http://127.0.0.1:$port/health/ready >/dev/null || { echo "service not ready after 120 s"; exit 1; }

dotnet bench/LoadDriver/bin/Release/net10.0/Inference.Bench.dll --mode rest --url http://127.0.0.1:$port \
  --model "$model" --image "$image" --concurrency "$concurrency" --duration "$seconds"
kill -TERM $service; wait $service || true
trap - EXIT

dotnet bench/LoadDriver/bin/Release/net10.0/Inference.Bench.dll --mode engine --repository models \
  --model "$model" --image "$image" --concurrency "$concurrency" --duration "$seconds"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
