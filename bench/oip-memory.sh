#!/usr/bin/env bash
# Four concurrent ~30 MB OIP JSON infers (FP32 [100,3,224,224]) against the real service under a 1.5 GiB GC heap
# limit (what the k8s manifest gives). Prints each answer's status and time, and the service's peak RSS (VmHWM)
# before and after the requests. Loopback only.
#
#   bench/oip-memory.sh            # builds src/Inference.Api (Release) and runs it
#   REQUESTS=4 BATCH=100 PORT=18080 bench/oip-memory.sh
#
# The served copy of resnet18's config.json takes a queue of REQUESTS*BATCH images, so that every image of the
# four requests is admitted (and the queue budget, Inference:MaxQueueWait, is raised to match), so the measurement
# is of serving them, not of refusing them.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUESTS="${REQUESTS:-4}"
BATCH="${BATCH:-100}"
PORT="${PORT:-18080}"
GRPC_PORT="${GRPC_PORT:-18081}"
HEAP_LIMIT="${HEAP_LIMIT:-0x60000000}"
WORK="$(mktemp -d /tmp/oip-memory.XXXXXX)"
PID=""

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/models/resnet18"
cp "$ROOT/models/resnet18/labels.txt" "$WORK/models/resnet18/"
QUEUE=$((REQUESTS * BATCH))
cat > "$WORK/models/resnet18/config.json" <<JSON
{ "architecture": "resnet18", "maxBatchSize": 8, "maxQueueDelayMs": 2, "queueCapacity": $QUEUE }
JSON

python3 - "$WORK/body.json" "$BATCH" <<'PY'
import sys
path, batch = sys.argv[1], int(sys.argv[2])
count = batch * 3 * 224 * 224
with open(path, "wb") as f:
    f.write(b'{"inputs":[{"name":"input","datatype":"FP32","shape":[%d,3,224,224],"data":[' % batch)
    f.write(b"0," * (count - 1) + b"0")
    f.write(b"]}]}")
PY
BODY_BYTES=$(stat -c %s "$WORK/body.json")

dotnet build "$ROOT/src/Inference.Api" -c Release -v quiet -nologo >/dev/null
DLL="$ROOT/src/Inference.Api/bin/Release/net10.0/Inference.Api.dll"

# The app itself (not a `dotnet run` wrapper), so that /proc/PID is the service's.
(cd "$ROOT/src/Inference.Api" && exec env \
  DOTNET_GCHeapHardLimit="$HEAP_LIMIT" \
  ASPNETCORE_ENVIRONMENT=Production \
  Kestrel__Endpoints__Rest__Url="http://127.0.0.1:$PORT" \
  Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GRPC_PORT" \
  Inference__ModelRepository="$WORK/models" \
  Inference__Models__0=resnet18 \
  Inference__RequestTimeout=00:10:00 \
  Inference__MaxQueueWait=00:10:00 \
  dotnet "$DLL" >"$WORK/service.log" 2>&1) &
PID=$!

for _ in $(seq 1 600); do
  if curl -fs --max-time 2 "http://127.0.0.1:$PORT/v2/models/resnet18/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then echo "service exited:"; tail -20 "$WORK/service.log"; exit 1; fi
  sleep 1
done
curl -fs --max-time 2 "http://127.0.0.1:$PORT/v2/models/resnet18/ready" >/dev/null || { echo "service not ready"; tail -20 "$WORK/service.log"; exit 1; }

hwm() { awk '/VmHWM/ {print $2}' "/proc/$PID/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
echo "commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo '+changes'), body $BODY_BYTES bytes, $REQUESTS concurrent, GC heap limit $HEAP_LIMIT"
echo "ready: VmRSS $(($(rss) / 1024)) MiB, VmHWM $(($(hwm) / 1024)) MiB"

start=$(date +%s.%N)
CLIENTS=()
for i in $(seq 1 "$REQUESTS"); do
  curl -s -o "$WORK/answer.$i" -w "request $i: %{http_code} in %{time_total}s\n" \
    -H 'Content-Type: application/json' --data-binary "@$WORK/body.json" \
    --max-time 900 "http://127.0.0.1:$PORT/v2/models/resnet18/infer" >"$WORK/status.$i" &
  CLIENTS+=($!)
done
wait "${CLIENTS[@]}" || true
end=$(date +%s.%N)

for i in $(seq 1 "$REQUESTS"); do
  cat "$WORK/status.$i"
  code=$(awk '{print $3}' "$WORK/status.$i")
  if [[ "$code" != "200" ]]; then echo "  answer: $(head -c 300 "$WORK/answer.$i")"; fi
done
printf 'all answered in %.1fs\n' "$(echo "$end - $start" | bc)"
echo "after: VmRSS $(($(rss) / 1024)) MiB, peak VmHWM $(($(hwm) / 1024)) MiB"
ERRORS='OutOfMemory|"@l":"(Error|Fatal)"|\[(ERR|FTL)\]'
if grep -qE "$ERRORS" "$WORK/service.log"; then
  echo "service log errors:"; grep -E "$ERRORS" "$WORK/service.log" | cut -c1-300 | head -5
fi
