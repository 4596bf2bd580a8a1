"""Admission gate, batcher and row-count validation of `scorehost serve`, observed over HTTP with
the scorehost-test-delay TEST plugin (its outputs say which plugin call scored each row)."""
import json
import tempfile
import threading
import time
import unittest

from serving_harness import Server, test_delay_model


def run_concurrently(n, fn):
    """Runs fn(i) on n threads at once; returns the results in order (exceptions re-raised)."""
    results = [None] * n
    errors = []
    barrier = threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait(10)
            results[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]
    return results


def one_row(request_id, x=1.0, **extra):
    document = {"fields": ["id", "x"], "rows": [[request_id, str(x)]]}
    document.update(extra)
    return document


class ConcurrencyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def model(self, **settings):
        return test_delay_model(self.dir.name, **settings)

    def test_coalescing_and_zero_misassigned_rows_with_200_clients(self):
        model = self.model(delay_ms=1)
        with Server(model, BATCH_WORKERS=1) as server:
            def client(i):
                seen = []
                for k in range(3):
                    rid = "c%d-r%d" % (i, k)
                    rows = [[rid + "-%d" % j, str(i + j)] for j in range(1 + (i + k) % 3)]
                    status, body = server.post_json("/model/score", {"fields": ["id", "x"], "rows": rows})
                    self.assertEqual(status, 200, body)
                    fields = body["fields"]
                    self.assertEqual(fields, ["id_echo", "y", "batch_rows", "call_no"])
                    self.assertEqual(len(body["score"]), len(rows))
                    for sent, got in zip(rows, body["score"]):
                        self.assertEqual(got[0], sent[0], "row of another request")
                        self.assertEqual(float(got[1]), 2 * float(sent[1]))
                    seen.append((int(body["score"][0][3]), int(body["score"][0][2]), len(rows)))
                return seen
            results = [s for r in run_concurrently(200, client) for s in r]
        calls = {c for c, _, _ in results}
        coalesced = [b for _, b, n in results if b > n]
        self.assertLess(len(calls), len(results), "every request got its own plugin call")
        self.assertTrue(coalesced, "no batch held more than one request")

    def test_coalescing_respects_max_batch_size_and_scores_big_requests_whole(self):
        model = self.model(delay_ms=30)
        with Server(model, BATCH_WORKERS=1, MAX_BATCH_SIZE=4, SCORING_CONCURRENCY=32,
                    MAX_QUEUE_DELAY_US=200000) as server:
            results = run_concurrently(16, lambda i: server.post_json("/model/score", one_row("r%d" % i)))
            sizes = [int(body["score"][0][2]) for status, body in results]
            self.assertTrue(all(s <= 4 for s in sizes), sizes)
            self.assertTrue(any(s > 1 for s in sizes), sizes)
            big = {"fields": ["id", "x"], "rows": [["b%d" % j, str(j)] for j in range(10)]}
            status, body = server.post_json("/model/score", big)
            self.assertEqual(status, 200)
            self.assertEqual({r[2] for r in body["score"]}, {"10"})
            self.assertEqual([r[0] for r in body["score"]], ["b%d" % j for j in range(10)])

    def test_requests_with_different_options_are_never_merged(self):
        model = self.model(delay_ms=20, contributions="ALL")
        with Server(model, BATCH_WORKERS=1, SCORING_CONCURRENCY=32, SHAPLEY_ENABLE="true",
                    MAX_QUEUE_DELAY_US=100000) as server:
            kinds = [None, "ORIGINAL", "TRANSFORMED"]

            def client(i):
                kind = kinds[i % 3]
                extra = {"requestShapleyValueType": kind} if kind else {}
                status, body = server.post_json("/model/score", one_row("r%d" % i, i, **extra))
                self.assertEqual(status, 200, body)
                return int(body["score"][0][3]), kind, int(body["score"][0][2])
            results = run_concurrently(30, client)
        by_call = {}
        for call, kind, _ in results:
            by_call.setdefault(call, set()).add(kind)
        self.assertTrue(all(len(k) == 1 for k in by_call.values()), by_call)
        self.assertTrue(any(size > 1 for _, _, size in results), "nothing coalesced")

    def test_scoring_timeout_gives_503(self):
        model = self.model(delay_ms=2500)
        with Server(model, SCORING_CONCURRENCY=1, SCORING_TIMEOUT=1, BATCH_WORKERS=1) as server:
            first = {}
            t = threading.Thread(target=lambda: first.update(r=server.post_json("/model/score", one_row("a"))))
            t.start()
            time.sleep(0.3)
            start = time.time()
            status, headers, data = server.request("POST", "/model/score", one_row("b"))
            elapsed = time.time() - start
            self.assertEqual(status, 503, data)
            self.assertLess(elapsed, 1.6)
            self.assertGreater(elapsed, 0.6)
            detail = json.loads(data)["detail"]
            self.assertTrue(detail.startswith('503 SERVICE_UNAVAILABLE "'), detail)
            self.assertIn("SCORING_TIMEOUT", detail)
            self.assertEqual(headers.get("retry-after"), "1")
            t.join()
            self.assertEqual(first["r"][0], 200)

    def test_health_and_metadata_answer_while_every_slot_is_busy(self):
        model = self.model(delay_ms=1500)
        with Server(model, SCORING_CONCURRENCY=2, BATCH_WORKERS=0) as server:
            threads = [threading.Thread(target=server.post_json, args=("/model/score", one_row("r%d" % i)))
                       for i in range(6)]
            for t in threads:
                t.start()
            time.sleep(0.3)
            for path in ["/readyz", "/model/schema", "/model/capabilities", "/model/id"]:
                start = time.time()
                status, _, _ = server.request("GET", path)
                elapsed = time.time() - start
                self.assertEqual(status, 200)
                self.assertLess(elapsed, 0.05, path)
            for t in threads:
                t.join()

    def test_model_that_is_not_thread_safe_is_never_called_concurrently(self):
        model = self.model(delay_ms=5, thread_safe=False)
        for env in ({"BATCH_WORKERS": 4}, {"BATCH_WORKERS": 0, "SCORING_CONCURRENCY": 8}):
            with Server(model, **env) as server:
                results = run_concurrently(24, lambda i: server.post_json("/model/score", one_row("r%d" % i)))
                self.assertEqual({s for s, _ in results}, {200}, results)
                self.assertEqual(server.output().count("the model is not thread-safe"), 1)

    def test_direct_path_scores_in_parallel(self):
        model = self.model(delay_ms=400)
        with Server(model, BATCH_WORKERS=0, SCORING_CONCURRENCY=4) as server:
            start = time.time()
            results = run_concurrently(4, lambda i: server.post_json("/model/score", one_row("r%d" % i)))
            self.assertEqual({s for s, _ in results}, {200})
            self.assertEqual({b["score"][0][2] for _, b in results}, {"1"})
            self.assertLess(time.time() - start, 1.2)

    def test_a_bad_request_fails_alone_in_its_batch(self):
        model = self.model(delay_ms=20, fail_value="13")
        with Server(model, BATCH_WORKERS=1, SCORING_CONCURRENCY=16, MAX_QUEUE_DELAY_US=100000) as server:
            results = run_concurrently(12, lambda i: server.post_json("/model/score", one_row("r%d" % i, 13 if i == 5 else i)))
        for i, (status, body) in enumerate(results):
            if i == 5:
                self.assertEqual(status, 400, body)
                self.assertIn("refused by the test model", body["detail"])
            else:
                self.assertEqual(status, 200, body)
                self.assertEqual(body["score"][0][0], "r%d" % i)


