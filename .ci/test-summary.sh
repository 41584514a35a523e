#!/usr/bin/env bash
# Summarises one `dotnet test ... --logger trx` run from its TRX files (one per test assembly):
#   - each assembly's wall time, from its run's start to its finish: discovery, assembly fixtures (the container
#     tests build their image there) and tests. The "Duration" of dotnet test's own closing lines leaves the
#     fixtures out, which once showed a 6-minute container phase as about 30 s;
#   - every skipped test with its reason, grouped by reason.
#
#   bash .ci/test-summary.sh tests/*/TestResults/*.trx     # .ci/run calls it after the tests; runs on saved files too
set -euo pipefail

[ "$#" -gt 0 ] || { echo "usage: $0 FILE.trx..." >&2; exit 2; }

epoch() { date -d "$1" +%s.%N; }

rows=()
skips=$(mktemp)
trap 'rm -f "$skips"' EXIT
for trx in "$@"; do
  [ -s "$trx" ] || continue
  # One line per file: assembly, start, finish, total, executed, passed, failed; then "SKIP<TAB>test<TAB>reason" lines.
  parsed=$(awk '
    function attr(line, name,   m) {
      if (match(line, name "=\"[^\"]*\"")) { m = substr(line, RSTART + length(name) + 2, RLENGTH - length(name) - 3); return m }
      return ""
    }
    function unescape(s) {
      gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&#xD;/, "", s); gsub(/&amp;/, "\\&", s)
      return s
    }
    /<Times / { start = attr($0, "start"); finish = attr($0, "finish") }
    /<UnitTestResult / { test = attr($0, "testName"); outcome = attr($0, "outcome"); inmsg = 0 }
    /codeBase="/ && assembly == "" { assembly = attr($0, "codeBase"); sub(/.*\//, "", assembly); sub(/\.dll$/, "", assembly) }
    outcome == "NotExecuted" && /<Message>/ { inmsg = 1; msg = ""; sub(/.*<Message>/, "") }
    inmsg {
      line = $0
      done = sub(/<\/Message>.*/, "", line)
      gsub(/^[ \t]+|[ \t]+$/, "", line)
      if (line != "") msg = msg (msg == "" ? "" : " ") line
      if (done) { skipped[test] = unescape(msg); inmsg = 0; outcome = "" }
    }
    /<Counters / { total = attr($0, "total"); executed = attr($0, "executed"); passed = attr($0, "passed"); failed = attr($0, "failed") }
    END {
      printf "ROW\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", assembly, start, finish, total, executed, passed, failed
      for (t in skipped) printf "SKIP\t%s\t%s\n", t, skipped[t]
    }' "$trx")
  while IFS=$'\t' read -r kind a b c d e f g; do
    if [ "$kind" = ROW ]; then
      wall=$(awk -v s="$(epoch "$b")" -v f="$(epoch "$c")" 'BEGIN { printf "%.1f", f - s }')
      rows+=("$(printf '%8s s  %-32s %d passed, %d failed, %d skipped' "$wall" "$a" "$f" "$g" $((d - e)))")
    else
      printf '%s\t%s\n' "$b" "$a" >>"$skips"
    fi
  done <<<"$parsed"
done

echo "Test assemblies (wall time from run start to finish: discovery, assembly fixtures and tests; they run in parallel):"
printf '%s\n' "${rows[@]}" | sort -rn
count=$(wc -l <"$skips")
if [ "$count" -gt 0 ]; then
  echo "Skipped tests ($count), by reason:"
  sort "$skips" | awk -F '\t' '
    $1 != reason { reason = $1; print "  why: " reason }
    { print "    " $2 }'
fi
