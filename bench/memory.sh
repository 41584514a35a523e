#!/usr/bin/env bash
# Memory and start-up of the service, beside a bare ONNX Runtime process holding the same session:
#   - time to ready (/health/ready) and the first requests' latency after ready (one, then four at once);
#   - RSS idle after ready, peak under a closed loop of LOAD_CONCURRENCY REST classifies, and after a burst of
#     BURST 12 MP JPEGs (BURST_CONCURRENCY at once), right after it and SETTLE seconds later;
#   - for one model (resnet18) and for all five (resnet18..resnet152), each in a fresh service;
#   - bench/OrtAlone --hold for each model (a bare session, warmed, after a full GC): its RSS.
# Loopback only; every request has a --max-time; every phase is bounded in time.
#
#   bench/memory.sh                         # builds what it needs (Release) and runs it all
#   ORT=0 bench/memory.sh                   # skip the bare ORT processes (a tree without bench/OrtAlone)
#   SCENARIOS="one" LOAD_SECONDS=10 bench/memory.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${PORT:-18180}"
GRPC_PORT="${GRPC_PORT:-18181}"
LOAD_SECONDS="${LOAD_SECONDS:-15}"
LOAD_CONCURRENCY="${LOAD_CONCURRENCY:-8}"
BURST="${BURST:-16}"
BURST_CONCURRENCY="${BURST_CONCURRENCY:-8}"
SETTLE="${SETTLE:-10}"
ORT="${ORT:-1}"
SCENARIOS="${SCENARIOS:-one five}"
IMAGE="${IMAGE:-$ROOT/../shared/fidelity/images/darknet_dog.jpg}"
WORK="$(mktemp -d /tmp/memory-bench.XXXXXX)"
LARGE="${LARGE_IMAGE:-$WORK/12mp.jpg}"
API="$ROOT/src/Inference.Api/bin/Release/net10.0"
PID=""

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

rss_mb() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
hwm_mb() { awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

classify() { # image, model -> seconds (or "fail")
  curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total}\n' -H 'Content-Type: image/jpeg' \
    --data-binary "@$1" "http://127.0.0.1:$PORT/v1/models/$2/classify" | awk '$1 == 200 { print $2; next } { print "fail(" $1 ")" }'
}

echo "== build (Release)"
dotnet build "$ROOT/src/Inference.Api" -c Release -v quiet -nologo >/dev/null
if [[ "$ORT" == 1 ]]; then dotnet build "$ROOT/bench/OrtAlone" -c Release -v quiet -nologo >/dev/null; fi
if [[ ! -f "$LARGE" ]]; then # a photo-like 4000x3000 JPEG, quality 90 (bench/Preprocessing.Benchmarks --write)
  dotnet build "$ROOT/bench/Preprocessing.Benchmarks" -c Release -v quiet -nologo >/dev/null
  dotnet "$ROOT/bench/Preprocessing.Benchmarks/bin/Release/net10.0/Preprocessing.Benchmarks.dll" --write 4000x3000 "$LARGE" >/dev/null
fi
echo "machine: $(nproc) cores; uptime before: $(uptime)"
echo "12 MP image: $LARGE ($(stat -c %s "$LARGE") bytes); load image: $IMAGE"

