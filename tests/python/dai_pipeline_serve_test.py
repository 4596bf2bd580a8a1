"""The ten DAI Python Pipeline Scorers through the real `scorehost serve`, with a TEST DOUBLE of a
DAI Python scoring pipeline (dai_pipeline_double/make_pipeline.py: the real scorer.zip layout and
Scorer API, a fixed logistic model instead of DAI; no real pipeline is public, see
plugins/python/DAI-PYTHON-PIPELINE.md).

Python 3 standard library only. Environment (set by tests/python/CMakeLists.txt):
  SCOREHOST_BIN, SCOREHOST_ENV_CACHE

* A pipeline on another DAI version's runtime fails naming the right runtime, licence or not.
* No licence: fails fast naming the four places.
* With a (test double) licence: serves through python-scorer_dai_pipelines_224 (zip and directory);
  scores equal the double's model computed here; Shapley (TRANSFORMED) via /model/contribution.
"""
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rest"))
sys.path.insert(0, os.path.join(HERE, "dai_pipeline_double"))
from serving_harness import SCOREHOST, Server  # noqa: E402
import make_pipeline  # noqa: E402 -- the double's model constants, to compute expected values

WORK = tempfile.mkdtemp(prefix="scorehost-daipy-")
HOME = os.path.join(WORK, "home")
os.makedirs(HOME)
make_pipeline.build("2.2.4", os.path.join(WORK, "p224"))
ZIP = os.path.join(WORK, "p224", "scorer.zip")
DIR = os.path.join(WORK, "p224", "scoring-pipeline")
LICENCE = {"DRIVERLESS_AI_LICENSE_KEY": "dGVzdCBkb3VibGUgbGljZW5jZQ=="}  # base64("test double licence")
COLS = ["sepal_len", "sepal_wid", "petal_len", "petal_wid"]


def env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("DRIVERLESS_AI_LICENSE")}
    e["HOME"] = HOME
    e.update(extra)
    return e


def run(*args, timeout=900, **extra):
    start = time.monotonic()
    p = subprocess.run([SCOREHOST, *args], env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, text=True)
    return p.returncode, p.stdout, time.monotonic() - start


def probability(row):
    margin = make_pipeline.BIAS + sum(w * (float(v) if v not in (None, "") else m)
                                      for w, v, m in zip(make_pipeline.W, row, make_pipeline.MEANS))
    return 1.0 / (1.0 + math.exp(-margin))


class PythonPipelineScorers(unittest.TestCase):
    def test_wrong_version_names_the_right_runtime(self):
        for licence in ({}, LICENCE):
            rc, out, _ = run("serve", "--model-path", ZIP, "--runtime", "python-scorer_dai_pipelines_240", "--port", "0",
                             timeout=60, **licence)
            self.assertNotEqual(rc, 0, out)
            self.assertIn("built by Driverless AI 2.2.4: use python-scorer_dai_pipelines_224", out)

    def test_no_licence_fails_fast(self):
        if os.path.exists("/license/license.sig"):
            self.skipTest("/license/license.sig exists on this machine")
        rc, out, seconds = run("serve", "--model-path", ZIP, "--runtime", "python-scorer_dai_pipelines_224", "--port", "0",
                               timeout=60)
        self.assertNotEqual(rc, 0, out)
        self.assertLess(seconds, 10, out)
        for place in ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE", "/license/license.sig",
                      "~/.driverlessai/license.sig"):
            self.assertIn(place, out)

    def test_serves_and_scores_like_the_pipeline(self):
        rows = [["6.3", "3.3", "6.0", "2.5"], ["5.1", "3.5", "1.4", "0.2"], ["5.9", None, "4.2", "1.5"]]
        for path in (ZIP, DIR):
            with self.subTest(path=path):
                server = Server(path, wait_ready=False, RUNTIME="python-scorer_dai_pipelines_224", HOME=HOME,
                                SHAPLEY_TYPES_ENABLED="TRANSFORMED", **LICENCE)
                with server:
                    server.wait_ready(900)
                    status, body = server.post_json("/model/score", {"fields": COLS, "rows": rows})
                    self.assertEqual(status, 200, body)
                    self.assertEqual(len(body["score"]), 3)
                    for row, got in zip(rows, body["score"]):
                        p = probability(row)
                        self.assertTrue(math.isclose(float(got[-1]), p, rel_tol=1e-9), (got, p))
                    status, caps = server.get_json("/model/capabilities")
                    self.assertIn("CONTRIBUTION_TRANSFORMED", caps)
                    status, body = server.post_json("/model/contribution",
                                                    {"fields": COLS, "rows": rows, "requestShapleyValueType": "TRANSFORMED"})
                    self.assertEqual(status, 200, body)
                    groups = body["contributionGroups"]  # api.md: one group for a binomial model
                    self.assertEqual(len(groups), 1, body)
                    for row, got in zip(rows, groups[0]["contributions"]):
                        p = probability(row)
                        self.assertTrue(math.isclose(sum(float(v) for v in got), math.log(p / (1 - p)), rel_tol=1e-9),
                                        (got, p))
                    status, runtime = server.get_json("/model/runtime")
                    self.assertEqual(runtime["properties"]["dai_version"], "2.2.4")
                    self.assertNotIn(LICENCE["DRIVERLESS_AI_LICENSE_KEY"], server.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
