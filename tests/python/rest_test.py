"""End-to-end tests of the Dynamic MLflow runtimes through REST: the real `scorehost serve` on
127.0.0.1 (tests/rest/serving_harness.py) serving the real MLflow fixture models.

Python 3 standard library only. Environment (set by tests/python/CMakeLists.txt):
  SCOREHOST_BIN       the scorehost executable
  PY_FIXTURES         directory written by make_fixtures.py for one Python version
  PY_RUNTIME          the runtime under test, e.g. python-scorer_mlflow_dynamic_311
  SCOREHOST_ENV_CACHE the shared env cache (built once per CI run, reused by every test)

Predictions are compared with MLflow's own: expected.json next to each fixture holds the input
frame and mlflow.pyfunc.load_model(path).predict(frame) on it, computed by make_fixtures.py.
"""
import glob
import json
import math
import os
import re
import signal
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rest"))
from serving_harness import Server  # noqa: E402 -- the REST suite's server helper, reused

FIX = os.environ["PY_FIXTURES"]
RUNTIME = os.environ["PY_RUNTIME"]
if not os.path.exists(os.path.join(FIX, "fixtures.json")):
    print("skipped: no fixtures in %s (tools venv missing?)" % FIX)
    sys.exit(77)

# A warm start takes seconds; the first start of a CI run may build the shared model env (pip).
READY_TIMEOUT = float(os.environ.get("PY_REST_READY_TIMEOUT", "1200"))


def expected(model):
    with open(os.path.join(FIX, model, "expected.json")) as f:
        return json.load(f)


def serve(model, **env):
    """A started server for FIX/<model> on the runtime under test, ready to score."""
    server = Server(os.path.join(FIX, model), wait_ready=False, RUNTIME=RUNTIME, **env)
    try:
        server.wait_ready(READY_TIMEOUT)
    except BaseException:
        server.__exit__(*sys.exc_info())
        raise
    return server


def request_of(exp, rows=None):
    """The REST score document for expected.json's input frame (cells as text, null = missing)."""
    cols = exp["columns"]
    n = len(exp["input"][cols[0]])
    take = range(n) if rows is None else rows
    cell = lambda v: None if v is None else str(v)
    return {"fields": cols, "rows": [[cell(exp["input"][c][i]) for c in cols] for i in take]}


def mlflow_columns(exp):
    """MLflow's prediction as a list of columns."""
    out = exp["output"]
    if out["kind"] == "frame":
        return [out["columns"][c] for c in out["columns"]]
    if out["kind"] == "series":
        return [out["values"]]
    vals = out["values"]
    return [vals] if not vals or not isinstance(vals[0], list) else [list(c) for c in zip(*vals)]


def same(cell, want, data_type):
    """A response cell (text or null) vs MLflow's value."""
    if want is None:
        return cell is None or cell == ""
    if cell is None:
        return False
    if isinstance(want, bool) or data_type == "Bool":
        return cell.lower() in (("true", "1") if want else ("false", "0"))
    if isinstance(want, (int, float)):
        try:
            x = float(cell)
        except ValueError:
            return False
        # Float32 outputs print with float precision (Java's Float.toString); doubles exactly.
        return math.isclose(x, float(want), rel_tol=1e-6 if data_type == "Float32" else 1e-12, abs_tol=1e-12)
    return cell == str(want)


def model_uuid(model):
    with open(os.path.join(FIX, model, "MLmodel")) as f:
        m = re.search(r"^model_uuid: (\S+)$", f.read(), re.M)
    return m.group(1) if m else None


def run_threads(fns):
    """Runs each fn on its own thread; returns their results in order."""
    results = [None] * len(fns)

    def call(i):
        try:
            results[i] = fns[i]()
        except Exception as e:  # noqa: BLE001 -- reported to the test as the result
            results[i] = e

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    return threads, results


