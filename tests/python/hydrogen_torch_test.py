"""End-to-end tests of the four Hydrogen Torch runtimes: the real `scorehost serve` on 127.0.0.1
serving real torch MLflow models (make_torch_fixtures.py) on this machine, which has no GPU.

Python 3 standard library only. Environment (set by tests/python/CMakeLists.txt):
  SCOREHOST_BIN        the scorehost executable
  HT_FIXTURES_310      torch fixtures saved with Python 3.10 ("" when there is no 3.10 worker)
  HT_FIXTURES_312      torch fixtures saved with Python 3.12 ("" when there is no 3.12 worker)
  SCOREHOST_ENV_CACHE  the shared env cache (each env is built once per machine)

What is checked: `scorehost runtimes` lists the four (CPU, Auto and static available; GPU unavailable
with "no CUDA device"); each model scores through _cpu_py310, _py312 and _static_ht16 exactly as
mlflow.pyfunc.load_model(path).predict(frame) did; the device (cpu) is logged, reported by
GET /model/runtime and `scorehost inspect`; the GPU runtime fails fast; the static runtime refuses
a model with a conflicting pin, and a model of another Python, naming the runtime to use.
"""
import base64
import json
import math
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rest"))
from serving_harness import SCOREHOST, Server  # noqa: E402 -- the REST suite's server helper, reused

FIX = {"3.10": os.environ.get("HT_FIXTURES_310", ""), "3.12": os.environ.get("HT_FIXTURES_312", "")}
FIX = {k: v for k, v in FIX.items() if v and os.path.exists(os.path.join(v, "fixtures.json"))}
if not FIX:
    print("skipped: no torch fixtures (tools venvs with torch missing? run .ci/python-deps.sh)")
    sys.exit(77)

CPU, GPU = "python-scorer_hydrogen_torch_cpu_py310", "python-scorer_hydrogen_torch_gpu_py310"
AUTO, STATIC = "python-scorer_hydrogen_torch_py312", "python-scorer_hydrogen_torch_static_ht16"
HAS_GPU = os.path.exists("/dev/nvidia0")
# The first start on a machine builds the model's env: torch + its CUDA libraries from pip's cache.
READY_TIMEOUT = float(os.environ.get("PY_REST_READY_TIMEOUT", "1800"))


def fixture(minor, model):
    if minor not in FIX:
        raise unittest.SkipTest("no Python %s torch fixtures" % minor)
    return os.path.join(FIX[minor], model)


def expected(path):
    with open(os.path.join(path, "expected.json")) as f:
        return json.load(f)


def serve(path, runtime, **env):
    server = Server(path, wait_ready=False, RUNTIME=runtime, **env)
    try:
        server.wait_ready(READY_TIMEOUT)
    except BaseException:
        server.__exit__(*sys.exc_info())
        raise
    return server


def run_scorehost(*args, env=None, timeout=600):
    environment = dict(os.environ)
    environment.update(env or {})
    start = time.monotonic()
    p = subprocess.run([SCOREHOST, *args], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, text=True)
    return p.returncode, p.stdout, time.monotonic() - start


def close(cell, want, dtype, rel=None):
    if want is None:
        return cell is None
    if isinstance(want, str):
        return cell == want
    # float32 outputs print with float precision (and torch's float32 kernels differ in the last
    # bits between batch sizes); float64 and ints exactly
    tol = rel or (1e-5 if dtype == "float32" else 1e-12)
    return cell is not None and math.isclose(float(cell), float(want), rel_tol=tol, abs_tol=1e-12)


