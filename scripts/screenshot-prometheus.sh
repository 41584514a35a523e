#!/usr/bin/env bash
# Screenshot of Prometheus's graph page with four of the dashboard's queries, for the README:
#   scripts/screenshot-prometheus.sh [prometheus-url] [output.png] [range]
# Needs Chromium (Debian: apt-get install chromium). Headless, no network beyond the given URL.
set -euo pipefail
url=${1:-http://127.0.0.1:9090}; out=${2:-docs/images/compose-prometheus.png}; range=${3:-5m}
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
queries=(
  'sum by (outcome) (rate(inference_request_duration_seconds_count[30s]))'
  'histogram_quantile(0.95, sum by (le) (rate(inference_request_duration_seconds_bucket{outcome="ok"}[30s])))'
  'sum by (model) (rate(inference_batch_size_sum[30s])) / sum by (model) (rate(inference_batch_size_count[30s]))'
  'sum by (model) (inference_queue_depth)'
)
query=""
for i in "${!queries[@]}"; do
  query+="g$i.expr=$(enc "${queries[$i]}")&g$i.tab=0&g$i.range_input=$range&"
done
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size=1400,2900 --virtual-time-budget=15000 --screenshot="$out" "$url/graph?${query%&}" 2>/dev/null
echo "wrote $out"