# What the API shows for each fixture: MLflow signature types -> API data types (README, "Loading
# a model"), and a model without a signature gets Str inputs named after its input example.
SCHEMAS = {
    "sklearn_iris": ([("sepal_length", "Float64"), ("sepal_width", "Float64"), ("petal_length", "Float64"),
                      ("petal_width", "Float64")], [("prediction", "Int64")]),
    "pyfunc_artifact": ([("a", "Float64"), ("b", "Float64")], [("score", "Float64"), ("positive", "Bool")]),
    "pyfunc_series_nosig": ([("x", "Str"), ("n", "Str")], [("y", "Float64")]),
    "pyfunc_mixed_nulls": ([("name", "Str"), ("count", "Int64"), ("weight", "Float64")],
                           [("greeting", "Str"), ("count_plus_one", "Int64"), ("weight_missing", "Bool")]),
}
SCHEMAS["sklearn_pipeline_mixed"] = ([("color", "Str"), ("n", "Int32"), ("flag", "Bool"), ("x", "Float64")],
                                     [("prediction", "Float64")])
# An unnamed 2-D tensor: one API column per tensor column (named after the example's columns), and
# a 2-D output: prediction.<i>.
SCHEMAS["pyfunc_tensor_proba"] = ([(str(i), "Float64") for i in range(4)],
                                  [("prediction.%d" % i, "Float64") for i in range(3)])
PLACEHOLDER = {"Bool": "true", "Int32": "0", "Int64": "0", "Float32": "0", "Float64": "0", "Str": "text",
               "Time64": "2018-01-01"}


class ScoresLikeMlflow(unittest.TestCase):
    """Each fixture served alone: readyz, id, schema, sample request, and predictions == MLflow's."""

    def check(self, model, artifact=None):
        exp = expected(model)
        self.assertNotIn("error", exp)
        inputs, outputs = SCHEMAS[model]
        with serve(artifact or model) as server:
            status, _, body = server.request("GET", "/readyz")
            self.assertEqual((status, body), (200, b"Ready"))

            status, _, body = server.request("GET", "/model/id")
            self.assertEqual((status, body.decode()), (200, model_uuid(model)))

            status, schema = server.get_json("/model/schema")
            self.assertEqual(status, 200)
            self.assertEqual([(f["name"], f["dataType"]) for f in schema["schema"]["inputFields"]], inputs)
            self.assertEqual([(f["name"], f["dataType"]) for f in schema["schema"]["outputFields"]], outputs)

            # Predictions on the frame MLflow predicted on, cell by cell.
            status, scored = server.post_json("/model/score", request_of(exp))
            self.assertEqual(status, 200, scored)
            self.assertEqual(scored["fields"], [name for name, _ in outputs])
            want = mlflow_columns(exp)
            self.assertEqual(len(scored["score"]), len(want[0]))
            for r, row in enumerate(scored["score"]):
                for c, (name, data_type) in enumerate(outputs):
                    self.assertTrue(same(row[c], want[c][r], data_type),
                                    "%s row %d column %s: scorehost %r, MLflow %r" % (model, r, name, row[c], want[c][r]))

            # The sample request: the input example's first row when the model has an example
            # (ABI 1.1 input_examples), else the host's per-type placeholders; either way it scores.
            status, sample = server.get_json("/model/sample_request")
            self.assertEqual(status, 200)
            self.assertEqual(sample["fields"], [name for name, _ in inputs])
            self.assertEqual(len(sample["rows"]), 1)
            example = exp.get("example_first_row")
            for (name, data_type), cell in zip(inputs, sample["rows"][0]):
                if example is None:
                    self.assertEqual(cell, PLACEHOLDER[data_type], name)
                else:
                    self.assertTrue(same(cell, example[name], "Float64" if data_type == "Str" and
                                         isinstance(example[name], (int, float)) else data_type),
                                    "sample %s: %r, input example %r" % (name, cell, example[name]))
            status, scored = server.post_json("/model/score", sample)
            self.assertEqual(status, 200, scored)
            self.assertEqual(len(scored["score"]), 1)
            return server.output()

    def test_sklearn_classifier(self):
        self.assertIsNotNone(expected("sklearn_iris").get("example_first_row"))
        self.check("sklearn_iris")

    def test_sklearn_classifier_zipped(self):
        self.check("sklearn_iris", artifact="sklearn_iris.zip")

    def test_pyfunc_with_artifact(self):
        self.check("pyfunc_artifact")

    def test_series_without_signature(self):
        self.assertIsNotNone(expected("pyfunc_series_nosig").get("example_first_row"))
        self.check("pyfunc_series_nosig")

    def test_strings_integers_nulls(self):
        self.check("pyfunc_mixed_nulls")

    def test_sklearn_pipeline_string_int32_bool_double(self):
        self.check("sklearn_pipeline_mixed")

    def test_tensor_signature_2d_in_2d_out(self):
        self.check("pyfunc_tensor_proba")


