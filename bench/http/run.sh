#!/usr/bin/env bash
# HTTP-layer benchmark: `scorehost serve` (example model, 1-row POST /model/score) against a
# minimal Pistache echo server built with the same flags, in one run, on this machine.
#
#   bench/http/run.sh [BUILD_DIR] [DURATION_S] [ROUNDS]
#
# BUILD_DIR: a configured and built scorehost tree (default: build). The echo server is compiled
# here with the flags of that tree's build type. Extra scorehost settings can be passed as
# environment variables (e.g. BATCH_WORKERS=0 bench/http/run.sh).
# The two servers run side by side and are measured in alternation, ROUNDS times each (default
# 3), so that load from other users of a shared machine hits both alike; the medians and the
# ratio of the medians are printed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bash "$ROOT/bench/require.sh" wrk=wrk curl=curl pkg-config=pkg-config
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
DURATION="${2:-10}"
ROUNDS="${3:-3}"
THREADS="${HTTP_THREADS:-2}"
OUT="$(mktemp -d)"
trap 'kill $ECHO_PID $SERVE_PID 2>/dev/null || true; rm -rf "$OUT"' EXIT

BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")"
case "$BUILD_TYPE" in
  Release) FLAGS="-O3 -DNDEBUG" ;;
  Debug) FLAGS="-g" ;;
  *) FLAGS="-O2 -g -DNDEBUG" ;;  # RelWithDebInfo, the project default
esac
g++ -std=c++20 $FLAGS -Wall -o "$OUT/echo_server" "$HERE/echo_server.cc" $(pkg-config --cflags --libs libpistache) -pthread

ECHO_PORT=19301
SERVE_PORT=19302
"$OUT/echo_server" "$ECHO_PORT" "$THREADS" & ECHO_PID=$!
MODEL_PATH="$ROOT/plugins/example-linear/models/iris-virginica.linear" PORT="$SERVE_PORT" HOST=127.0.0.1 \
  HTTP_THREADS="$THREADS" LOG_LEVEL=WARNING "$BUILD/bin/scorehost" serve & SERVE_PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$SERVE_PORT/readyz" >/dev/null && curl -sf "http://127.0.0.1:$ECHO_PORT/" >/dev/null && break
  sleep 0.1
done
curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$SERVE_PORT/model/score" \
  -d '{"fields":["Sepal.Length","Sepal.Width","Petal.Length","Petal.Width"],"rows":[["6.3","3.3","6.0","2.5"]]}'
echo

run() {  # name port path round
  wrk -t2 -c64 -d"${DURATION}s" --latency -s "$HERE/score_one_row.lua" "http://127.0.0.1:$2$3" > "$OUT/$1.$4.txt"
  sed -n 's/^Requests\/sec: *//p' "$OUT/$1.$4.txt"
}
ECHO_RESULTS=()
SERVE_RESULTS=()
for round in $(seq "$ROUNDS"); do
  ECHO_RESULTS+=("$(run echo "$ECHO_PORT" /echo "$round")"); sleep 1
  SERVE_RESULTS+=("$(run serve "$SERVE_PORT" /model/score "$round")"); sleep 1
  echo "round $round: echo ${ECHO_RESULTS[-1]} req/s, scorehost ${SERVE_RESULTS[-1]} req/s"
done
echo "== last round, Pistache echo server (POST /echo, same 1-row body)"; cat "$OUT/echo.$ROUNDS.txt"
echo "== last round, scorehost serve (POST /model/score, example-linear, 1 row)"; cat "$OUT/serve.$ROUNDS.txt"
python3 - "${ECHO_RESULTS[*]}" "${SERVE_RESULTS[*]}" <<'PY'
import statistics, sys
echo = [float(x) for x in sys.argv[1].split()]
serve = [float(x) for x in sys.argv[2].split()]
e, s = statistics.median(echo), statistics.median(serve)
print("median: echo %.0f req/s, scorehost %.0f req/s, ratio %.1f %%" % (e, s, 100 * s / e))
PY
