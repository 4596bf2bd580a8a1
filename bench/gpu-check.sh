#!/usr/bin/env bash
# The Hydrogen Torch GPU check: one short script for a machine with a CUDA GPU. Builds nothing.
#
#   bash bench/gpu-check.sh [BUILD_DIR] [MODEL]
#
# BUILD_DIR  a built tree (default: build), as the README's commands leave it
# MODEL      a torch MLflow model saved with Python 3.10 (default: the tests' ht_tabular fixture,
#            BUILD_DIR/tests/python/torch-fixtures/py3.10/ht_tabular, which `ctest -R ht_fixtures` makes)
#
# Prints what the CUDA probe sees, then starts the same model twice on 127.0.0.1 -- through
# python-scorer_hydrogen_torch_gpu_py310 and python-scorer_hydrogen_torch_cpu_py310 -- and prints
# the device each reports (GET /model/runtime), the latency of single requests of 1 and 64 rows
# (median and p90 of 200 each, sequential, one client) and the CPU/GPU ratio. The first start on a
# machine builds the model's env (torch + CUDA wheels; pip's cache or PIP_* settings apply).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
model=${2:-$build/tests/python/torch-fixtures/py3.10/ht_tabular}
bin=$build/bin/scorehost
probe=$build/bin/runtimes/python/scorehost-cuda-probe
[[ -x $bin ]] || { echo "gpu-check: $bin not found: build first (README)"; exit 2; }
[[ -e $model/MLmodel ]] || { echo "gpu-check: no model at $model (run: ctest --test-dir $build -R ht_fixtures)"; exit 2; }

echo "== CUDA probe ($probe)"
"$probe" || true
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || true

logs=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
start() {  # runtime port
  "$bin" serve --model-path "$model" --runtime "$1" --host 127.0.0.1 --port "$2" >"$logs/$1.log" 2>&1 &
  pids+=($!)
}
start python-scorer_hydrogen_torch_gpu_py310 18601
start python-scorer_hydrogen_torch_cpu_py310 18602

python3 - "$model" "$logs" <<'PY'
import http.client, json, os, statistics, sys, time
model, logs = sys.argv[1], sys.argv[2]
servers = {"gpu": ("python-scorer_hydrogen_torch_gpu_py310", 18601), "cpu": ("python-scorer_hydrogen_torch_cpu_py310", 18602)}

def call(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

for name, (runtime, port) in servers.items():
    deadline = time.time() + 3600
    while True:
        try:
            if call(port, "GET", "/readyz")[0] == 200:
                break
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit("%s did not become ready; log: %s/%s.log" % (runtime, logs, runtime))
        time.sleep(0.5)
    status, doc = call(port, "GET", "/model/runtime")
    print("== %s: %s" % (runtime, json.loads(doc)["properties"] if status == 200 else doc))

exp = json.load(open(os.path.join(model, "expected.json")))
cols = exp["columns"]
rows = [[str(exp["input"][c][i]) for c in cols] for i in range(len(exp["input"][cols[0]]))]
results = {}
for batch in (1, 64):
    body = {"fields": cols, "rows": (rows * (batch // len(rows) + 1))[:batch]}
    for name, (runtime, port) in servers.items():
        for _ in range(10):
            call(port, "POST", "/model/score", body)  # warm-up (CUDA kernels, allocator)
        times = []
        for _ in range(200):
            t = time.perf_counter()
            status, data = call(port, "POST", "/model/score", body)
            times.append((time.perf_counter() - t) * 1000)
            if status != 200:
                sys.exit("%s: %s %s" % (runtime, status, data[:300]))
        times.sort()
        results[(name, batch)] = statistics.median(times)
        print("%s batch %2d: median %.2f ms, p90 %.2f ms" % (name, batch, statistics.median(times), times[179]))
for batch in (1, 64):
    print("batch %2d: CPU/GPU latency ratio %.2f" % (batch, results[("cpu", batch)] / results[("gpu", batch)]))
PY
