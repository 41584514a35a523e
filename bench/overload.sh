#!/usr/bin/env bash
# Overload on REST classify: bench/overload.sh [model] [baseline-seconds] [overload-seconds] [image]
# Starts the real service (Release, loopback only, default Information logging) and drives classify with `hey`,
# first at concurrency 8 (baseline), then at 256 (overload). Per run it reports: goodput (200s per second),
# p50/p99 of the 200s, the 429 count and their median latency, the Retry-After values seen (sampled with curl
# during the run), other statuses, and the bytes the service wrote to its log during the run.
# SERVICE_ROOT=<checkout> runs another checkout's service (e.g. the code before a change) with this script.
# Bounded in time; nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-resnet18}; baseline_seconds=${2:-20}; overload_seconds=${3:-30}
image=$(realpath "${4:-../shared/fidelity/images/darknet_dog.jpg}")
root=$(realpath "${SERVICE_ROOT:-$PWD}")
port=${PORT:-18090}
url="http://127.0.0.1:$port/v1/models/$model/classify"

command -v hey >/dev/null || apt-get install -y hey >/dev/null
(cd "$root" && dotnet build -c Release src/Inference.Api -v q -nologo >/dev/null)
work=$(mktemp -d)
log=$work/service.log
echo "service: $root ($(git -C "$root" rev-parse --short HEAD)); model $model; image $image; $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Run from the build output, as deployed: its appsettings.json (log levels included) applies.
(cd "$root/src/Inference.Api/bin/Release/net10.0" && Kestrel__Endpoints__Rest__Url=http://127.0.0.1:$port \
  Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) Inference__ModelRepository="$root/models" Inference__Models__0=$model \
  Logging__Format=text exec dotnet Inference.Api.dll) >"$log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; [ -n "${KEEP_LOG:-}" ] && cp "$log" "$KEEP_LOG"; rm -rf "$work"' EXIT
for _ in $(seq 1 480); do curl -sf --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "service not ready"; tail -20 "$log"; exit 1; }

# Samples the Retry-After header of refused requests, five times a second, until told to stop.
sample_retry_after() {
  while [ ! -e "$work/stop" ]; do
    curl -s -o /dev/null -D - --max-time 5 -H 'Content-Type: image/jpeg' --data-binary "@$image" "$url" \
      | tr -d '\r' | awk -F': ' 'tolower($1) == "retry-after" { print $2 }' >>"$1" || true
    sleep 0.2
  done
}

run() {
  local name=$1 concurrency=$2 seconds=$3
  local before after
  rm -f "$work/stop"; : >"$work/$name.retry"
  sample_retry_after "$work/$name.retry" &
  local sampler=$!
  before=$(stat -c %s "$log")
  hey -z "${seconds}s" -t 30 -c "$concurrency" -m POST -T image/jpeg -D "$image" -o csv "$url" >"$work/$name.csv"
  after=$(stat -c %s "$log")
  touch "$work/stop"; wait $sampler || true
  python3 - "$name" "$concurrency" "$seconds" "$work/$name.csv" "$work/$name.retry" $((after - before)) <<'PY'
import csv, statistics, sys, collections
name, concurrency, seconds, path, retry_path, log_bytes = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
rows = list(csv.DictReader(open(path)))
by_status = collections.defaultdict(list)
for row in rows:
    by_status[row["status-code"]].append(float(row["response-time"]) * 1000)
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")
ok, refused = by_status.get("200", []), by_status.get("429", [])
retry = collections.Counter(line.strip() for line in open(retry_path) if line.strip())
others = {k: len(v) for k, v in by_status.items() if k not in ("200", "429")}
print(f"{name}: c{concurrency} {seconds:.0f}s: {len(rows)} requests; 200: {len(ok)} = {len(ok) / seconds:.1f}/s goodput, "
      f"p50 {pct(ok, 50):.0f} ms, p99 {pct(ok, 99):.0f} ms; 429: {len(refused)}, median {pct(refused, 50):.1f} ms; "
      f"other statuses: {others or 'none'}; Retry-After seen: {dict(sorted(retry.items())) or 'none'}; log written: {log_bytes} bytes")
open(path + ".goodput", "w").write(str(len(ok) / seconds))
PY
}

run baseline 8 "$baseline_seconds"
run overload 256 "$overload_seconds"
python3 -c "import sys; b, o = (float(open(p).read()) for p in sys.argv[1:]); print(f'overload goodput = {100 * o / b:.0f}% of the c8 throughput')" \
  "$work/baseline.csv.goodput" "$work/overload.csv.goodput"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM $service; wait $service || true
