#!/usr/bin/env bash
# Overload on REST classify: bench/overload.sh [model] [baseline-seconds] [overload-seconds] [image]
# Starts the real service (Release, loopback only, default Information logging) and drives classify with `hey`,
# first at concurrency 8 (baseline), then at 256 (overload). Per run it reports: goodput (200s per second),
# p50/p99 of the 200s, the 429 count and their median latency, the Retry-After values seen (sampled with curl
# during the run), other statuses, and the bytes the service wrote to its log during the run.
# SERVICE_ROOT=<checkout> runs another checkout's service (e.g. the code before a change) with this script.
# The load client runs at `nice -n ${CLIENT_NICE:-19}`: on this 2-core machine it shares the service's cores, and at
# c256 `hey` alone (thousands of requests a second, each with its image) takes more CPU than the model; at nice 19 it
# gets what the service leaves, as a client on another machine would. CLIENT_NICE=0 measures the shared case.
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
echo "client: hey at nice ${CLIENT_NICE:-19}"
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
# It runs at normal priority (not niced): its "status seconds" lines ($1.times) are a client's view of the refusals'
# latency that the load client's own scheduling delays do not inflate.
sample_retry_after() {
  while [ ! -e "$work/stop" ]; do
    curl -s -o /dev/null -D "$1.headers" -w '%{http_code} %{time_total}\n' --max-time 5 -H 'Content-Type: image/jpeg' \
      --data-binary "@$image" "$url" >>"$1.times" || true
    tr -d '\r' <"$1.headers" 2>/dev/null | awk -F': ' 'tolower($1) == "retry-after" { print $2 }' >>"$1" || true
    sleep 0.2
  done
}

# The service's own view: its inference_request_duration_seconds buckets (REST classify) and its CPU time.
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" | grep '^inference_request_duration_seconds_bucket' | grep 'endpoint="classify"' >"$1" || true; }
service_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$service/stat"; }

run() {
  local name=$1 concurrency=$2 seconds=$3
  local before after cpu_before cpu_after
  rm -f "$work/stop"; : >"$work/$name.retry"
  sample_retry_after "$work/$name.retry" &
  local sampler=$!
  before=$(stat -c %s "$log"); scrape "$work/$name.before"; cpu_before=$(service_cpu)
  nice -n "${CLIENT_NICE:-19}" hey -z "${seconds}s" -t 30 -c "$concurrency" -m POST -T image/jpeg -D "$image" -o csv "$url" >"$work/$name.csv"
  after=$(stat -c %s "$log"); scrape "$work/$name.after"; cpu_after=$(service_cpu)
  touch "$work/stop"; wait $sampler || true
  python3 - "$name" "$concurrency" "$seconds" "$work/$name.csv" "$work/$name.retry" $((after - before)) \
    "$work/$name.before" "$work/$name.after" "$cpu_before" "$cpu_after" "$log" "$before" <<'PY'
import csv, re, statistics, sys, collections
name, concurrency, seconds, path, retry_path, log_bytes = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
scrape_before, scrape_after, cpu = sys.argv[7], sys.argv[8], float(sys.argv[10]) - float(sys.argv[9])
service_log, log_start = sys.argv[11], int(sys.argv[12])
rows = list(csv.DictReader(open(path)))
by_status = collections.defaultdict(list)
for row in rows:
    by_status[row["status-code"]].append(float(row["response-time"]) * 1000)
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")
ok, refused = by_status.get("200", []), by_status.get("429", [])
retry = collections.Counter(line.strip() for line in open(retry_path) if line.strip())
try:
    probe = [line.split() for line in open(retry_path + ".times") if len(line.split()) == 2]
except FileNotFoundError:
    probe = []
probe_refused = [float(t) * 1000 for code, t in probe if code == "429"]
probe_ok = [float(t) * 1000 for code, t in probe if code == "200"]
others = {k: len(v) for k, v in by_status.items() if k not in ("200", "429")}
print(f"{name}: c{concurrency} {seconds:.0f}s: {len(rows)} requests; 200: {len(ok)} = {len(ok) / seconds:.1f}/s goodput, "
      f"p50 {pct(ok, 50):.0f} ms, p99 {pct(ok, 99):.0f} ms; 429: {len(refused)}, median {pct(refused, 50):.1f} ms; "
      f"other statuses: {others or 'none'}; Retry-After seen: {dict(sorted(retry.items())) or 'none'}; log written: {log_bytes} bytes")
open(path + ".goodput", "w").write(str(len(ok) / seconds))
if probe:
    print(f"  probe (curl at normal priority, 5 a second): 429: {len(probe_refused)}, median {pct(probe_refused, 50):.1f} ms; "
          f"200: {len(probe_ok)}, median {pct(probe_ok, 50):.0f} ms")

def buckets(file):  # outcome -> {le: cumulative count}
    result = collections.defaultdict(dict)
    for line in open(file):
        m = re.match(r'.*outcome="([^"]+)".*le="([^"]+)"[^ ]* ([0-9.e+-]+)', line)
        if m and 'protocol="rest"' in line:
            result[m.group(1)][float(m.group(2))] = result[m.group(1)].get(float(m.group(2)), 0) + float(m.group(3))
    return result
def quantile(cumulative, q):  # linear within the bucket, as Prometheus' histogram_quantile does
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]] if bounds else 0
    if total <= 0:
        return float("nan")
    rank, lower, below = q * total, 0.0, 0.0
    for le in bounds:
        if cumulative[le] >= rank:
            if le == float("inf"):
                return lower * 1000
            return (lower + (le - lower) * (rank - below) / max(cumulative[le] - below, 1e-9)) * 1000
        lower, below = le, cumulative[le]
    return float("nan")
first, last = buckets(scrape_before), buckets(scrape_after)
parts = []
for outcome in ("ok", "rejected"):
    delta = {le: count - first.get(outcome, {}).get(le, 0) for le, count in last.get(outcome, {}).items()}
    n = delta.get(float("inf"), 0)
    if n:
        parts.append(f"{outcome} {n:.0f}: p50 {quantile(delta, 0.5):.1f} ms, p99 {quantile(delta, 0.99):.1f} ms")
# Exact server-side times of the accepted requests: Serilog's request-completion line ("responded 200 in X ms"),
# one per answered request (the Retry-After sampler's few accepted requests included).
with open(service_log, "rb") as f:
    f.seek(log_start)
    logged = [float(m.group(1)) for m in re.finditer(rb"classify responded 200 in ([0-9.]+) ms", f.read(log_bytes))]
if logged:
    parts.insert(0, f"ok from the request log {len(logged)}: p50 {pct(logged, 50):.0f} ms, p99 {pct(logged, 99):.0f} ms")
print(f"  service side (inference_request_duration_seconds, first byte read to answer; interpolated in its buckets): "
      f"{'; '.join(parts) or 'no samples'}; service CPU {cpu:.1f} s in {seconds:.0f} s")
PY
}

run baseline 8 "$baseline_seconds"
run overload 256 "$overload_seconds"
python3 -c "import sys; b, o = (float(open(p).read()) for p in sys.argv[1:]); print(f'overload goodput = {100 * o / b:.0f}% of the c8 throughput')" \
  "$work/baseline.csv.goodput" "$work/overload.csv.goodput"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM $service; wait $service || true
