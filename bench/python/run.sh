#!/usr/bin/env bash
# Python-runtime benchmark: REST throughput and latency for a small scikit-learn model (MLflow,
# logistic regression on iris, one 4-feature row per request) at concurrency 16, served by
#   scorehost serve (python-scorer_mlflow_dynamic_311; default settings, and BATCH_WORKERS=0)
#   mlflow models serve (mlflow 2.14.2, --env-manager local; its defaults: gunicorn, 1 sync worker)
#   MLServer 1.6.1 + mlserver-mlflow 1.6.1 (its defaults; V2 inference protocol, pandas codec)
# all on this machine, the same model directory, the same load generator (wrk, keep-alive, one Lua
# script: post.lua), measured in alternation so that load from other users hits all alike.
#
#   bench/python/run.sh [BUILD_DIR] [DURATION_S] [ROUNDS]
#
# BUILD_DIR: a built scorehost tree with the Python 3.11 worker (default: build). Venvs for the
# other two servers come from bench/python/setup.sh (run here; cached). Prints each round, then a
# table of medians over the rounds (req/s, p50, p99) and the ratios, and the exact commands.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bash "$ROOT/bench/require.sh" wrk=wrk curl=curl
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
DURATION="${2:-15}"
ROUNDS="${3:-3}"
CONNECTIONS=16
VENVS="${SCOREHOST_BENCH_VENVS:-$HOME/.cache/scorehost/bench-py}"
OUT="$(mktemp -d)"
PGIDS=()
cleanup() {
  for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  sleep 1
  for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

"$HERE/setup.sh"
MLFLOW_TRACKING_URI="file://$OUT/mlruns" "$VENVS/mlflow-serve/bin/python" "$HERE/make_model.py" "$OUT/model" \
  > "$OUT/make_model.log" 2>&1 || { cat "$OUT/make_model.log"; exit 1; }
MODEL="$OUT/model"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_SH=$(port); P_SH0=$(port); P_MLFLOW=$(port); P_MLSERVER=$(port); P_MLSERVER_GRPC=$(port); P_MLSERVER_METRICS=$(port)

mkdir -p "$OUT/mlserver"
cat > "$OUT/mlserver/settings.json" <<EOF
{"host": "127.0.0.1", "http_port": $P_MLSERVER, "grpc_port": $P_MLSERVER_GRPC, "metrics_port": $P_MLSERVER_METRICS,
 "metrics_dir": "$OUT/mlserver-metrics"}
EOF
cat > "$OUT/mlserver/model-settings.json" <<EOF
{"name": "iris", "implementation": "mlserver_mlflow.MLflowRuntime", "parameters": {"uri": "$MODEL"}}
EOF

# name | command (env assignments allowed) | readiness URL | score URL | request body
NAMES=(scorehost scorehost_bw0 mlflow mlserver)
declare -A CMD READY URL BODY
CMD[scorehost]="MODEL_PATH=$MODEL RUNTIME=python-scorer_mlflow_dynamic_311 HOST=127.0.0.1 PORT=$P_SH LOG_LEVEL=WARNING $BUILD/bin/scorehost serve"
CMD[scorehost_bw0]="BATCH_WORKERS=0 MODEL_PATH=$MODEL RUNTIME=python-scorer_mlflow_dynamic_311 HOST=127.0.0.1 PORT=$P_SH0 LOG_LEVEL=WARNING $BUILD/bin/scorehost serve"
CMD[mlflow]="PATH=$VENVS/mlflow-serve/bin:\$PATH mlflow models serve -m $MODEL -h 127.0.0.1 -p $P_MLFLOW --env-manager local"
CMD[mlserver]="$VENVS/mlserver/bin/mlserver start $OUT/mlserver"
READY[scorehost]="http://127.0.0.1:$P_SH/readyz"
READY[scorehost_bw0]="http://127.0.0.1:$P_SH0/readyz"
READY[mlflow]="http://127.0.0.1:$P_MLFLOW/ping"
READY[mlserver]="http://127.0.0.1:$P_MLSERVER/v2/models/iris/ready"
URL[scorehost]="http://127.0.0.1:$P_SH/model/score"
URL[scorehost_bw0]="http://127.0.0.1:$P_SH0/model/score"
URL[mlflow]="http://127.0.0.1:$P_MLFLOW/invocations"
URL[mlserver]="http://127.0.0.1:$P_MLSERVER/v2/models/iris/infer"
BODY[scorehost]="$HERE/requests/scorehost.json"
BODY[scorehost_bw0]="$HERE/requests/scorehost.json"
BODY[mlflow]="$HERE/requests/mlflow.json"
BODY[mlserver]="$HERE/requests/mlserver.json"

for n in "${NAMES[@]}"; do
  # Own session and process group, so that cleanup stops each server with all of its children
  # (mlflow's gunicorn, MLServer's inference pool, scorehost's Python worker) and nothing else.
  # (scorehost's worker has its own group; it leaves when scorehost does.)
  # Started in $OUT: servers that write into their working directory (MLServer's metrics, mlflow's
  # mlruns) leave nothing in the caller's.
  (cd "$OUT" && exec setsid bash -c "${CMD[$n]}") > "$OUT/$n.log" 2>&1 &
  PGIDS+=($!)
done
for n in "${NAMES[@]}"; do
  for _ in $(seq 600); do curl -sf -o /dev/null "${READY[$n]}" && break; sleep 0.5; done
  curl -sf -o /dev/null "${READY[$n]}" || { echo "$n did not become ready:"; tail -30 "$OUT/$n.log"; exit 1; }
  printf '%-14s ready; one request: %s\n' "$n" \
    "$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @"${BODY[$n]}" "${URL[$n]}" | head -c 300)"
done

bench() {  # name seconds -> wrk output file
  BENCH_BODY="${BODY[$1]}" wrk -t2 -c"$CONNECTIONS" -d"$2s" --latency -s "$HERE/post.lua" "${URL[$1]}"
}
for n in "${NAMES[@]}"; do bench "$n" 3 >/dev/null; done  # warm-up: first-call costs, caches
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for n in "${NAMES[@]}"; do
    bench "$n" "$DURATION" > "$OUT/$n.$round.txt"
    line+=" $n $(sed -n 's/^Requests\/sec: *//p' "$OUT/$n.$round.txt") req/s;"
    sleep 1
  done
  echo "$line"
done
echo "== last round, wrk output per server"
for n in "${NAMES[@]}"; do echo "-- $n: ${URL[$n]}"; cat "$OUT/$n.$ROUNDS.txt"; done

python3 - "$OUT" "$ROUNDS" "${NAMES[@]}" <<'PY'
import re, statistics, sys
out, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * unit[m.group(2)]
rows = {}
for n in names:
    rps, p50, p99, bad = [], [], [], 0
    for r in range(1, rounds + 1):
        t = open("%s/%s.%d.txt" % (out, n, r)).read()
        rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)))
        p50.append(ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)))
        p99.append(ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)))
        bad += int(re.search(r"non-2xx responses: (\d+)", t).group(1))
    rows[n] = (statistics.median(rps), statistics.median(p50), statistics.median(p99), bad)
