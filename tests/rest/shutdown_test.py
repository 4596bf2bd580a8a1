"""Graceful shutdown of `scorehost serve`: SIGTERM with requests in flight loses none."""
import signal
import tempfile
import threading
import time
import unittest

from serving_harness import Server, test_delay_model


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def drain_with_requests_in_flight(self, **env):
        model = test_delay_model(self.dir.name, delay_ms=150)
        with Server(model, **env) as server:
            results = [None] * 50
            started = threading.Barrier(51)

            def client(i):
                started.wait()
                results[i] = server.post_json("/model/score", {"fields": ["id", "x"], "rows": [["r%d" % i, str(i)]]},
                                              timeout=60)
            threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
            for t in threads:
                t.start()
            started.wait()
            time.sleep(0.3)  # the requests are in: some scoring, the rest queued
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            status, _, body = server.request("GET", "/readyz", timeout=5)
            self.assertEqual((status, body), (503, b"Not ready"), "readyz must fail during the drain")
            for t in threads:
                t.join(60)
            rc = server.process.wait(30)
            self.assertEqual(rc, 0, server.output())
            for i, (status, body) in enumerate(results):
                self.assertEqual(status, 200, (i, body))
                self.assertEqual(body["score"][0][0], "r%d" % i)
            self.assertIn("drained", server.output())

    def test_sigterm_batching(self):
        self.drain_with_requests_in_flight(BATCH_WORKERS=1, SCORING_CONCURRENCY=8, MAX_BATCH_SIZE=8)

    def test_sigterm_direct(self):
        self.drain_with_requests_in_flight(BATCH_WORKERS=0, SCORING_CONCURRENCY=16)

    def test_sigint_when_idle(self):
        with Server(test_delay_model(self.dir.name)) as server:
            start = time.time()
            server.process.send_signal(signal.SIGINT)
            self.assertEqual(server.process.wait(10), 0)
            self.assertLess(time.time() - start, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
