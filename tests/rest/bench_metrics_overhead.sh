#!/usr/bin/env bash
# Throughput cost of the Prometheus metrics: two `scorehost serve` processes side by side, one with
# METRICS_ENABLED=true (scraped once a second, as a Prometheus would, but more often) and one with
# METRICS_ENABLED=false, measured in alternation (on, off, off, on, ...) ROUNDS times each with
# wrk -t2 -c64 and bench/http/score_one_row.lua (1-row POST /model/score, example-linear model),
# so that load from other users of a shared machine hits both alike. With SIMULTANEOUS=1 both are
# loaded at the same time in every round (two wrk processes, -t1 -c32 each): they then share the
# machine's noise exactly and the per-round ratio is far steadier. Prints every round, the
# medians and the ratio on/off.
#
#   tests/rest/bench_metrics_overhead.sh [BUILD_DIR] [DURATION_S] [ROUNDS]
#
# Not a CTest test (it takes minutes and needs a quiet machine to mean much).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
DURATION="${2:-8}"
ROUNDS="${3:-5}"
THREADS="${HTTP_THREADS:-2}"
OUT="$(mktemp -d)"
ON_PORT=19311
OFF_PORT=19312
trap 'kill $ON_PID $OFF_PID ${SCRAPER_PID:-} 2>/dev/null || true; rm -rf "$OUT"' EXIT

start() {  # port metrics_enabled
  MODEL_PATH="$ROOT/plugins/example-linear/models/iris-virginica.linear" PORT="$1" HOST=127.0.0.1 \
    HTTP_THREADS="$THREADS" LOG_LEVEL=WARNING METRICS_ENABLED="$2" "$BUILD/bin/scorehost" serve &
}
start "$ON_PORT" true; ON_PID=$!
start "$OFF_PORT" false; OFF_PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$ON_PORT/readyz" >/dev/null && curl -sf "http://127.0.0.1:$OFF_PORT/readyz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$ON_PORT/metrics" >/dev/null
if curl -sf "http://127.0.0.1:$OFF_PORT/metrics" >/dev/null; then echo "metrics should be off on $OFF_PORT" >&2; exit 1; fi
(while sleep 1; do curl -sf "http://127.0.0.1:$ON_PORT/metrics" >/dev/null || true; done) & SCRAPER_PID=$!

run() {  # name port round
  wrk -t2 -c64 -d"${DURATION}s" -s "$ROOT/bench/http/score_one_row.lua" "http://127.0.0.1:$2/model/score" > "$OUT/$1.$3.txt"
  grep -q "non-200 responses: 0" "$OUT/$1.$3.txt" || { cat "$OUT/$1.$3.txt" >&2; exit 1; }
  sed -n 's/^Requests\/sec: *//p' "$OUT/$1.$3.txt"
}
both() {  # round: both servers at once, one wrk each
  wrk -t1 -c32 -d"${DURATION}s" -s "$ROOT/bench/http/score_one_row.lua" "http://127.0.0.1:$ON_PORT/model/score" > "$OUT/on.$1.txt" &
  local a=$!
  wrk -t1 -c32 -d"${DURATION}s" -s "$ROOT/bench/http/score_one_row.lua" "http://127.0.0.1:$OFF_PORT/model/score" > "$OUT/off.$1.txt"
  wait $a
  for side in on off; do grep -q "non-200 responses: 0" "$OUT/$side.$1.txt" || { cat "$OUT/$side.$1.txt" >&2; exit 1; }; done
  ON+=("$(sed -n 's/^Requests\/sec: *//p' "$OUT/on.$1.txt")")
  OFF+=("$(sed -n 's/^Requests\/sec: *//p' "$OUT/off.$1.txt")")
}
ON=()
OFF=()
for round in $(seq "$ROUNDS"); do
  if [[ "${SIMULTANEOUS:-0}" == 1 ]]; then
    both "$round"; sleep 1
  elif ((round % 2)); then
    ON+=("$(run on "$ON_PORT" "$round")"); sleep 1
    OFF+=("$(run off "$OFF_PORT" "$round")"); sleep 1
  else
    OFF+=("$(run off "$OFF_PORT" "$round")"); sleep 1
    ON+=("$(run on "$ON_PORT" "$round")"); sleep 1
  fi
  echo "round $round: metrics on ${ON[-1]} req/s, off ${OFF[-1]} req/s"
done
python3 - "${ON[*]}" "${OFF[*]}" <<'PY'
import statistics, sys
on = [float(x) for x in sys.argv[1].split()]
off = [float(x) for x in sys.argv[2].split()]
m_on, m_off = statistics.median(on), statistics.median(off)
pairs = [a / b for a, b in zip(on, off)]
print("median: metrics on %.0f req/s, off %.0f req/s, on/off %.3f (median of per-round ratios %.3f)"
      % (m_on, m_off, m_on / m_off, statistics.median(pairs)))
PY
