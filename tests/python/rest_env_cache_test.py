"""Slow test of the env cache through `scorehost serve`, on a fresh cache directory:

1. two servers cold-started at once for the same model, installing **offline** from a wheelhouse
   through pip's own settings (PIP_NO_INDEX, PIP_FIND_LINKS): one builds the env, the other waits
   on the lock and reuses it; /readyz says 503 while loading, then 200;
2. a third start with the warm cache is a cache hit and never runs pip (both start-up times are
   printed; the ratio is a measurement, not an assertion);
3. a model whose requirements cannot be installed: the server exits non-zero with pip's last
   lines, and the half-built env is removed.

Python 3 standard library only. CTest runs it for one Python version (tests/python/CMakeLists.txt):
the cold start installs ~30 packages, about half a minute on two idle cores and several minutes on
busy ones. Environment as for rest_test.py, plus PY_TOOLS_PYTHON (the tools venv of that Python,
whose pip downloads the wheelhouse; from pip's cache in CI).
"""
import os
import shutil
import subprocess
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
TOOLS_PYTHON = os.environ["PY_TOOLS_PYTHON"]
if not os.path.exists(os.path.join(FIX, "fixtures.json")):
    print("skipped: no fixtures in %s (tools venv missing?)" % FIX)
    sys.exit(77)

MODEL = os.path.join(FIX, "sklearn_iris")
ROW = {"fields": ["sepal_length", "sepal_width", "petal_length", "petal_width"], "rows": [["5.1", "3.5", "1.4", "0.2"]]}


def build_dependencies(model_dir):
    """python_env.yaml's build_dependencies (a plain YAML list; no YAML parser in the stdlib)."""
    deps, inside = [], False
    with open(os.path.join(model_dir, "python_env.yaml")) as f:
        for line in f:
            if not line.startswith((" ", "-")):
                inside = line.startswith("build_dependencies:")
            elif inside and line.strip().startswith("- "):
                deps.append(line.strip()[2:].strip())
    return deps


class EnvCache(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="scorehost-envcache-")
        cls.cache = os.path.join(cls.tmp, "envs")
        cls.wheels = os.path.join(cls.tmp, "wheels")
        # Everything the model env needs, as files: the build dependencies and requirements.txt.
        subprocess.run([TOOLS_PYTHON, "-m", "pip", "download", "-q", "--disable-pip-version-check", "-d", cls.wheels,
                        "-r", os.path.join(MODEL, "requirements.txt")] + build_dependencies(MODEL), check=True)
        cls.offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": cls.wheels}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, model=MODEL, **env):
        """(seconds from process start to /readyz 200, /readyz statuses seen before, log)."""
        t0 = time.monotonic()
        server = Server(model, wait_ready=False, RUNTIME=RUNTIME, SCOREHOST_ENV_CACHE=self.cache, **env)
        seen = []
        with server:
            deadline = t0 + 1800
            while time.monotonic() < deadline:
                if server.process.poll() is not None:
                    self.fail("scorehost serve exited with %s:\n%s" % (server.process.returncode, server.output()[-4000:]))
                try:
                    status, _, _ = server.request("GET", "/readyz", timeout=2)
                except OSError:
                    status = None  # not listening yet
                if status == 200:
                    break
                if status is not None and status not in seen:
                    seen.append(status)
                time.sleep(0.02)
            elapsed = time.monotonic() - t0
            self.assertLess(time.monotonic(), deadline, "never ready")
            status, body = server.post_json("/model/score", ROW)
            self.assertEqual(status, 200, body)
            return elapsed, seen, server.output()

    def test_1_concurrent_offline_cold_starts_then_warm_reuses_the_env(self):
        results = [None, None]

        def cold(i):
            try:
                results[i] = self.start(**self.offline)
            except BaseException as e:  # noqa: BLE001 -- re-raised below on the test's thread
                results[i] = e

        threads = [threading.Thread(target=cold, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            if isinstance(r, BaseException):
                raise r
        builders = [r for r in results if "building python env" in r[2]]
        waiters = [r for r in results if "was built by another process; reusing it" in r[2]]
        self.assertEqual((len(builders), len(waiters)), (1, 1), "one start builds the env, the other waits and reuses it")
        cold_s, cold_seen, cold_log = builders[0]
        self.assertIn("[pip py3.", cold_log)
        self.assertIn(503, cold_seen)  # listening while loading, and saying so

        warm_s, _, warm_log = self.start()
        self.assertIn("reused (cache hit)", warm_log)
        self.assertNotIn("[pip py3.", warm_log)
        print("start to /readyz: cold (env built offline from a wheelhouse) %.1f s, warm (env reused) %.2f s, "
              "ratio %.1fx" % (cold_s, warm_s, cold_s / warm_s), file=sys.stderr)
        # The times are printed, not asserted: a timing assertion fails on a loaded CI machine
        # (8.2x was seen at load 9 on 2 cores). What must hold is checked above from the logs: the
        # warm start is a cache hit and never runs pip.

    def test_2_failed_build_exits_with_pip_output_and_leaves_no_env(self):
        model = os.path.join(self.tmp, "unsatisfiable")
        shutil.copytree(MODEL, model)
        with open(os.path.join(model, "requirements.txt"), "a") as f:
            f.write("scorehost-test-no-such-package==1.0\n")
        before = set(os.listdir(self.cache)) if os.path.isdir(self.cache) else set()
        server = Server(model, wait_ready=False, RUNTIME=RUNTIME, SCOREHOST_ENV_CACHE=self.cache, **self.offline)
        with server:
            rc = server.process.wait(900)
            text = server.output()
            self.assertNotEqual(rc, 0, text[-3000:])
            self.assertIn("building the model's python env failed", text)
            self.assertIn("scorehost-test-no-such-package", text)  # pip's own last lines
        left = {n for n in set(os.listdir(self.cache)) - before if not n.endswith(".lock")}
        self.assertEqual(left, set(), "a failed build leaves no env behind")


if __name__ == "__main__":
    unittest.main(verbosity=2)
