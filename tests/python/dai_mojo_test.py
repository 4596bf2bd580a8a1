"""End-to-end tests of the dai-mojo-scorer runtime through the real `scorehost` executable, with the
public Driverless AI MOJO pipelines in tests/data/dai. This machine has no Driverless AI licence, so
what is checked is what a server must do without one, plus scoring when a licence is present.

Python 3 standard library only. Environment (set by tests/python/CMakeLists.txt):
  SCOREHOST_BIN        the scorehost executable
  SCOREHOST_ENV_CACHE  the shared env cache (the daimojo env is built once per machine)

* `scorehost runtimes` lists dai-mojo-scorer as available.
* No licence anywhere: serving each pipeline fails within seconds, exit code non-zero, with one
  message naming the four places; no env is built; a set-but-empty key says so.
* `scorehost inspect` without a licence shows each pipeline's features, outputs and DAI facts (read
  from the pipeline file).
* A licence the runtime rejects: the load fails with the runtime's own reason; the key is never printed.
* With DRIVERLESS_AI_LICENSE_KEY or _FILE set for real: iris-test.csv scores to iris-expected.csv
  (skipped with the reason when there is no licence).
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rest"))
from serving_harness import SCOREHOST, Server  # noqa: E402

DATA = os.path.join(HERE, "..", "data", "dai")
PIPELINES = {
    "iris": ("iris-pipeline.mojo", ["sepal_len", "sepal_wid", "petal_len", "petal_wid"],
             ["class.Iris-setosa", "class.Iris-versicolor", "class.Iris-virginica"]),
    "wine": ("wine-pipeline.mojo", None, None),
    "fillna_str": ("fillna_str-pipeline.mojo", None, None),
    "multinomial": ("multinomial-pipeline.mojo", None, None),
}
RUNTIME = "dai-mojo-scorer"
PLACES = ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE", "/license/license.sig", "~/.driverlessai/license.sig")
# A licence the tests may use: only when the person running them provides one.
REAL_LICENCE = {k: os.environ[k] for k in ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE") if os.environ.get(k)}
HOME = tempfile.mkdtemp(prefix="scorehost-dai-home-")  # no ~/.driverlessai/license.sig here


def run(*args, env=None, timeout=900, licence=False):
    environment = {k: v for k, v in os.environ.items() if k not in ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE")}
    environment["HOME"] = HOME
    if licence:
        environment.update(REAL_LICENCE)
    environment.update(env or {})
    start = time.monotonic()
    p = subprocess.run([SCOREHOST, *args], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, text=True)
    return p.returncode, p.stdout, time.monotonic() - start


def needs_no_docker_licence(test):
    if os.path.exists("/license/license.sig"):
        test.skipTest("/license/license.sig exists on this machine")


class WithoutALicence(unittest.TestCase):
    def test_runtime_is_listed_available(self):
        rc, out, _ = run("runtimes")
        self.assertEqual(rc, 0, out)
        line = [l for l in out.splitlines() if l.startswith(RUNTIME + " ")]
        self.assertEqual(len(line), 1, out)
        self.assertIn("available", line[0])
        self.assertNotIn("unavailable", line[0])

    def test_serving_fails_fast_naming_the_four_places(self):
        needs_no_docker_licence(self)
        for name, (file, _, _) in PIPELINES.items():
            with self.subTest(pipeline=name):
                rc, out, seconds = run("serve", "--model-path", os.path.join(DATA, file), "--runtime", RUNTIME,
                                       "--port", "0", timeout=60)
                self.assertNotEqual(rc, 0, out)
                self.assertLess(seconds, 10, out)
                for place in PLACES:
                    self.assertIn(place, out)
                self.assertNotIn("building python env", out)  # refused before any env work
                self.assertNotIn("Segmentation", out)

    def test_empty_key_is_named(self):
        needs_no_docker_licence(self)
        rc, out, _ = run("serve", "--model-path", os.path.join(DATA, "iris-pipeline.mojo"), "--runtime", RUNTIME,
                         "--port", "0", env={"DRIVERLESS_AI_LICENSE_KEY": ""}, timeout=60)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("DRIVERLESS_AI_LICENSE_KEY is set but empty", out)

    def test_score_command_fails_too(self):
        needs_no_docker_licence(self)
        rc, out, _ = run("score", "--model", os.path.join(DATA, "iris-pipeline.mojo"), "--runtime", RUNTIME,
                         "--input", os.path.join(DATA, "iris-test.csv"), "--output", os.path.join(HOME, "out.csv"),
                         timeout=60)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("no Driverless AI licence found", out)

    def test_inspect_reads_the_pipeline_file(self):
        needs_no_docker_licence(self)
        for name, (file, inputs, outputs) in PIPELINES.items():
            with self.subTest(pipeline=name):
                rc, out, _ = run("inspect", os.path.join(DATA, file), "--runtime", RUNTIME)
                self.assertEqual(rc, 0, out)
                self.assertIn("loaded with:   " + RUNTIME, out)
                self.assertIn("dai_version", out)
                self.assertIn("licence", out)
                self.assertIn("none found", out)
                self.assertRegex(out, r"input fields:\n  \S")
                self.assertRegex(out, r"output fields:\n  \S")
                if inputs:
                    for field in inputs:
                        self.assertRegex(out, r"\n  %s\s+Float32\n" % field)
                    for field in outputs:
                        self.assertRegex(out, r"\n  %s\s+Float32\n" % field)
                    self.assertIn("1.8.10", out)

    def test_a_rejected_licence_gives_the_runtimes_reason(self):
        needs_no_docker_licence(self)
        key = "bm90IGEgbGljZW5zZSwgYSB0ZXN0IGRvdWJsZQ=="  # base64 of "not a license, a test double"
        rc, out, _ = run("serve", "--model-path", os.path.join(DATA, "iris-pipeline.mojo"), "--runtime", RUNTIME,
                         "--port", "0", env={"DRIVERLESS_AI_LICENSE_KEY": key})
        self.assertNotEqual(rc, 0, out)
        self.assertIn("invalid Driverless AI license", out)
        self.assertNotIn(key, out)


@unittest.skipUnless(REAL_LICENCE, "no Driverless AI licence: set DRIVERLESS_AI_LICENSE_KEY or DRIVERLESS_AI_LICENSE_FILE "
                                   "to run the scoring half (iris-test.csv -> iris-expected.csv)")
class WithALicence(unittest.TestCase):
    def test_iris_scores_to_expected(self):
        out_csv = os.path.join(HOME, "iris-scored.csv")
        rc, out, _ = run("score", "--model", os.path.join(DATA, "iris-pipeline.mojo"), "--runtime", RUNTIME,
                         "--input", os.path.join(DATA, "iris-test.csv"), "--output", out_csv, licence=True)
        self.assertEqual(rc, 0, out)
        with open(out_csv) as f, open(os.path.join(DATA, "iris-expected.csv")) as g:
            got, want = list(csv.reader(f)), list(csv.reader(g))
        self.assertEqual(got[0], want[0])
        for a, b in zip(got[1:], want[1:]):
            for x, y in zip(a, b):
                self.assertTrue(math.isclose(float(x), float(y), rel_tol=1e-6), (a, b))


if __name__ == "__main__":
    unittest.main(verbosity=2)
