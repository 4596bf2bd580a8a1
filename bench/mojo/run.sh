#!/usr/bin/env bash
# MOJO scoring benchmark: the native h2o3-mojo scorer vs H2O's Java scorer (h2o-genmodel), side
# by side on the same MOJOs and rows. Prints a table of ratios and the exact commands.
#
#   bench/mojo/run.sh [BUILD_DIR] [SECONDS]
#
# BUILD_DIR: a release build of this repository with the targets h2o3-mojo, h2o3_mojo_core and
# scorehost built (default: build). SECONDS: timed window per throughput run (default 4).
# Environment: MOJO_BENCH_CACHE (data, MOJOs, classes; default ~/.cache/scorehost/mojo-bench),
# H2O_DIR (h2o.jar + a venv with the h2o 3.46.0.11 wheel; default ~/.cache/scorehost/h2o; set up
# here when missing), THREADS (the "all cores" thread count; default nproc), MODELS (subset),
# CSV_MODELS (models for the 1,000,000-row CSV runs; default gbm_100x5 glm). Models: GBM, DRF, GLM,
# XGBoost (bench/mojo/train.py); scorehost score runs with --threads THREADS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# Java 17 (javac for the harness), unzip (h2o.jar from the wheel), GNU time (peak RSS); python3's
# venv and pip for the h2o venv when the system python3 lacks them.
bash "$ROOT/bench/require.sh" javac=default-jdk-headless java=default-jdk-headless unzip=unzip \
  /usr/bin/time=time pkg-config=pkg-config
python3 -c 'import venv, ensurepip' 2>/dev/null || bash "$ROOT/.ci/apt-install-missing.sh" python3-venv
python3 -m pip --version >/dev/null 2>&1 || bash "$ROOT/.ci/apt-install-missing.sh" python3-pip
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
SECONDS_RUN=${2:-4}
CACHE=${MOJO_BENCH_CACHE:-$HOME/.cache/scorehost/mojo-bench}
H2O_DIR=${H2O_DIR:-$HOME/.cache/scorehost/h2o}
THREADS=${THREADS:-$(nproc)}
MODELS=${MODELS:-"gbm_100x5 gbm_100x10 gbm_500x5 gbm_500x10 drf_100x20 glm xgb_100x6"}
CSV_MODELS=${CSV_MODELS:-"gbm_100x5 glm"}
IN_PROCESS_ROWS=100000
mkdir -p "$CACHE"
log() { echo "[mojo-bench] $*" >&2; }

# --- H2O-3 3.46.0.11 (the last release that exports MOJOs): h2o.jar and a training venv ---------
if [[ ! -f $H2O_DIR/h2o.jar || ! -x $H2O_DIR/venv/bin/python ]]; then
  log "setting up $H2O_DIR (pip download h2o==3.46.0.11)"
  mkdir -p "$H2O_DIR"
  python3 -m pip download "h2o==3.46.0.11" --no-deps -d "$H2O_DIR"
  python3 -m venv "$H2O_DIR/venv"
  "$H2O_DIR/venv/bin/pip" install -q requests tabulate "$H2O_DIR"/h2o-3.46.0.11-*.whl
  unzip -o -j "$H2O_DIR"/h2o-3.46.0.11-*.whl h2o/backend/bin/h2o.jar -d "$H2O_DIR"
fi
JAR=$H2O_DIR/h2o.jar

# --- data and models (cached) -------------------------------------------------------------------
if [[ ! -f $CACHE/score.csv ]]; then
  log "generating $CACHE/train.csv (20,000 rows) and score.csv (1,000,000 rows)"
  python3 "$ROOT/bench/mojo/make_data.py" "$CACHE" 20000 1000000
fi
"$H2O_DIR/venv/bin/python" "$ROOT/bench/mojo/train.py" "$CACHE" >&2

# --- harnesses ----------------------------------------------------------------------------------
CORE=$BUILD/plugins/h2o3-mojo/libh2o3_mojo_core.a
SCOREHOST=$BUILD/bin/scorehost
[[ -f $CORE && -x $SCOREHOST ]] || { echo "build h2o3-mojo, h2o3_mojo_core and scorehost in $BUILD first" >&2; exit 1; }
CXXFLAGS=$(grep -E '^CMAKE_CXX_FLAGS_RELEASE:' "$BUILD/CMakeCache.txt" | cut -d= -f2-)
g++ -std=c++20 ${CXXFLAGS:--O3 -DNDEBUG} -I"$ROOT/plugins/h2o3-mojo/src" "$ROOT/bench/mojo/mojo_bench.cc" "$CORE" \
  $(pkg-config --libs libzip) -lsimdjson -pthread -o "$CACHE/mojo_bench"
mkdir -p "$CACHE/classes"
javac -cp "$JAR" -d "$CACHE/classes" "$ROOT/bench/mojo/MojoBench.java"
JAVA_CMD=(java -cp "$JAR:$CACHE/classes" MojoBench)
CPP_CMD=("$CACHE/mojo_bench")

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.1fx" : "-"), a / b }'; }