scenario() { # label, models...
  local label="$1"; shift
  local models=("$@") env=() i=0
  for m in "${models[@]}"; do env+=("Inference__Models__$i=$m"); i=$((i + 1)); done
  echo "== service, $label: ${models[*]}"
  local started; started="$(now)"
  (cd "$API" && exec env "${env[@]}" Inference__ModelRepository="$ROOT/models" \
    Kestrel__Endpoints__Rest__Url="http://127.0.0.1:$PORT" Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$GRPC_PORT" \
    Serilog__MinimumLevel__Default=Warning dotnet Inference.Api.dll >"$WORK/service.log" 2>&1) &
  PID=$!
  for _ in $(seq 1 3000); do
    curl -sf --max-time 1 "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { echo "service exited:"; tail -20 "$WORK/service.log"; return 1; }
    sleep 0.1
  done
  echo "time to ready: $(since "$started") s"
  echo "first request after ready: $(classify "$IMAGE" "${models[0]}") s"
  local four=() f
  for f in 1 2 3 4; do classify "$IMAGE" "${models[0]}" >"$WORK/four.$f" & four+=($!); done
  wait "${four[@]}"
  echo "then four at once: $(cat "$WORK"/four.* | tr '\n' ' ')s"
  sleep 3
  echo "rss idle after ready: $(rss_mb "$PID") MB"

  local end peak=0 r w
  end=$(( $(date +%s) + LOAD_SECONDS ))
  for w in $(seq 1 "$LOAD_CONCURRENCY"); do
    ( while (( $(date +%s) < end )); do classify "$IMAGE" "${models[0]}" >/dev/null; done ) &
  done
  while (( $(date +%s) < end )); do r=$(rss_mb "$PID"); (( r > peak )) && peak=$r; sleep 0.5; done
  wait $(jobs -p | grep -v "^$PID$") 2>/dev/null || true
  echo "rss under load (peak, c$LOAD_CONCURRENCY ${LOAD_SECONDS}s on ${models[0]}): $peak MB"
  sleep 3
  local before; before=$(rss_mb "$PID")
  echo "rss before the 12 MP burst: $before MB"
  seq 1 "$BURST" | xargs -P "$BURST_CONCURRENCY" -I{} sh -c "curl -s -o /dev/null --max-time 120 -H 'Content-Type: image/jpeg' --data-binary @'$LARGE' http://127.0.0.1:$PORT/v1/models/${models[0]}/classify -w '%{http_code}\n'" \
    | sort | uniq -c | awk '{ printf "burst answers: %s x %s\n", $1, $2 }'
  echo "rss right after the burst: $(rss_mb "$PID") MB (peak so far $(hwm_mb "$PID") MB)"
  sleep "$SETTLE"
  curl -s --max-time 10 "http://127.0.0.1:$PORT/metrics" | awk -F'[{}]' '/^dotnet_gc_last_collection_heap_size_bytes/ {
      split($2, tags, "gc_heap_generation=\""); gen = tags[2]; sub(/".*/, "", gen); split($3, v, " "); printf "%s %.0f MB  ", gen, v[1] / 1048576 }
      END { print "(managed heap after the last GC)" }'
  local after; after=$(rss_mb "$PID")
  echo "rss ${SETTLE}s after the burst: $after MB ($(awk -v a="$after" -v b="$before" 'BEGIN { printf "%+.0f%%", 100 * (a - b) / b }') vs before)"
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

ort_hold() { # model batch -> RSS line
  local out="$WORK/ort.$1.$2"
  dotnet "$ROOT/bench/OrtAlone/bin/Release/net10.0/OrtAlone.dll" --model "$1" --batch "$2" --hold --hold-timeout 60 >"$out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1200); do grep -q "ortalone-hold" "$out" 2>/dev/null && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  sleep 1
  echo "bare ORT holding $1, warmed at batch $2: $(rss_mb "$pid" 2>/dev/null || echo '?') MB   ($(grep ortalone-hold "$out" || tail -3 "$out"))"
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

for s in $SCENARIOS; do
  case "$s" in
    one) scenario "one model" resnet18 ;;
    five) scenario "five models" resnet18 resnet34 resnet50 resnet101 resnet152 ;;
  esac
done
if [[ "$ORT" == 1 ]]; then
  # The service warms each model at batch 1 (its idle RSS compares with the first); under load its batches reach 8
  # (its RSS under load compares with the second).
  echo "== bare ONNX Runtime (bench/OrtAlone --batch 1 and --batch 8 --hold: session created, warmed at that batch, full GC)"
  for m in resnet18 resnet34 resnet50 resnet101 resnet152; do ort_hold "$m" 1; ort_hold "$m" 8; done
fi
echo "uptime after: $(uptime)"
