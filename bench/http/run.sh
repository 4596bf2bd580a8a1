#!/usr/bin/env bash
# HTTP-layer benchmark: `scorehost serve` (example model, 1-row POST /model/score) against a
# minimal Pistache echo server built with the same flags, in one run, on this machine.
#
#   bench/http/run.sh [BUILD_DIR] [DURATION_S]
#
# BUILD_DIR: a configured and built scorehost tree (default: build). The echo server is compiled
# here with the flags of that tree's build type. Extra scorehost settings can be passed as
# environment variables (e.g. BATCH_WORKERS=0 bench/http/run.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
DURATION="${2:-10}"
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

run() {  # name port path
  wrk -t2 -c64 -d"${DURATION}s" --latency -s "$HERE/score_one_row.lua" "http://127.0.0.1:$2$3" > "$OUT/$1.txt"
  sed -n 's/^Requests\/sec: *//p' "$OUT/$1.txt"
}
echo_rps=$(run echo "$ECHO_PORT" /echo); sleep 2
serve_rps=$(run serve "$SERVE_PORT" /model/score)
echo "== Pistache echo server (POST /echo, same 1-row body)"; cat "$OUT/echo.txt"
echo "== scorehost serve (POST /model/score, example-linear, 1 row)"; cat "$OUT/serve.txt"
python3 -c "print('echo %.0f req/s, scorehost %.0f req/s, ratio %.1f %%' % ($echo_rps, $serve_rps, 100 * $serve_rps / $echo_rps))"