label = {"scorehost": "scorehost serve (defaults: BATCH_WORKERS=1)", "scorehost_bw0": "scorehost serve (BATCH_WORKERS=0)",
         "mlflow": "mlflow models serve 2.14.2", "mlserver": "MLServer 1.6.1 + mlserver-mlflow"}
base = rows["scorehost"][0]
print("\nmedians over %d rounds, concurrency 16, 1 row per request" % rounds)
print("| server | req/s | p50 ms | p99 ms | non-2xx | scorehost (defaults) ÷ this |")
print("|---|---:|---:|---:|---:|---:|")
for n in names:
    r = rows[n]
    print("| %s | %.0f | %.2f | %.2f | %d | %.2f× |" % (label[n], r[0], r[1], r[2], r[3], base / r[0]))
PY
echo
echo "commands (ports picked at run time; MODEL = bench/python/make_model.py's output):"
for n in "${NAMES[@]}"; do echo "  $n: ${CMD[$n]}"; done
echo "  load: BENCH_BODY=bench/python/requests/<server>.json wrk -t2 -c$CONNECTIONS -d${DURATION}s --latency -s bench/python/post.lua <url>"
for n in "${NAMES[@]}"; do echo "    $n: ${URL[$n]}  body ${BODY[$n]#$ROOT/}"; done
