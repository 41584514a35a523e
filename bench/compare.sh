#!/usr/bin/env bash
# The service at the model's speed (issue 16): bench/compare.sh
# Back to back on this machine, per model (default resnet18 resnet50), at concurrency 1 and 8:
#   ORT alone      bench/OrtAlone on the graph the engine runs, as many intra-op threads as the engine (one per core),
#                  batch 1 from 1 or 8 threads on the one session (and, at c1, preprocessing of the image alone, one
#                  thread). Measured before and after the others; the reference is their mean, the drift says how quiet
#                  the machine was. Once more with batch 8 passes one after another: the model's ceiling on this CPU,
#                  which only batching reaches (shown, not a goal).
#   engine         bench/LoadDriver --mode engine: the engine in-process (preprocessing, batcher, ORT), no host; and
#                  with --preprocessed (the image already a tensor: batcher and ORT only, ORT alone's own work).
#   REST, gRPC     the real service from its build output (its appsettings.json, log levels included) on 127.0.0.1,
#                  driven by bench/LoadDriver (REST classify; gRPC unary Classify), same image, closed loop.
#   ORT + pre      the same probe preprocessing the image into each pass's input on the calling thread before every
#                  Run (--with-preprocessing), 1 or 8 threads: the service's work done by a program without a server.
#   h2load         REST and gRPC once more at c8 from h2load (nghttp2-client; skipped, saying so, where it is not
#                  installed): a client in C that takes ~0.2 ms of CPU per request where the .NET clients take 0.5
#                  (HttpClient) and 1.8 (Grpc.Net.Client) on the same two cores. REST: 8 HTTP/1.1 connections; gRPC:
#                  one HTTP/2 connection with 8 streams (as one channel). h2load reports a mean, not percentiles; it
#                  does not read gRPC trailers, so the service's own failure count (OIP statistics) is checked too.
# Prints `uptime` before and after and a markdown table with the ratios against ORT alone and the issue's goals, and
# the CPU time per image of the process doing the work (probe; engine host; the service, not its client): on a shared
# machine throughput follows the share of the cores the other tenants leave, CPU per image much less.
# Environment: MODELS ("resnet18 resnet50"), DURATION (12 s measured per run), WARMUP (3 s), SERVICE_WARMUP (8 s of
# unmeasured REST and gRPC c8 load on a freshly started service, each), IMAGE, PORT (18100;
# gRPC on PORT+1), NO_BUILD=1 to skip the Release builds. Default run: 30 runs of 15 s, 4 service warm-ups of 8 s, start-ups: about 10 minutes
# on 2 cores (2 more runs per model with h2load). Loopback only; every run and every request is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
models=${MODELS:-resnet18 resnet50}
duration=${DURATION:-12}; warmup=${WARMUP:-3}; service_warmup=${SERVICE_WARMUP:-8}
image=$(realpath "${IMAGE:-../shared/fidelity/images/darknet_dog.jpg}")
port=${PORT:-18100}; grpc_port=$((port + 1))
threads=$(nproc)
work=$(mktemp -d)
results=$work/results.txt
service=""
trap '[ -n "$service" ] && kill "$service" 2>/dev/null; rm -rf "$work"' EXIT

if [ -z "${NO_BUILD:-}" ]; then
  for project in src/Inference.Api bench/LoadDriver bench/OrtAlone; do
    dotnet build -c Release "$project" -v q -nologo >/dev/null
  done
fi
probe=bench/OrtAlone/bin/Release/net10.0/OrtAlone
driver=bench/LoadDriver/bin/Release/net10.0/Inference.Bench.dll
api=src/Inference.Api/bin/Release/net10.0

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo '+changes'); $(nproc) cores:" \
  "$(lscpu | sed -n 's/^Model name: *//p' | head -1); .NET $(dotnet --version); image $(basename "$image"); ${duration} s after ${warmup} s warm-up per run"
echo "uptime before: $(uptime)"

