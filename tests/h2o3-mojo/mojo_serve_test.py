"""End to end: the real `scorehost serve` and `scorehost score` with H2O-3 MOJOs through the
h2o3-mojo plugin, checked against H2O's own Java outputs (PredictCsv --decimal on the same CSV).

Fixtures (tests/data/mojoland/fresh, made by tests/h2o3-mojo/tools/regen_big.sh with h2o 3.46.0.11):
  big_gbm_cat1200.mojo  GBM regression over a 1200-level and a 40-level categorical
  big_drf_cat1200.mojo  DRF binomial over the same columns
  big_test.csv          300 rows with empty cells, unseen levels (k9999, unseen) and extra columns
  <name>_predictcsv.csv PredictCsv --decimal output for big_test.csv
and tests/data/mojoland/fresh_algos/enc_* (tools/train_encodings.py): GBM/DRF trained with a
categorical_encoding, whose inputs are the original columns of enc_rows.csv.

Run by CTest with SCOREHOST_BIN and SCOREHOST_SOURCE_DIR (see CMakeLists.txt)."""
import csv
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ["SCOREHOST_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SOURCE, "tests", "rest"))
import serving_harness  # noqa: E402  (the REST tests' helper: starts and talks to `scorehost serve`)
from serving_harness import Server  # noqa: E402

BIN = os.environ["SCOREHOST_BIN"]
FRESH = os.path.join(SOURCE, "tests", "data", "mojoland", "fresh")
GBM = os.path.join(FRESH, "big_gbm_cat1200.mojo")
DRF = os.path.join(FRESH, "big_drf_cat1200.mojo")
TEST_CSV = os.path.join(FRESH, "big_test.csv")
INPUTS = ["x1", "x2", "x3", "cbig", "cmid"]
TOLERANCE = 1e-10


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def golden(name):
    return read_csv(os.path.join(FRESH, name + "_predictcsv.csv"))


def test_rows():
    header, rows = read_csv(TEST_CSV)
    index = [header.index(c) for c in INPUTS]
    return [[r[i] for i in index] for r in rows]


class ArgServer(Server):
    """A Server started with extra command-line arguments (for -Dmojo.path=)."""

    def __init__(self, args, **env):
        self.port = serving_harness.free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="scorehost-serve-", suffix=".log", delete=False)
        environment = {k: v for k, v in os.environ.items() if k not in ("MODEL_PATH", "SCORER_MOJO_PATH")}
        environment.update({"PORT": str(self.port), "HOST": "127.0.0.1", "LOG_LEVEL": "INFO", "DRAIN_TIMEOUT": "20"})
        environment.update({k: str(v) for k, v in env.items()})
        self.process = subprocess.Popen([serving_harness.SCOREHOST, "serve", *args], env=environment,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()


class Numbers:
    def assertClose(self, expected, actual, what):
        if math.isnan(expected):
            self.assertTrue(math.isnan(actual), what)
        else:
            self.assertLessEqual(abs(expected - actual), TOLERANCE, "%s: expected %r, got %r" % (what, expected, actual))

    def assertMatchesGolden(self, header, golden_rows, fields, score, labels):
        """`score` rows (strings/None) against PredictCsv rows; `labels`: column indices compared exactly."""
        self.assertEqual(fields, header)
        self.assertEqual(len(score), len(golden_rows))
        for r, (want, got) in enumerate(zip(golden_rows, score)):
            for c, (w, g) in enumerate(zip(want, got)):
                if c in labels:
                    self.assertEqual(w, g, "row %d column %s" % (r, header[c]))
                else:
                    self.assertIsNotNone(g, "row %d column %s" % (r, header[c]))
                    self.assertClose(float(w), float(g), "row %d column %s" % (r, header[c]))


class ServeRegression(unittest.TestCase, Numbers):
    """GBM regression served through MODEL_PATH: the whole REST API with this model."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(GBM)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_schema(self):
        status, schema = self.server.get_json("/model/schema")
        self.assertEqual(status, 200)
        self.assertEqual(schema["schema"]["inputFields"],
                         [{"name": n, "dataType": "Str" if n.startswith("c") else "Float64"} for n in INPUTS])
        self.assertEqual(schema["schema"]["outputFields"], [{"name": "predict", "dataType": "Float64"}])
        status, _, model_id = self.server.request("GET", "/model/id")
        self.assertEqual((status, model_id.decode()), (200, schema["id"]))
        self.assertTrue(schema["id"])  # the MOJO's uuid

    def test_capabilities_default(self):
        self.assertEqual(self.server.get_json("/model/capabilities"), (200, ["SCORE"]))

    def test_score_matches_predictcsv(self):
        # Level strings, numbers as strings, empty cells as JSON null, unseen levels as they are.
        rows = [[c if c != "" else None for c in r] for r in test_rows()]
        status, body = self.server.post_json("/model/score", {"fields": INPUTS, "rows": rows})
        self.assertEqual(status, 200, body)
        header, want = golden("big_gbm_cat1200")
        self.assertMatchesGolden(header, want, body["fields"], body["score"], labels=())

    def test_json_numbers_level_indices_and_null_spellings(self):
        # Row 0 of big_test.csv three ways: as the CSV has it, with JSON numbers, and with the
        # categorical levels given as their domain indices ("k1018" is index 1018, "m21" is 21).
        base = test_rows()[0]
        numeric = [float(base[0]), float(base[1]), float(base[2]), base[3], base[4]]
        indices = base[:3] + ["1018", "21"]
        # Row 3 has an empty x1: "NA", null and "" all mean missing.
        missing_row = test_rows()[3]
        spellings = [[None] + missing_row[1:], ["NA"] + missing_row[1:], [""] + missing_row[1:]]
        status, body = self.server.post_json("/model/score",
                                             {"fields": INPUTS, "rows": [base, numeric, indices] + spellings})
        self.assertEqual(status, 200, body)
        _, want = golden("big_gbm_cat1200")
        got = [float(r[0]) for r in body["score"]]
        for i in range(3):
            self.assertClose(float(want[0][0]), got[i], "row 0 variant %d" % i)
        for i in range(3, 6):
            self.assertClose(float(want[3][0]), got[i], "row 3 missing spelling %d" % i)

    def test_unknown_level_is_missing(self):
        # Row 7 has cbig = k9999 (never seen): the same score as a null level.
        row = test_rows()[7]
        self.assertEqual(row[3], "k9999")
        status, body = self.server.post_json("/model/score", {"fields": INPUTS, "rows": [row, row[:3] + [None, row[4]]]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["score"][0], body["score"][1])
        self.assertClose(float(golden("big_gbm_cat1200")[1][7][0]), float(body["score"][0][0]), "row 7")

    def test_sample_request_scores(self):
        status, sample = self.server.get_json("/model/sample_request")
        self.assertEqual(status, 200)
        self.assertEqual(sample["fields"], INPUTS)
        self.assertEqual(len(sample["rows"]), 1)
        status, scored = self.server.post_json("/model/score", sample)
        self.assertEqual(status, 200, scored)
        self.assertEqual(len(scored["score"]), 1)
        self.assertFalse(math.isnan(float(scored["score"][0][0])))

    def test_bad_requests(self):
        status, body = self.server.post_json("/model/score", {"fields": INPUTS, "rows": [["abc", "1", "1", "k0001", "m01"]]})
        self.assertEqual(status, 400, body)
        status, body = self.server.post_json("/model/score", {"fields": INPUTS, "rows": [],
                                                              "requestPredictionIntervals": True})
        self.assertEqual(status, 400, body)  # H2O-3 MOJOs carry no prediction intervals


class ServeAliases(unittest.TestCase, Numbers):
    """The seed's spellings of the model path, with the binomial DRF (labels + probabilities)."""

    def check(self, server):
        status, schema = server.get_json("/model/schema")
        self.assertEqual(status, 200)
        self.assertEqual(schema["schema"]["outputFields"],
                         [{"name": "predict", "dataType": "Str"}, {"name": "no", "dataType": "Float64"},
                          {"name": "yes", "dataType": "Float64"}])
        rows = [[c if c != "" else None for c in r] for r in test_rows()]
        status, body = server.post_json("/model/score", {"fields": INPUTS, "rows": rows})
        self.assertEqual(status, 200, body)
        header, want = golden("big_drf_cat1200")
        self.assertMatchesGolden(header, want, body["fields"], body["score"], labels=(0,))

    def test_scorer_mojo_path(self):
        with Server("", SCORER_MOJO_PATH=DRF) as server:
            self.check(server)

    def test_java_property(self):
        with ArgServer(["-Dmojo.path=" + DRF]) as server:
            self.check(server)


def f32(text):
    """The float32 a decimal text denotes (contributions are Java floats)."""
    return struct.unpack("f", struct.pack("f", float(text)))[0]


class ServeContributions(unittest.TestCase):
    """TreeSHAP through the REST API, against H2O's predict_contributions (shap_gbm_bernoulli)."""

    MOJO = os.path.join(FRESH, "shap_gbm_bernoulli.mojo")
    FIELDS = ["x1", "x2", "c1", "c2"]

    def request_rows(self, n):
        header, rows = read_csv(os.path.join(FRESH, "fresh.csv"))
        index = [header.index(c) for c in self.FIELDS]
        return [[r[i] if r[i] != "" else None for i in index] for r in rows[:n]]

    def assertEqualsH2O(self, contributions, n):
        header, want = read_csv(os.path.join(FRESH, "shap_gbm_bernoulli_contrib.csv"))
        self.assertEqual(contributions["features"], header)
        self.assertEqual(len(contributions["contributionGroups"]), 1)
        got = contributions["contributionGroups"][0]["contributions"]
        self.assertEqual(len(got), n)
        for r in range(n):
            self.assertEqual([f32(v) for v in got[r]], [f32(v) for v in want[r]], "row %d" % r)

    def test_capabilities_follow_settings(self):
        for env in ({"SHAPLEY_ENABLE": "true"}, {"SHAPLEY_TYPES_ENABLED": "TRANSFORMED"}):
            with Server(self.MOJO, **env) as server:
                self.assertEqual(server.get_json("/model/capabilities"), (200, ["SCORE", "CONTRIBUTION_TRANSFORMED"]))
        with Server(self.MOJO) as server:
            self.assertEqual(server.get_json("/model/capabilities"), (200, ["SCORE"]))
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                    "fields": self.FIELDS, "rows": self.request_rows(1)})
            self.assertEqual(status, 400, body)

    def test_contribution_and_score_with_shapley(self):
        with Server(self.MOJO, SHAPLEY_ENABLE="true") as server:
            rows = self.request_rows(40)
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                    "fields": self.FIELDS, "rows": rows})
            self.assertEqual(status, 200, body)
            self.assertEqualsH2O(body, 40)
            status, body = server.post_json("/model/score", {"fields": self.FIELDS, "rows": rows,
                                                             "requestShapleyValueType": "TRANSFORMED"})
            self.assertEqual(status, 200, body)
            self.assertEqual(list(body), ["id", "fields", "score", "featureShapleyContributions"])
            self.assertEqualsH2O(body["featureShapleyContributions"], 40)
            # Contributions + bias = the prediction in link space (logit of p(yes)).
            for scored, contrib in zip(body["score"], body["featureShapleyContributions"]["contributionGroups"][0]["contributions"]):
                p = float(scored[2])
                self.assertAlmostEqual(sum(float(v) for v in contrib), math.log(p / (1 - p)), delta=1e-5)
            # ORIGINAL is not offered by MOJOs: the configured ALL enables it, the model refuses it
            # (501 with the plugin's reason), and /model/capabilities does not list it.
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "ORIGINAL",
                                                                    "fields": self.FIELDS, "rows": rows[:1]})
            self.assertEqual(status, 501, body)
            self.assertIn('Unsupported operation due to: H2O-3 MOJO models only provide TRANSFORMED', body["detail"])
            # The trees are shared: enabling Shapley values did not load the MOJO a second time.
            self.assertEqual(server.output().count("h2o3-mojo: loaded "), 1, server.output())

    def test_multinomial_has_no_contributions(self):
        # H2O-3 has no TreeSHAP for multinomial models: the plugin does not declare the capability
        # (the ABI rule: a declared capability must work), and with Shapley enabled by
        # configuration a request for them gets 501 with the plugin's reason, on /model/score too.
        for name, fields in (("shap_gbm_multinomial", self.FIELDS), ("shap_xgb_multinomial", XGB_FIELDS)):
            for env in ({"SHAPLEY_ENABLE": "true"}, {"SHAPLEY_TYPES_ENABLED": "TRANSFORMED"}):
                with self.subTest(model=name, env=env), Server(os.path.join(FRESH, name + ".mojo"), **env) as server:
                    self.assertEqual(server.get_json("/model/capabilities"), (200, ["SCORE"]))
                    rows = request_rows(fields, 2)
                    status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                            "fields": fields, "rows": rows})
                    self.assertEqual(status, 501, body)
                    self.assertTrue(body["detail"].startswith('501 NOT_IMPLEMENTED "Unsupported operation due to: '
                                                              'Shapley contributions are not supported for multinomial '
                                                              'models'), body)
                    status, body = server.post_json("/model/score", {"fields": fields, "rows": rows,
                                                                     "requestShapleyValueType": "TRANSFORMED"})
                    self.assertEqual(status, 501, body)
                    self.assertIn("multinomial", body["detail"])
                    status, body = server.post_json("/model/score", {"fields": fields, "rows": rows})
                    self.assertEqual(status, 200, body)  # plain scoring is unaffected
                    self.assertEqual(len(body["score"]), 2)

    def test_disabled_shapley_keeps_the_api_answer(self):
        # Without SHAPLEY_ENABLE / SHAPLEY_TYPES_ENABLED every model gets the API's 400, whether
        # or not it could compute contributions.
        disabled = "shapley.types.enabled property has to be set to one of [TRANSFORMED, ORIGINAL, ALL]"
        for name, fields in (("shap_gbm_multinomial", self.FIELDS), ("shap_gbm_bernoulli", self.FIELDS),
                             ("shap_xgb_gbtree_bernoulli", XGB_FIELDS)):
            with self.subTest(model=name), Server(os.path.join(FRESH, name + ".mojo")) as server:
                rows = request_rows(fields, 1)
                for path in ("/model/contribution", "/model/score"):
                    status, body = server.post_json(path, {"requestShapleyValueType": "TRANSFORMED",
                                                           "fields": fields, "rows": rows})
                    self.assertEqual(status, 400, body)
                    self.assertIn(disabled, body["detail"])
        # Configured ORIGINAL only: TRANSFORMED is "not enabled" (400), as in the Java runtime.
        with Server(os.path.join(FRESH, "shap_gbm_multinomial.mojo"), SHAPLEY_TYPES_ENABLED="ORIGINAL") as server:
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                    "fields": self.FIELDS,
                                                                    "rows": request_rows(self.FIELDS, 1)})
            self.assertEqual(status, 400, body)
            self.assertIn("Requested Shapley type TRANSFORMED not enabled for this scorer. Expected: ORIGINAL",
                          body["detail"])