class ServesLikeMlflow(unittest.TestCase):
    """Every HT runtime that can run here scores like MLflow, on CPU, and says so."""

    def check(self, minor, model, runtime):
        path = fixture(minor, model)
        exp = expected(path)
        cols = exp["columns"]
        rows = [[exp["input"][c][i] if not isinstance(exp["input"][c][i], float) else repr(exp["input"][c][i])
                 for c in cols] for i in range(len(exp["input"][cols[0]]))]
        with serve(path, runtime) as server:
            status, schema = server.get_json("/model/schema")
            self.assertEqual(status, 200)
            self.assertEqual([f["name"] for f in schema["schema"]["inputFields"]], cols)
            status, body = server.post_json("/model/score", {"fields": cols, "rows": [[str(v) for v in r] for r in rows]})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["fields"], list(exp["output"]))
            self.assertEqual(len(body["score"]), len(rows))
            for i, row in enumerate(body["score"]):
                for j, name in enumerate(body["fields"]):
                    want = exp["output"][name][i]
                    self.assertTrue(close(row[j], want, exp["output_types"][name]),
                                    "%s row %d %s: %r vs MLflow's %r" % (model, i, name, row[j], want))
            # one row alone gives the same answers, up to float32 rounding: torch picks other
            # matmul kernels for 1 row than for 22, so the last bits of a float32 may differ
            status, body1 = server.post_json("/model/score", {"fields": cols, "rows": [[str(v) for v in rows[3]]]})
            self.assertEqual(status, 200, body1)
            for j, name in enumerate(body["fields"]):
                self.assertTrue(close(body1["score"][0][j], exp["output"][name][3], exp["output_types"][name], rel=1e-5),
                                (body1["score"][0], body["score"][3]))
            # the device: logged at start-up and reported to clients
            self.assertIn("device cpu", server.output())
            status, runtime_doc = server.get_json("/model/runtime")
            self.assertEqual(status, 200, runtime_doc)
            self.assertEqual(runtime_doc["runtime"], runtime)
            props = runtime_doc["properties"]
            self.assertEqual(props["device"], "cpu")
            self.assertEqual(props["torch_version"].split("+")[0], "2.2.2")
            self.assertEqual(props["torch_cuda_available"], "false")  # the worker saw no GPU

    def test_tabular_cpu_py310(self):
        self.check("3.10", "ht_tabular", CPU)

    def test_image_cpu_py310(self):
        self.check("3.10", "ht_image", CPU)

    def test_tabular_auto_py312(self):
        self.check("3.12", "ht_tabular", AUTO)

    def test_image_auto_py312(self):
        self.check("3.12", "ht_image", AUTO)

    def test_tabular_static_ht16(self):
        self.check("3.10", "ht_tabular", STATIC)

    def test_image_static_ht16(self):
        self.check("3.10", "ht_image", STATIC)

    def test_bad_base64_is_a_400_and_the_worker_survives(self):
        path = fixture("3.10", "ht_image")
        exp = expected(path)
        with serve(path, CPU) as server:
            status, body = server.post_json("/model/score", {"fields": ["image"], "rows": [["not base64 at all!"]]})
            self.assertEqual(status, 400, body)
            status, body = server.post_json("/model/score", {"fields": ["image"], "rows": [[exp["input"]["image"][0]]]})
            self.assertEqual(status, 200, body)


class RuntimesAndRefusals(unittest.TestCase):
    def test_runtimes_lists_the_four(self):
        rc, out, _ = run_scorehost("runtimes")
        self.assertEqual(rc, 0, out)
        lines = {l.split()[0]: l for l in out.splitlines() if l.strip().startswith("python-scorer_hydrogen_torch")}
        self.assertEqual(set(lines), {CPU, GPU, AUTO, STATIC}, out)
        for name in (CPU, STATIC) if "3.10" in FIX else ():
            self.assertNotIn("unavailable", lines[name])
        if "3.12" in FIX:
            self.assertNotIn("unavailable", lines[AUTO])
        if not HAS_GPU:
            self.assertIn("unavailable", lines[GPU])
            self.assertIn("no CUDA device", out[out.index(GPU):])

    def test_gpu_runtime_fails_fast_without_a_device(self):
        if HAS_GPU:
            self.skipTest("this machine has a GPU")
        rc, out, seconds = run_scorehost("serve", "--model-path", fixture("3.10", "ht_tabular"), "--runtime", GPU,
                                         "--port", "0", timeout=60)
        self.assertNotEqual(rc, 0, out)
        self.assertLess(seconds, 30, out)
        self.assertIn("no CUDA device", out)
        self.assertIn(CPU, out)  # names the runtime to use instead
        self.assertNotIn("building python env", out)  # refused before any env work

    def test_static_refuses_a_conflicting_pin(self):
        rc, out, _ = run_scorehost("serve", "--model-path", fixture("3.10", "ht_conflict"), "--runtime", STATIC,
                                   "--port", "0", timeout=READY_TIMEOUT)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("'torch==2.1.0' (the static environment has torch 2.2.2", out)
        self.assertIn("serve the model with " + CPU, out)

    def test_static_refuses_another_python(self):
        rc, out, _ = run_scorehost("serve", "--model-path", fixture("3.12", "ht_tabular"), "--runtime", STATIC,
                                   "--port", "0", timeout=120)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("use runtime " + AUTO, out)

    def test_inspect_shows_the_device(self):
        rc, out, _ = run_scorehost("inspect", fixture("3.10", "ht_tabular"), "--runtime", CPU, timeout=READY_TIMEOUT)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"\n\s+device\s+cpu\n")
        self.assertIn("pred_label", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