# Each result line gets the 1-minute load average at its end appended (load=).
record() { local line; line=$(sed -n '/^\(ortalone\|load\) /p'); echo "$line load=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"; }
ort() { # model tag batch concurrency [--image]
  "$probe" --model "$1" --threads "$threads" --batch "$3" --concurrency "$4" --duration "$duration" --warmup "$warmup" "${@:5}" \
    | sed "s/^ortalone /ortalone tag=$2 /" | record
}
# h2load MODE MODEL: c8 closed loop on the running service for DURATION after WARMUP; server CPU and images from its
# /proc stat and OIP statistics over the whole run (warm-up included), client CPU from /usr/bin/time.
h2() {
  local mode=$1 model=$2 out="$work/h2load.txt" args stats0 stats1 ticks0 ticks1
  if [ "$mode" = rest ]; then
    args=(--h1 -c 8 -m 1 -H 'Content-Type: image/jpeg' -d "$image" "http://127.0.0.1:$port/v1/models/$model/classify")
  else
    python3 - "$image" "$model" "$work/classify.grpc" <<'PY'
import sys
def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(out + bytes([n]))
def field(number, payload):  # length-delimited
    return varint(number << 3 | 2) + varint(len(payload)) + payload
image = open(sys.argv[1], "rb").read()
message = field(1, sys.argv[2].encode()) + field(2, image) + varint(3 << 3) + varint(5)  # model, image, top_k = 5
open(sys.argv[3], "wb").write(b"\0" + len(message).to_bytes(4, "big") + message)  # gRPC frame: uncompressed, length
PY
    args=(-c 1 -m 8 -H 'content-type: application/grpc' -H 'te: trailers' -d "$work/classify.grpc"
      "http://127.0.0.1:$grpc_port/imageinference.v1.ImageInference/Classify")
  fi
  stats() { curl -sf --max-time 5 "http://127.0.0.1:$port/v2/models/$model/stats" \
    | python3 -c 'import json,sys; s=json.load(sys.stdin)["model_stats"][0]["inference_stats"]; print(s["success"]["count"], s["fail"]["count"])'; }
  ticks() { awk '{ print $14 + $15 }' "/proc/$service/stat"; }
  stats0=$(stats); ticks0=$(ticks)
  /usr/bin/time -f '%U %S' -o "$work/h2load.time" timeout $((duration + warmup + 60)) \
    h2load -D "$duration" --warm-up-time "$warmup" "${args[@]}" >"$out" 2>&1 || true
  stats1=$(stats); ticks1=$(ticks)
  python3 - "$mode" "$model" "$out" "$work/h2load.time" "$stats0" "$stats1" "$ticks0" "$ticks1" "$(getconf CLK_TCK)" <<'PY' | record
import re, sys
mode, model, out, timing, stats0, stats1, ticks0, ticks1, hz = sys.argv[1:]
text = open(out).read()
rate = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", text)
counts = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
mean = re.search(r"time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
if not (rate and counts and mean):
    print(f"load mode=h2{mode} model={model} concurrency=8 img_s=0 p50_ms=0 p99_ms=nan cpu_ms_per_img=0 driver_cpu_ms_per_img=0 failed=h2load-output-unreadable")
    sys.exit()
(ok0, fail0), (ok1, fail1) = map(int, stats0.split()), map(int, stats1.split())
served = max(ok1 - ok0, 1)
# Up to 8 requests in flight when h2load stops are cancelled, and counted as failed by the service.
failed = int(counts[3]) + int(counts[4]) + int(counts[5]) + max(0, fail1 - fail0 - 8)
server_ms = 1000 * (int(ticks1) - int(ticks0)) / int(hz) / served
client_ms = 1000 * sum(map(float, open(timing).read().split("\n")[-2].split())) / served  # its last line: "user system"
mean_ms = float(mean[1]) * {"us": 0.001, "ms": 1, "s": 1000}[mean[2]]
print(f"load mode=h2{mode} model={model} concurrency=8 img_s={rate[1]} p50_ms={mean_ms:.2f} p99_ms=nan "
      f"cpu_ms_per_img={server_ms:.2f} driver_cpu_ms_per_img={client_ms:.2f} failed={failed}")
PY
}

drive() { # mode model concurrency [--cpu-pid PID]
  timeout $((duration + warmup + 240)) dotnet "$driver" --mode "$1" --model "$2" --concurrency "$3" --duration "$duration" \
    --warmup "$warmup" --timeout 30 --image "$image" --repository models --url "http://127.0.0.1:$port" \
    --grpc "http://127.0.0.1:$grpc_port" "${@:4}" | record
}

for model in $models; do
  ort "$model" before 1 1 --image "$image"
  ort "$model" before 1 8
  ort "$model" ceiling 8 1
  ort "$model" program 1 1 --image "$image" --with-preprocessing
  ort "$model" program 1 8 --image "$image" --with-preprocessing
  drive engine "$model" 1 --preprocessed
  drive engine "$model" 1
  drive engine "$model" 8 --preprocessed
  drive engine "$model" 8

  (cd "$api" && Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$grpc_port \
    Inference__ModelRepository="$root/models" Inference__Models__0="$model" exec dotnet Inference.Api.dll) >"$work/service-$model.log" 2>&1 &
  service=$!
  for _ in $(seq 1 240); do curl -sf --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
  curl -sf --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "service not ready"; tail -20 "$work/service-$model.log"; exit 1; }
  # Unmeasured: a fresh process still JIT-compiles (tier-up) its REST and gRPC paths for a while; under contention
  # dotnet-counters showed 11-14 s of JIT time in 17 s of c8 load minutes after start.
  for mode in rest grpc; do
    timeout $((service_warmup + 240)) dotnet "$driver" --mode $mode --model "$model" --concurrency 8 --duration "$service_warmup" --warmup 0 \
      --timeout 30 --image "$image" --url "http://127.0.0.1:$port" --grpc "http://127.0.0.1:$grpc_port" >/dev/null
  done
  drive rest "$model" 1 --cpu-pid "$service"
  drive grpc "$model" 1 --cpu-pid "$service"
  drive rest "$model" 8 --cpu-pid "$service"
  drive grpc "$model" 8 --cpu-pid "$service"
  if command -v h2load >/dev/null; then
    h2 rest "$model"
    h2 grpc "$model"
  else
    echo "h2load not installed (apt-get install nghttp2-client): no h2load rows for $model"
  fi
  kill -TERM "$service"; wait "$service" || true; service=""

  ort "$model" after 1 1
  ort "$model" after 1 8
