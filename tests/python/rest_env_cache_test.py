"""Slow test: a second `scorehost serve` start with a warm env cache reaches /readyz at least 10x
faster than the first start with an empty cache (which builds the model's virtualenv with pip).

Python 3 standard library only. CTest runs it for one Python version (tests/python/CMakeLists.txt),
because the cold start installs ~30 packages (from pip's wheel cache in CI, so no downloads, but
still about a minute on two shared cores). Environment as for rest_test.py.
"""
import os
import shutil
import sys
import tempfile
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


class EnvCacheColdVsWarm(unittest.TestCase):
    def start(self, cache):
        """Seconds from process start to /readyz 200, the /readyz statuses seen before, the log."""
        t0 = time.monotonic()
        server = Server(os.path.join(FIX, "sklearn_iris"), wait_ready=False, RUNTIME=RUNTIME,
                        SCOREHOST_ENV_CACHE=cache)
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
            status, _ = server.post_json("/model/score", {"fields": ["sepal_length", "sepal_width", "petal_length",
                                                                     "petal_width"], "rows": [["5.1", "3.5", "1.4", "0.2"]]})
            self.assertEqual(status, 200)
            return elapsed, seen, server.output()

    def test_warm_start_is_ten_times_faster(self):
        cache = tempfile.mkdtemp(prefix="scorehost-envcache-")
        try:
            cold, cold_seen, cold_log = self.start(cache)
            self.assertIn("[pip py3.", cold_log)  # the env really was built by this start
            # The server listens while it loads; /readyz says so until the model is ready.
            self.assertIn(503, cold_seen)
            warm, _, warm_log = self.start(cache)
            self.assertIn("reused (cache hit)", warm_log)
            self.assertNotIn("[pip py3.", warm_log)
            print("start to /readyz: cold (env built) %.1f s, warm (env reused) %.2f s, ratio %.1fx"
                  % (cold, warm, cold / warm), file=sys.stderr)
            self.assertGreaterEqual(cold / warm, 10.0, "cold %.1f s vs warm %.2f s" % (cold, warm))
        finally:
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