# --- in-process throughput, load time, memory ---------------------------------------------------
echo
echo "## In-process scoring ($IN_PROCESS_ROWS rows of $CACHE/score.csv, ${SECONDS_RUN}s timed after warm-up)"
echo
echo "1T columns: rows per CPU-second of the scoring thread (per core; robust when other processes share the"
echo "CPUs). ${THREADS}T columns: wall-clock rows/s of the whole process with ${THREADS} scoring threads."
echo
echo "| model | MOJO KiB | Java wrapper 1T | Java score0 1T | C++ strings 1T | C++ doubles 1T | C++/wrapper 1T | C++/score0 1T | Java wrapper ${THREADS}T | C++ strings ${THREADS}T | C++/wrapper ${THREADS}T | load ms Java / C++ | model memory Java heap / C++ RSS (KiB) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for m in $MODELS; do
  mojo=$CACHE/$m.mojo
  jw=$("${JAVA_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" 1 wrapper | grep RESULT)
  cs=$("${CPP_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" 1 strings | grep RESULT)
  js=$("${JAVA_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" 1 score0 | grep RESULT)
  cd_=$("${CPP_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" 1 doubles | grep RESULT)
  jwn=$("${JAVA_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" "$THREADS" wrapper | grep RESULT)
  csn=$("${CPP_CMD[@]}" "$mojo" "$CACHE/score.csv" $IN_PROCESS_ROWS "$SECONDS_RUN" "$THREADS" strings | grep RESULT)
  for r in "$jw" "$cs" "$js" "$cd_" "$jwn" "$csn"; do log "$r"; done
  echo "| $m | $(( $(stat -L -c %s "$mojo") / 1024 )) | $(field rows_per_cpu_s "$jw") | $(field rows_per_cpu_s "$js") | $(field rows_per_cpu_s "$cs") | $(field rows_per_cpu_s "$cd_") | **$(ratio "$(field rows_per_cpu_s "$cs")" "$(field rows_per_cpu_s "$jw")")** | $(ratio "$(field rows_per_cpu_s "$cd_")" "$(field rows_per_cpu_s "$js")") | $(field rows_per_s "$jwn") | $(field rows_per_s "$csn") | **$(ratio "$(field rows_per_s "$csn")" "$(field rows_per_s "$jwn")")** | $(field load_ms "$jw") / $(field load_ms "$cs") | $(field heap_kb "$jw") / $(field heap_kb "$cs") |"
done

# --- whole-process CSV scoring ------------------------------------------------------------------
echo
echo "## Whole-process CSV scoring (1,000,000 rows, $(du -mL "$CACHE/score.csv" | cut -f1) MB; /usr/bin/time -v)"
echo
echo "| model | PredictCsv wall s (CPU s) | scorehost score wall s (CPU s) | wall speed-up | CPU speed-up | PredictCsv peak RSS MiB | scorehost peak RSS MiB | RSS ratio |"
echo "|---|---|---|---|---|---|---|---|"
timed() {  # timed <log> <cmd...>: runs the command under /usr/bin/time -v, prints "wall_s rss_kb"
  local out=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$out"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; w = s }
              /Maximum resident set size/ { r = $2 } /User time|System time/ { c += $2 }
              END { printf "%.2f %d %.2f\n", w, r, c }' "$out"
}
for m in $CSV_MODELS; do
  mojo=$CACHE/$m.mojo
  read -r jw jr jc < <(timed "$CACHE/time_java_$m.txt" java -cp "$JAR" hex.genmodel.tools.PredictCsv --mojo "$mojo" \
                     --input "$CACHE/score.csv" --output "$CACHE/java_$m.csv" --decimal)
  read -r cw cr cc < <(timed "$CACHE/time_cpp_$m.txt" "$SCOREHOST" score --quiet --threads "$THREADS" --model "$mojo" \
                     --input "$CACHE/score.csv" --output "$CACHE/cpp_$m.csv")
  # Same answers: compare the probability columns of both outputs (sampled every 997th row).
  python3 - "$CACHE/java_$m.csv" "$CACHE/cpp_$m.csv" <<'EOF' >&2
import csv, sys
a, b = (csv.reader(open(p)) for p in sys.argv[1:3])
ha, hb = next(a), next(b)
assert ha == hb, (ha, hb)
worst = 0.0
for i, (ra, rb) in enumerate(zip(a, b)):
    if i % 997: continue
    assert ra[0] == rb[0], (i, ra, rb)
    worst = max(worst, max(abs(float(x) - float(y)) for x, y in zip(ra[1:], rb[1:])))
assert worst <= 1e-10, worst
print("[mojo-bench] outputs agree (max |diff| %.1e on sampled rows)" % worst)
EOF
  echo "| $m | $jw ($jc) | $cw ($cc) | **$(ratio "$jw" "$cw")** | $(ratio "$jc" "$cc") | $(( jr / 1024 )) | $(( cr / 1024 )) | $(ratio "$jr" "$cr") |"
done

echo
echo "Commands (MOJO=$CACHE/<model>.mojo, ROWS=$CACHE/score.csv, N=$IN_PROCESS_ROWS):"
echo "  (1T/NT: threads; rows_per_cpu_s and rows_per_s are both in each RESULT line on stderr)"
echo "  ${JAVA_CMD[*]} \$MOJO \$ROWS \$N $SECONDS_RUN <1|$THREADS> <wrapper|score0>"
echo "  ${CPP_CMD[*]} \$MOJO \$ROWS \$N $SECONDS_RUN <1|$THREADS> <strings|doubles>"
echo "  /usr/bin/time -v java -cp $JAR hex.genmodel.tools.PredictCsv --mojo \$MOJO --input \$ROWS --output java.csv --decimal"
echo "  /usr/bin/time -v $SCOREHOST score --quiet --threads $THREADS --model \$MOJO --input \$ROWS --output cpp.csv"
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