XGB_FIELDS = ["c2", "c1", "x1", "x2"]  # the XGBoost MOJOs' column order (categoricals first)


def request_rows(fields, n):
    header, rows = read_csv(os.path.join(FRESH, "fresh.csv"))
    index = [header.index(c) for c in fields]
    return [[r[i] if r[i] != "" else None for i in index] for r in rows[:n]]


class ServeXgboostContributions(unittest.TestCase):
    """XGBoost TreeSHAP through the REST API against H2O's predict_contributions: one value per
    one-hot input (<column>.<level>, <column>.missing(NA)) and BiasTerm, as H2O's default output."""

    def check(self, name, n):
        header, want = read_csv(os.path.join(FRESH, name + "_contrib.csv"))
        with Server(os.path.join(FRESH, name + ".mojo"), SHAPLEY_TYPES_ENABLED="TRANSFORMED") as server:
            self.assertEqual(server.get_json("/model/capabilities"), (200, ["SCORE", "CONTRIBUTION_TRANSFORMED"]))
            rows = request_rows(XGB_FIELDS, n)
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                    "fields": XGB_FIELDS, "rows": rows})
            self.assertEqual(status, 200, body)
            status, scored = server.post_json("/model/score", {"fields": XGB_FIELDS, "rows": rows,
                                                               "requestShapleyValueType": "TRANSFORMED"})
            self.assertEqual(status, 200, scored)
            for contributions in (body, scored["featureShapleyContributions"]):
                self.assertEqual(contributions["features"], header)
                got = contributions["contributionGroups"][0]["contributions"]
                self.assertEqual(len(got), n)
                for r in range(n):
                    self.assertEqual([f32(v) for v in got[r]], [f32(v) for v in want[r]], "row %d" % r)
            return scored

    def test_binomial_gbtree(self):
        scored = self.check("shap_xgb_gbtree_bernoulli", 40)
        # Contributions + bias = the logit of p(yes) (float rounding).
        for s, c in zip(scored["score"], scored["featureShapleyContributions"]["contributionGroups"][0]["contributions"]):
            p = float(s[2])
            self.assertAlmostEqual(sum(float(v) for v in c), math.log(p / (1 - p)), delta=1e-5)

    def test_regression_dart(self):
        self.check("shap_xgb_dart_gaussian", 25)