class ModelFailures(unittest.TestCase):
    """Row-count contract, exceptions, crashes, hangs and a killed worker, as REST clients see them."""

    def test_wrong_row_count_strict_is_500_with_counts(self):
        exp = expected("pyfunc_wrong_rows")
        with serve("pyfunc_wrong_rows") as server:
            status, body = server.post_json("/model/score", request_of(exp))
            self.assertEqual(status, 500, body)
            self.assertRegex(body["detail"], r"returned 1 \w* ?rows for 3 input rows")
            self.assertIn("SCORE_ROW_COUNT_VALIDATION=strict", body["detail"])

    def test_wrong_row_count_warn_answers_the_models_rows(self):
        # The seed's way to serve an aggregating model: direct path + warn.
        exp = expected("pyfunc_wrong_rows")
        with serve("pyfunc_wrong_rows", BATCH_WORKERS=0, SCORE_ROW_COUNT_VALIDATION="warn") as server:
            status, body = server.post_json("/model/score", request_of(exp))
            self.assertEqual(status, 200, body)
            self.assertEqual(len(body["score"]), 1)
            self.assertTrue(same(body["score"][0][0], mlflow_columns(exp)[0][0], "Float64"))
            self.assertIn("row count mismatch", server.output())

    def test_exception_is_500_with_traceback_and_worker_survives(self):
        exp = expected("pyfunc_raises")
        with serve("pyfunc_raises") as server:
            status, body = server.post_json("/model/score", {"fields": ["v"], "rows": [["1"], ["-2"]]})
            self.assertEqual(status, 500, body)
            self.assertIn("ValueError: negative input is not allowed by this model", body["detail"])
            self.assertIn("traceback (most recent call last)", body["detail"])
            self.assertIn("in predict", body["detail"])
            status, body = server.post_json("/model/score", request_of(exp))
            self.assertEqual(status, 200, body)
            self.assertEqual([float(r[0]) for r in body["score"]], [float(v) for v in mlflow_columns(exp)[0]])
            self.assertNotIn("restarted", server.output())  # a Python exception costs no restart

    def test_segfault_fails_only_that_request_then_recovers(self):
        exp = expected("pyfunc_segfault")
        with serve("pyfunc_segfault") as server:
            status, headers, data = server.request("POST", "/model/score", {"fields": ["v"], "rows": [["13"]]})
            body = json.loads(data)
            self.assertEqual(status, 503, body)
            self.assertIn("SIGSEGV", body["detail"])
            self.assertIn("while this call was in flight", body["detail"])
            self.assertIn("retry-after", headers)
            status, body = server.post_json("/model/score", request_of(exp), timeout=READY_TIMEOUT)
            self.assertEqual(status, 200, body)
            self.assertEqual([float(r[0]) for r in body["score"]], [float(v) for v in mlflow_columns(exp)[0]])
            status, _, _ = server.request("GET", "/readyz")
            self.assertEqual(status, 200)

    def test_crash_at_load_exits_nonzero_with_worker_output(self):
        server = Server(os.path.join(FIX, "pyfunc_crash_on_load"), wait_ready=False, RUNTIME=RUNTIME)
        with server:
            rc = server.process.wait(READY_TIMEOUT)
            text = server.output()
            self.assertNotEqual(rc, 0, text)
            self.assertIn("crashed while loading the model", text)
            self.assertIn("SIGSEGV", text)
            self.assertIn("crash-on-load fixture: about to crash", text)

    def test_wrong_python_exits_naming_the_right_runtime(self):
        with open(os.path.join(FIX, "fixtures.json")) as f:
            other = json.load(f)["other_python"]
        server = Server(os.path.join(FIX, "wrong_python"), wait_ready=False, RUNTIME=RUNTIME)
        with server:
            rc = server.process.wait(120)
            self.assertNotEqual(rc, 0)
            self.assertIn("use runtime python-scorer_mlflow_dynamic_" + other.replace(".", "")[:3],
                          server.output())