class RowCountValidationTest(unittest.TestCase):
    """The seed's table: batching always errors; direct errors in strict, warns in warn; 0 rows
    returned always errors."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def check(self, row_delta, batch_workers, mode, expected_status):
        model = test_delay_model(self.dir.name, row_delta=row_delta)
        with Server(model, BATCH_WORKERS=batch_workers, SCORE_ROW_COUNT_VALIDATION=mode) as server:
            request = {"fields": ["id", "x"], "rows": [["a", "1"], ["b", "2"], ["c", "3"]]}
            status, body = server.post_json("/model/score", request)
            case = (row_delta, batch_workers, mode)
            self.assertEqual(status, expected_status, (case, body))
            if status == 500:
                got = max(0, 3 + row_delta)
                self.assertIn("returned %d score rows for 3 input rows" % got, body["detail"], case)
                self.assertTrue(body["detail"].startswith('500 INTERNAL_SERVER_ERROR "Failed scoring request due to: '))
            else:
                self.assertEqual(len(body["score"]), 3 + row_delta)
                self.assertIn("row count mismatch", server.output())
            # The server keeps serving.
            self.assertEqual(server.request("GET", "/readyz")[0], 200)

    def test_table(self):
        for workers in (1, 0):
            for mode in ("strict", "warn"):
                self.check(-1000, workers, mode, 500)  # zero rows returned: always an error
                direct_warn = workers == 0 and mode == "warn"
                self.check(-1, workers, mode, 200 if direct_warn else 500)
                self.check(+1, workers, mode, 200 if direct_warn else 500)


if __name__ == "__main__":
    unittest.main(verbosity=2)
