#!/usr/bin/env python3
"""glue/scorehost_dai_pipeline.py against TEST DOUBLES of DAI Python scoring pipelines.

Builds doubles for DAI 2.2.4 and 1.11.0 (dai_pipeline_double/make_pipeline.py), installs each
one's two wheels with pip into its own venv (one env per DAI version, as the runtimes do), and in
that venv checks load / describe / predict (probabilities and Shapley values against values computed
here from the double's constants, and against the pipeline's own single-row Scorer.score), input
column matching by name, and the licence rules (each of the four places; none → one message naming
all four, before anything of the pipeline is imported).

Interpreter: PY_TOOLS_PYTHON, default ~/.cache/scorehost/py-tools/py3.11/bin/python (needs pandas
and numpy; the venvs see its packages through a .pth file, so nothing is downloaded: pip runs with
--no-index). The doubles' h2oaicore wheels are tagged for that Python's cp3X. Exit 77 (skip) when the
interpreter is missing.

Run: python3 tests/python/dai_pipeline_test.py [-v]
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
GLUE = os.path.normpath(os.path.join(HERE, "..", "..", "plugins", "python", "glue"))
sys.path.insert(0, os.path.join(HERE, "dai_pipeline_double"))
import make_pipeline as double  # noqa: E402  (the double's constants: the expected values' source)

TOOLS_PYTHON = os.environ.get("PY_TOOLS_PYTHON") or os.path.expanduser("~/.cache/scorehost/py-tools/py3.11/bin/python")

ROWS = [["6.3", "3.3", "6.0", "2.5"], ["5.1", "3.5", "1.4", "0.2"], ["5.9", "3.0", "5.1", "1.8"],
        ["6.0", None, "4.5", ""]]  # last row: missing and empty cells → the double imputes the mean


def expected_row(values):
    x = [double.MEANS[i] if v in (None, "") else float(v) for i, v in enumerate(values)]
    margin = double.BIAS + sum(w * xi for w, xi in zip(double.W, x))
    p = 1 / (1 + math.exp(-margin))
    contribs = [double.W[i] * (x[i] - double.MEANS[i]) for i in range(4)]
    contribs.append(double.BIAS + sum(w * m for w, m in zip(double.W, double.MEANS)))
    return [1 - p, p], contribs, margin


class Env:
    """One DAI version's double and its venv."""

    def __init__(self, root, dai_version, tag):
        self.dir = os.path.join(root, dai_version)
        self.info = double.build(dai_version, self.dir, python_tag=tag)
        self.venv = os.path.join(self.dir, "venv")
        subprocess.run([TOOLS_PYTHON, "-m", "venv", "--without-pip", self.venv], check=True)
        site = subprocess.run([TOOLS_PYTHON, "-c", "import site; print(site.getsitepackages()[0])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        venv_site = subprocess.run([os.path.join(self.venv, "bin", "python"), "-c",
                                    "import site; print(site.getsitepackages()[0])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
        with open(os.path.join(venv_site, "tools.pth"), "w") as f:
            f.write(site + "\n")
        # The two wheels as shipped; their dependencies (pandas, numpy) resolve to the tools site.
        subprocess.run([TOOLS_PYTHON, "-m", "pip", "--python", os.path.join(self.venv, "bin", "python"), "install",
                        "--no-index", "--quiet", "--disable-pip-version-check",
                        self.info["h2oaicore_wheel"], self.info["experiment_wheel"]], check=True)
        self.python = os.path.join(self.venv, "bin", "python")

    def run(self, body, env_extra=None, home=None, system_license=None, drop_license_env=True):
        """Runs `body` (Python, with `d` = the glue module, `root` = the pipeline dir) in the venv;
        returns the JSON it prints last."""
        env = {k: v for k, v in os.environ.items()
               if not (drop_license_env and k.startswith("DRIVERLESS_AI_LICENSE"))}
        env["PYTHONPATH"] = GLUE
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["HOME"] = home or os.path.join(self.dir, "empty-home")
        env.update(env_extra or {})
        code = "import json, sys\nimport scorehost_dai_pipeline as d\n"
        code += "d.SYSTEM_LICENSE_FILE = %r\n" % (system_license or os.path.join(self.dir, "no-such", "license.sig"))
        code += "root = %r\n" % self.info["dir"]
        code += textwrap.dedent(body)
        r = subprocess.run([self.python, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError("venv script failed (%d):\n%s\n%s" % (r.returncode, r.stdout, r.stderr))
        return json.loads(r.stdout.strip().splitlines()[-1])


SCORE_BODY = """
import pandas as pd
p = d.load(root)
rows = %r
frame = pd.DataFrame(rows, columns=p.inputs)
out = d.predict(p, frame)
contribs = d.predict(p, frame, contribs=True)
# Request columns in another order plus an unknown one: matched by name.
shuffled = frame[list(reversed(p.inputs))].assign(extra="x")
print(json.dumps({
    "describe": d.describe(p),
    "columns": list(out.columns), "dtypes": [str(t) for t in out.dtypes],
    "pred": out.values.tolist(), "contribs": contribs.values.tolist(), "contrib_columns": list(contribs.columns),
    "single": [p.scorer.score(r) for r in rows],
    "shuffled": d.predict(p, shuffled).values.tolist(),
    "missing_column": d.predict(p, frame.drop(columns=[p.inputs[0]])).values.tolist(),
    "h2oaicore_double": __import__("h2oaicore").TEST_DOUBLE,
}))
"""


@unittest.skipUnless(os.path.exists(TOOLS_PYTHON), "no tools interpreter at %s" % TOOLS_PYTHON)
class DaiPipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dai-pipeline-test-")
        tag = subprocess.run([TOOLS_PYTHON, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"],
                             check=True, capture_output=True, text=True).stdout.strip()
        cls.envs = {v: Env(cls.tmp, v, tag) for v in ("2.2.4", "1.11.0")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertClose(self, got, want, tol=1e-12):
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            if isinstance(w, list):
                self.assertClose(g, w, tol)
            else:
                self.assertAlmostEqual(g, w, delta=tol)

    def test_layout_of_the_double(self):
        e = self.envs["2.2.4"]
        with zipfile.ZipFile(e.info["zip"]) as z:
            names = set(z.namelist())
        for n in ("scoring-pipeline/scoring_h2oai_experiment_testdouble_2_2_4-1.0.0-py3-none-any.whl",
                  "scoring-pipeline/h2oaicore-2.2.4-%s-%s-linux_x86_64.whl" % ((os.path.basename(e.info["h2oaicore_wheel"]).split("-")[2],) * 2),
                  "scoring-pipeline/requirements.txt", "scoring-pipeline/example.py"):
            self.assertIn(n, names)
        with zipfile.ZipFile(e.info["h2oaicore_wheel"]) as z:
            meta = z.read("h2oaicore-2.2.4.dist-info/METADATA").decode()
        self.assertIn("TEST DOUBLE", meta)
        with zipfile.ZipFile(e.info["experiment_wheel"]) as z:
            meta = z.read("scoring_h2oai_experiment_testdouble_2_2_4-1.0.0.dist-info/METADATA").decode()
        self.assertIn("Requires-Dist: h2oaicore (==2.2.4)", meta)
        self.assertIn("TEST DOUBLE", meta)

    def check_scores(self, version):
        e = self.envs[version]
        r = e.run(SCORE_BODY % (ROWS,), env_extra={"DRIVERLESS_AI_LICENSE_KEY": "test-double-licence"})
        desc = r["describe"]
        self.assertEqual(desc["module"], "scoring_h2oai_experiment_testdouble_" + version.replace(".", "_"))
        self.assertEqual(desc["dai_version"], version)
        self.assertEqual(desc["inputs"], [{"name": c, "type": 6} for c in double.COLUMNS])
        self.assertEqual(desc["outputs"], [{"name": "class.Iris-other", "type": 5}, {"name": "class.Iris-virginica", "type": 5}])
        self.assertEqual(desc["target_labels"], double.LABELS)
        self.assertEqual([c["name"] for c in desc["contrib_outputs"]],
                         ["contrib_" + t for t in double.TRANSFORMED] + ["contrib_bias"])
        self.assertEqual(desc["license_source"], "DRIVERLESS_AI_LICENSE_KEY")
        self.assertNotIn("test-double-licence", json.dumps(r))
        self.assertTrue(r["h2oaicore_double"])
        self.assertEqual(r["columns"], ["class.Iris-other", "class.Iris-virginica"])
        self.assertEqual(r["dtypes"], ["float64", "float64"])
        want = [expected_row(row) for row in ROWS]
        self.assertClose(r["pred"], [w[0] for w in want])
        self.assertClose(r["single"], [w[0] for w in want])
        self.assertClose(r["shuffled"], [w[0] for w in want])
        self.assertClose(r["contribs"], [w[1] for w in want])
        for got, w in zip(r["contribs"], want):  # Shapley values sum to the margin
            self.assertAlmostEqual(sum(got), w[2], delta=1e-9)
        # A column absent from the request is all-missing: the double imputes its mean.
        self.assertClose(r["missing_column"], [expected_row([None] + row[1:])[0] for row in ROWS])
        # Spot values, so a wrong constant in both the double and this test would still show.
        self.assertAlmostEqual(r["pred"][0][1], 0.977795378916464, delta=1e-12)

    def test_scores_dai_224(self):
        self.check_scores("2.2.4")

    def test_scores_dai_1110(self):
        self.check_scores("1.11.0")

    def test_no_licence_names_four_places_before_import(self):
        e = self.envs["2.2.4"]
        r = e.run("""
            try:
                d.load(root)
                print(json.dumps({"loaded": True}))
            except d.LicenseError as err:
                print(json.dumps({"message": str(err),
                                  "imported": [m for m in sys.modules if m.startswith(("scoring_h2oai", "h2oaicore"))]}))
        """)
        self.assertNotIn("loaded", r)
        msg = r["message"]
        for place in ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE", "/no-such/license.sig",
                      "~/.driverlessai/license.sig"):
            self.assertIn(place, msg)
        self.assertEqual(r["imported"], [])
        self.assertEqual(msg.count("\n"), 0)  # one line

    def test_licence_file_places(self):
        e = self.envs["1.11.0"]
        sig = os.path.join(e.dir, "licence", "license.sig")
        os.makedirs(os.path.dirname(sig), exist_ok=True)
        with open(sig, "w") as f:
            f.write("test double licence\n")
        body = 'p = d.load(root); print(json.dumps({"source": p.license_source, "env": __import__("os").environ.get("DRIVERLESS_AI_LICENSE_FILE")}))'
        # DRIVERLESS_AI_LICENSE_FILE
        r = e.run(body, env_extra={"DRIVERLESS_AI_LICENSE_FILE": sig})
        self.assertEqual(r["source"], sig)
        # /license/license.sig (the test points the module's constant at a temporary file)
        r = e.run(body, system_license=sig)
        self.assertEqual(r["source"], sig)
        self.assertEqual(r["env"], sig)  # handed on to the pipeline
        # ~/.driverlessai/license.sig
        home = os.path.join(e.dir, "home")
        os.makedirs(os.path.join(home, ".driverlessai"), exist_ok=True)
        shutil.copy(sig, os.path.join(home, ".driverlessai", "license.sig"))
        r = e.run(body, home=home)
        self.assertEqual(r["source"], os.path.join(home, ".driverlessai", "license.sig"))
        # A DRIVERLESS_AI_LICENSE_FILE naming nothing is an error even with a default file present.
        r = e.run("""
            try:
                d.load(root)
                print(json.dumps({"loaded": True}))
            except d.LicenseError as err:
                print(json.dumps({"message": str(err)}))
        """, env_extra={"DRIVERLESS_AI_LICENSE_FILE": "/nonexistent/license.sig"}, home=home)
        self.assertIn("DRIVERLESS_AI_LICENSE_FILE is set to /nonexistent/license.sig", r["message"])
        # A whitespace-only key is no key.
        r = e.run("""
            try:
                d.load(root); print(json.dumps({"loaded": True}))
            except d.LicenseError as err:
                print(json.dumps({"message": str(err)}))
        """, env_extra={"DRIVERLESS_AI_LICENSE_KEY": " \t "})
        self.assertIn("no Driverless AI licence found", r["message"])

    def test_not_installed_and_no_contribs(self):
        e = self.envs["2.2.4"]
        r = e.run("""
            import types
            try:
                d.load(root, module="scoring_h2oai_experiment_not_installed")
            except RuntimeError as err:
                msg = str(err)
            # A pipeline whose score_batch takes no pred_contribs: Shapley not offered, with the reason.
            class S:
                def get_column_names(self): return ["a"]
                def get_target_labels(self): return None
                def get_pred_columns(self, output_margin=False): return ["y"]
                def score_batch(self, frame): return [[1.5]] * len(frame)
            p = d.Pipeline("m", types.ModuleType("m"), S(), "DRIVERLESS_AI_LICENSE_KEY")
            import pandas as pd
            try:
                d.predict(p, pd.DataFrame({"a": ["1"]}), contribs=True)
                unsupported = ""
            except d.UnsupportedError as err:
                unsupported = str(err)
            out = d.predict(p, pd.DataFrame({"a": ["1"], "b": ["2"]}))
            print(json.dumps({"msg": msg, "unsupported": unsupported, "target": p.target_labels,
                              "out": out.values.tolist(), "cols": list(out.columns)}))
        """, env_extra={"DRIVERLESS_AI_LICENSE_KEY": "x"})
        self.assertIn("scoring_h2oai_experiment_not_installed is not installed", r["msg"])
        self.assertIn("takes no pred_contribs", r["unsupported"])
        self.assertIsNone(r["target"])
        self.assertEqual(r["cols"], ["y"])
        self.assertEqual(r["out"], [[1.5]])


if __name__ == "__main__":
    if not os.path.exists(TOOLS_PYTHON):
        print("SKIP: no tools interpreter at %s (.ci/python-deps.sh builds it)" % TOOLS_PYTHON)
        sys.exit(77)
    unittest.main()
