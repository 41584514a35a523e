#!/usr/bin/env bash
# Zero-downtime swap under load: bench/swap.sh [architecture] [concurrency] [seconds]
# A temporary repository holds model "swap" (version 1: seeded demo weights of the architecture); the service runs
# with Inference:ModelControl=poll at 1 s on 127.0.0.1. It measures, back to back in one run:
#   1. steady state: REST classify p50/p99 at the given concurrency for the given seconds;
#   2. a swap under the same load (SWAP_SECONDS, default 60, so that it spans the whole swap): version 2 (a real
#      model.onnx copy) is copied in 4 s into the run; the time from the
#      copy to the first answer from version 2, RSS before / peak during / after the old session is retired;
#   3. steady state again, on version 2.
# Loopback only; bounded in time. Prints `uptime` before and after: the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-resnet18}; concurrency=${2:-4}; seconds=${3:-20}
swap_seconds=${SWAP_SECONDS:-60}   # the swap-phase load must outlast copy + poll + load + warm-up + switch
image=${IMAGE:-../shared/fidelity/images/darknet_dog.jpg}
port=18090; key=bench-admin-key
repo=$(mktemp -d /tmp/inference-swap-XXXXXX)
cache=${DEMO_CACHE:-/tmp/inference-demo-weights}
mkdir -p "$repo/swap/1"
echo "{ \"architecture\": \"$arch\" }" > "$repo/swap/config.json"
echo "{ \"architecture\": \"$arch\" }" > "$repo/swap/1/config.json"

for project in src/Inference.Api bench/LoadDriver; do dotnet build -c Release "$project" -v q -nologo >/dev/null; done
echo "uptime before: $(uptime)"

Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
  Inference__ModelRepository=$repo Inference__Models__0=swap Inference__DemoWeightsCache=$cache \
  Inference__ModelControl=poll Inference__RepositoryPollInterval=00:00:01 Inference__AdminApiKey=$key \
  Serilog__MinimumLevel__Default=Warning \
  dotnet src/Inference.Api/bin/Release/net10.0/Inference.Api.dll &
service=$!
trap 'kill $service 2>/dev/null || true; rm -rf "$repo"' EXIT
for _ in $(seq 1 600); do curl -sf http://127.0.0.1:$port/health/ready >/dev/null && break; sleep 0.5; done

rss() { awk '/VmRSS/ {print int($2/1024)}' /proc/$service/status; }
served() { curl -s -X POST -H 'Content-Type: image/jpeg' --data-binary @"$image" http://127.0.0.1:$port/v1/models/swap/classify | sed -n 's/.*"version":"\([0-9]*\)".*/\1/p'; }
load() { dotnet bench/LoadDriver/bin/Release/net10.0/Inference.Bench.dll --mode rest --url http://127.0.0.1:$port \
  --model swap --image "$image" --concurrency "$concurrency" --duration "${1:-$seconds}" --warmup 2; }

echo "== steady state, version $(served), RSS $(rss) MiB"
load

echo "== swap under load"
before=$(rss)
load "$swap_seconds" > /tmp/inference-swap-load.txt &
driver=$!
sleep 4
model=$(ls "$cache"/"$arch"-seed42-*/model.onnx | head -1)
start=$(date +%s.%N)
cp "$model" "$repo/swap/2.tmp" && mkdir -p "$repo/swap/2" && mv "$repo/swap/2.tmp" "$repo/swap/2/model.onnx"
peak=$before
until [ "$(served)" = "2" ]; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
end=$(date +%s.%N)
# The old session is disposed once its accepted requests are answered: sample until the retire log would have run.
for _ in $(seq 1 40); do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
wait $driver || true
cat /tmp/inference-swap-load.txt
after=$(rss)
printf 'file change -> serving version 2: %.2f s (poll 1 s + settle scan + load + warm-up)\n' "$(echo "$end - $start" | bc)"
echo "RSS MiB: before $before, peak during swap $peak, after the swap (old session disposed) $after"

echo "== steady state again, version $(served)"
load
echo "RSS MiB at the end: $(rss)"
kill -TERM $service; wait $service || true
trap - EXIT
rm -rf "$repo"
echo "uptime after: $(uptime)"