class HangsAndKills(unittest.TestCase):
    """The hanging fixture (v == 7 sleeps forever; it drops a marker file named after the worker's
    pid in PYFIXTURE_MARK_DIR first), on the direct path with 4 call slots and a 6 s call deadline."""

    CALL_TIMEOUT = 6

    @classmethod
    def setUpClass(cls):
        cls.marks = tempfile.TemporaryDirectory()
        cls.server = serve("pyfunc_hangs", BATCH_WORKERS=0, SCORING_CONCURRENCY=4,
                           SCOREHOST_PYTHON_CALL_TIMEOUT=cls.CALL_TIMEOUT, PYFIXTURE_MARK_DIR=cls.marks.name)
        cls.exp = expected("pyfunc_hangs")

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.marks.cleanup()

    def setUp(self):
        for f in glob.glob(os.path.join(self.marks.name, "*")):
            os.unlink(f)

    def good_request_succeeds(self):
        status, body = self.server.post_json("/model/score", request_of(self.exp), timeout=READY_TIMEOUT)
        self.assertEqual(status, 200, body)
        self.assertEqual([float(r[0]) for r in body["score"]], [float(v) for v in mlflow_columns(self.exp)[0]])

    def hang(self):
        return self.server.post_json("/model/score", {"fields": ["v"], "rows": [["7"]]}, timeout=120)

    def wait_for_marks(self, n, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            marks = os.listdir(self.marks.name)
            if len(marks) >= n:
                return marks
            time.sleep(0.02)
        self.fail("only %d of %d hanging calls reached the worker:\n%s" % (
            len(os.listdir(self.marks.name)), n, self.server.output()[-3000:]))

    def test_deadline_kills_the_hung_call_then_recovers(self):
        t0 = time.monotonic()
        status, body = self.hang()
        elapsed = time.monotonic() - t0
        self.assertEqual(status, 503, body)
        self.assertIn("per-call deadline", body["detail"])
        self.assertGreaterEqual(elapsed, self.CALL_TIMEOUT - 0.5)
        self.good_request_succeeds()

    def test_sigkill_fails_only_calls_in_flight_then_recovers(self):
        self.good_request_succeeds()
        threads, results = run_threads([self.hang, self.hang])
        marks = self.wait_for_marks(2)
        # While two calls hang, the other slots still score.
        self.good_request_succeeds()
        pids = {int(m.split("-")[0]) for m in marks}
        self.assertEqual(len(pids), 1, marks)
        os.kill(pids.pop(), signal.SIGKILL)
        for t in threads:
            t.join(120)
        for status, body in results:
            self.assertEqual(status, 503, body)
            self.assertIn("SIGKILL", body["detail"])
            self.assertIn("while this call was in flight", body["detail"])
            self.assertNotIn("per-call deadline", body["detail"])
        self.good_request_succeeds()


if __name__ == "__main__":
    unittest.main(verbosity=2)
