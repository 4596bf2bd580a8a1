"""Black-box tests of the Dynamic MLflow runtimes through `scorehost score` / `scorehost inspect`.

Python 3 standard library only. Environment (set by tests/python/CMakeLists.txt):
  SCOREHOST_BIN       the scorehost executable
  PY_FIXTURES         directory written by make_fixtures.py for one Python version
  PY_RUNTIME          the runtime under test, e.g. python-scorer_mlflow_dynamic_311
  SCOREHOST_ENV_CACHE the shared env cache (built once per CI run, reused by every test)

Predictions are compared with MLflow's own (expected.json, written by make_fixtures.py with
mlflow.pyfunc.load_model(path).predict(frame) on the same frame).
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ["SCOREHOST_BIN"]
FIX = os.environ["PY_FIXTURES"]
RUNTIME = os.environ["PY_RUNTIME"]
if not os.path.exists(os.path.join(FIX, "fixtures.json")):
    print("skipped: no fixtures in %s (tools venv missing?)" % FIX)
    sys.exit(77)


def run(args, env=None, timeout=900):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([BIN] + args, capture_output=True, text=True, env=e, timeout=timeout)


def expected(model):
    with open(os.path.join(FIX, model, "expected.json")) as f:
        return json.load(f)


def csv_of(columns, data):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    n = len(data[columns[0]])
    for i in range(n):
        w.writerow(["" if data[c][i] is None else data[c][i] for c in columns])
    return buf.getvalue()


def score(model, text, extra=(), env=None):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.csv"), os.path.join(d, "out.csv")
        with open(src, "w") as f:
            f.write(text)
        p = run(["score", "--model", os.path.join(FIX, model), "--runtime", RUNTIME, "--input", src,
                 "--output", dst, "--quiet", *extra], env=env)
        rows = None
        if p.returncode == 0:
            with open(dst) as f:
                rows = list(csv.reader(f))
        return p, rows


def same(a, b):
    """A CSV cell from scorehost vs MLflow's value."""
    if b is None:
        return a == ""
    if isinstance(b, bool):
        return a.lower() in (("true", "1") if b else ("false", "0"))
    if isinstance(b, (int, float)):
        try:
            x = float(a)
        except ValueError:
            return False
        return math.isclose(x, float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == str(b)


class DynamicMlflowCli(unittest.TestCase):
    def check_against_mlflow(self, model, expect_columns=None):
        exp = expected(model)
        self.assertNotIn("error", exp)
        p, rows = score(model, csv_of(exp["columns"], exp["input"]))
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        header, body = rows[0], rows[1:]
        out = exp["output"]
        if out["kind"] == "frame":
            want = out["columns"]
            self.assertEqual(header, list(want) if expect_columns is None else expect_columns)
            cols = [want[c] for c in want]
        elif out["kind"] == "series":
            cols = [out["values"]]
        else:
            vals = out["values"]
            cols = [vals] if not vals or not isinstance(vals[0], list) else [list(c) for c in zip(*vals)]
        self.assertEqual(len(body), len(cols[0]))
        for r, row in enumerate(body):
            for c, col in enumerate(cols):
                self.assertTrue(same(row[c], col[r]), "row %d column %s: scorehost %r, MLflow %r" % (r, header[c], row[c], col[r]))
        return header

    def test_sklearn_directory_matches_mlflow(self):
        self.assertEqual(self.check_against_mlflow("sklearn_iris"), ["prediction"])

    def test_sklearn_zip_with_top_folder(self):
        exp = expected("sklearn_iris")
        p, rows = score("sklearn_iris.zip", csv_of(exp["columns"], exp["input"]))
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertEqual([float(r[0]) for r in rows[1:]], [float(v) for v in exp["output"]["values"]])

    def test_pyfunc_with_artifact(self):
        self.check_against_mlflow("pyfunc_artifact")

    def test_series_without_signature(self):
        self.check_against_mlflow("pyfunc_series_nosig")

    def test_strings_integers_nulls(self):
        self.check_against_mlflow("pyfunc_mixed_nulls")

    def test_inspect_schema(self):
        p = run(["inspect", os.path.join(FIX, "pyfunc_mixed_nulls"), "--runtime", RUNTIME])
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertRegex(p.stdout, r"name\s+Str")
        self.assertRegex(p.stdout, r"count\s+Int64")
        self.assertRegex(p.stdout, r"weight\s+Float64")
        self.assertRegex(p.stdout, r"greeting\s+Str")
        self.assertRegex(p.stdout, r"weight_missing\s+Bool")
        self.assertIn("thread-safe:   no", p.stdout)
        p = run(["inspect", os.path.join(FIX, "pyfunc_series_nosig"), "--runtime", RUNTIME])
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertRegex(p.stdout, r"x\s+Str")  # no signature: Str inputs
        self.assertRegex(p.stdout, r"y\s+Float64")  # output inferred from the input example

    def test_thread_safety_follows_batch_workers(self):
        p = run(["inspect", os.path.join(FIX, "pyfunc_artifact"), "--runtime", RUNTIME],
                env={"BATCH_WORKERS": "0", "SCORING_CONCURRENCY": "3"})
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertIn("thread-safe:   yes", p.stdout)

    def test_wrong_python_names_the_right_runtime(self):
        other = json.load(open(os.path.join(FIX, "fixtures.json")))["other_python"]
        right = "python-scorer_mlflow_dynamic_" + other.replace(".", "")[:3]
        p = run(["inspect", os.path.join(FIX, "wrong_python"), "--runtime", RUNTIME])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("saved with Python " + other, p.stdout + p.stderr)
        self.assertIn("use runtime " + right, p.stdout + p.stderr)

    def test_model_exception_comes_back_with_traceback(self):
        p, _ = score("pyfunc_raises", "v\n1\n-2\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ValueError: negative input is not allowed by this model", p.stderr)
        self.assertIn("Python traceback", p.stderr)
        self.assertIn("in predict", p.stderr)

    def test_wrong_row_count_is_returned_as_is(self):
        # The plugin returns the model's single row; the host's N-in = N-out check refuses it.
        p, _ = score("pyfunc_wrong_rows", "v\n1\n2\n3\n")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("returned 1 rows for 3 input rows", p.stderr)

    def test_crash_at_load_reports_last_stderr_lines(self):
        p = run(["inspect", os.path.join(FIX, "pyfunc_crash_on_load"), "--runtime", RUNTIME])
        text = p.stdout + p.stderr
        self.assertIn("crashed while loading the model, 2 times", text)
        self.assertIn("SIGSEGV", text)
        self.assertIn("crash-on-load fixture: about to crash", text)

    def test_runtimes_lists_python_runtimes(self):
        p = run(["runtimes"])
        self.assertEqual(p.returncode, 0, p.stderr)
        line = [l for l in p.stdout.splitlines() if l.startswith(RUNTIME)][0]
        self.assertIn("python.so", line)
        self.assertIn("available", line)
        # the same plugin serves the Hydrogen Torch and Driverless AI runtimes (their own tests:
        # hydrogen_torch_test.py, dai_mojo_test.py, dai_pipeline_serve_test.py)
        for other in ("dai-mojo-scorer", "python-scorer_hydrogen_torch_py312", "python-scorer_dai_pipelines_240"):
            l = [x for x in p.stdout.splitlines() if x.startswith(other + " ")][0]
            self.assertIn("python.so", l)

    def test_second_start_reuses_env(self):
        t0 = time.monotonic()
        p = run(["inspect", os.path.join(FIX, "sklearn_iris"), "--runtime", RUNTIME])
        warm = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertIn("reused (cache hit)", p.stderr)
        self.assertNotIn("[pip", p.stderr)
        print("warm start to loaded model: %.2f s" % warm, file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