class ScoreCommand(unittest.TestCase, Numbers):
    """`scorehost score` on the CSV gives PredictCsv's numbers."""

    def run_score(self, model):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.csv")
            proc = subprocess.run([BIN, "score", "--model", model, "--input", TEST_CSV, "--output", out, "--quiet"],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            return read_csv(out)

    def test_regression_csv(self):
        header, rows = self.run_score(GBM)
        want_header, want = golden("big_gbm_cat1200")
        self.assertMatchesGolden(want_header, want, header, [[c if c != "" else None for c in r] for r in rows], ())

    def test_binomial_csv(self):
        header, rows = self.run_score(DRF)
        want_header, want = golden("big_drf_cat1200")
        self.assertMatchesGolden(want_header, want, header, rows, labels=(0,))


ENC = os.path.join(SOURCE, "tests", "data", "mojoland", "fresh_algos")
ENC_ROWS = os.path.join(ENC, "enc_rows.csv")
ENC_INPUTS = ["x1", "c_small", "x2", "c_many", "c_int"]


class EncodedModels(unittest.TestCase, Numbers):
    """GBM/DRF trained with a categorical_encoding take the ORIGINAL columns, like PredictCsv."""

    def test_score_command_matches_predictcsv(self):
        for enc in ("one_hot_explicit", "binary", "label_encoder", "enum_limited", "eigen"):
            with self.subTest(enc), tempfile.TemporaryDirectory() as tmp:
                name = "enc_gbm_bin_" + enc
                out = os.path.join(tmp, "out.csv")
                proc = subprocess.run([BIN, "score", "--model", os.path.join(ENC, name + ".mojo"), "--input", ENC_ROWS,
                                       "--output", out, "--quiet"], capture_output=True, text=True, timeout=120)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                header, rows = read_csv(out)
                want_header, want = read_csv(os.path.join(ENC, name + "_predictcsv.csv"))
                self.assertMatchesGolden(want_header, want, header, rows, labels=(0,))

    def test_serve_schema_and_score(self):
        with Server(os.path.join(ENC, "enc_drf_reg_one_hot_explicit.mojo")) as server:
            status, schema = server.get_json("/model/schema")
            self.assertEqual(status, 200)
            self.assertEqual(schema["schema"]["inputFields"],
                             [{"name": n, "dataType": "Str" if n.startswith("c") else "Float64"} for n in ENC_INPUTS])
            _, rows = read_csv(ENC_ROWS)
            rows = [[c if c != "" else None for c in r] for r in rows]
            status, body = server.post_json("/model/score", {"fields": ENC_INPUTS, "rows": rows})
            self.assertEqual(status, 200, body)
            header, want = read_csv(os.path.join(ENC, "enc_drf_reg_one_hot_explicit_predictcsv.csv"))
            self.assertMatchesGolden(header, want, body["fields"], body["score"], labels=())

    def test_contributions_per_encoded_column(self):
        # genmodel's contributions (tools/EncContrib.java): one per encoded column, then BiasTerm.
        name = "enc_drf_bin_one_hot_explicit"
        with Server(os.path.join(ENC, name + ".mojo"), SHAPLEY_ENABLE="true") as server:
            self.assertEqual(server.get_json("/model/capabilities"), (200, ["SCORE", "CONTRIBUTION_TRANSFORMED"]))
            _, rows = read_csv(ENC_ROWS)
            rows = [[c if c != "" else None for c in r] for r in rows]
            status, body = server.post_json("/model/contribution", {"requestShapleyValueType": "TRANSFORMED",
                                                                    "fields": ENC_INPUTS, "rows": rows})
            self.assertEqual(status, 200, body)
            header, want = read_csv(os.path.join(ENC, name + "_contrib.csv"))
            self.assertEqual(body["features"], header)
            got = body["contributionGroups"][0]["contributions"]
            self.assertEqual(len(got), len(want))
            for r in range(len(want)):
                self.assertEqual([f32(v) for v in got[r]], [f32(v) for v in want[r]], "row %d" % r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