done

echo "uptime after: $(uptime)"
python3 - "$results" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    kind, *pairs = line.split()
    rows.append(dict(p.split("=", 1) for p in pairs) | {"kind": kind})
f = lambda r, k: float(r[k])
print()
print("| model | c | path | img/s | p50 ms | p99 ms | vs ORT alone | vs ORT + preprocessing | goal | met | CPU ms/img | load |")
print("|---|---:|---|---:|---:|---:|---:|---:|---|---|---:|---:|")
for model in dict.fromkeys(r["model"] for r in rows):
    mine = [r for r in rows if r["model"] == model]
    ort = {(r["tag"], int(r["batch"]), int(r["concurrency"])): r for r in mine if r["kind"] == "ortalone"}
    pre = f(ort[("before", 1, 1)], "preprocess_ms")
    for c in (1, 8):
        before, after = ort[("before", 1, c)], ort[("after", 1, c)]
        ref = {k: (f(before, k) + f(after, k)) / 2 for k in ("img_s", "p50_ms", "p99_ms", "cpu_ms_per_img")}
        drift = 100 * (f(after, "img_s") / f(before, "img_s") - 1)
        label = f"ORT alone, batch 1 x {c} thread{'s' if c > 1 else ''} (before {f(before, 'img_s'):.1f}, after {f(after, 'img_s'):.1f}: {drift:+.0f}%)"
        print(f"| {model} | {c} | {label} | {ref['img_s']:.1f} | {ref['p50_ms']:.1f} | {ref['p99_ms']:.1f} | 1.00 | | | | {ref['cpu_ms_per_img']:.1f} | {before['load']} / {after['load']} |")
        if c == 1:
            print(f"| {model} | 1 | preprocessing alone, one thread | | {pre:.1f} | | | | | | | |")
        program = ort[("program", 1, c)]
        print(f"| {model} | {c} | ORT + preprocessing on the calling thread{'s' if c > 1 else ''}, no server | {f(program, 'img_s'):.1f} | "
              f"{f(program, 'p50_ms'):.1f} | {f(program, 'p99_ms'):.1f} | {f(program, 'img_s') / ref['img_s']:.2f} | 1.00 | | | "
              f"{f(program, 'cpu_ms_per_img'):.1f} | {program['load']} |")
        for mode in ("engine-preprocessed", "engine", "rest", "grpc", "h2rest", "h2grpc"):
            run = next((r for r in mine if r["kind"] == "load" and r["mode"] == mode and int(r["concurrency"]) == c), None)
            if run is None:
                continue
            ratio = f(run, "img_s") / ref["img_s"]
            if c == 1 and mode == "engine-preprocessed":
                goal, met = ">= 0.95x ORT alone (the same work)", ratio >= 0.95
            elif c == 1 and mode == "engine":
                ratio_pre = f(run, "img_s") / f(program, "img_s")
                goal, met = ">= 0.95x ORT + preprocessing (the same work)", ratio_pre >= 0.95
            elif c == 1 and mode == "rest":
                bound = ref["p50_ms"] + pre + 3
                goal, met = f"p50 <= {ref['p50_ms']:.1f} + {pre:.1f} + 3 = {bound:.1f}", f(run, "p50_ms") <= bound
            elif c == 8 and mode in ("rest", "grpc", "h2rest", "h2grpc"):
                goal, met = ">= 0.90x", ratio >= 0.90
            else:
                goal, met = "", None
            failed = f", {run['failed']} failed" if run["failed"] != "0" else ""
            client = f" (+{f(run, 'driver_cpu_ms_per_img'):.1f} client)" if not mode.startswith("engine") else ""
            name = {"engine-preprocessed": "engine in-process, preprocessed tensor (batcher + ORT)",
                    "engine": "engine in-process", "rest": "REST classify", "grpc": "gRPC Classify",
                    "h2rest": "REST classify, h2load client (mean ms in the p50 column)",
                    "h2grpc": "gRPC Classify, h2load client (mean ms in the p50 column)"}[mode] + failed
            p99 = "" if run["p99_ms"] == "nan" else f"{f(run, 'p99_ms'):.1f}"
            print(f"| {model} | {c} | {name} | {f(run, 'img_s'):.1f} | {f(run, 'p50_ms'):.1f} | {p99} | "
                  f"{ratio:.2f} | {f(run, 'img_s') / f(program, 'img_s'):.2f} | {goal} | {'' if met is None else ('yes' if met else 'NO')} | {f(run, 'cpu_ms_per_img'):.1f}{client} | {run['load']} |")
        if c == 8:
            ceiling = ort[("ceiling", 8, 1)]
            print(f"| {model} | 8 | ORT alone, batch 8 passes, one thread (the ceiling, not a goal) | {f(ceiling, 'img_s'):.1f} | "
                  f"{f(ceiling, 'p50_ms'):.1f} | {f(ceiling, 'p99_ms'):.1f} | {f(ceiling, 'img_s') / ref['img_s']:.2f} | | | | "
                  f"{f(ceiling, 'cpu_ms_per_img'):.1f} | {ceiling['load']} |")
PY
