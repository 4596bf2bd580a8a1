"""One bad request never fails its batch-mates (issue 15, item 14): when a coalesced model call
fails, the batcher scores each of its requests again alone, so only the culprit gets an error (its
own) and the others their scores; each split is counted in scorehost_batch_splits_total. Black box:
the real `scorehost serve` and the scorehost-test-delay TEST plugin, whose outputs say which plugin
call scored each row (call_no) and how many rows that call had (batch_rows)."""
import re
import tempfile
import unittest

from concurrency_test import one_row, run_concurrently
from serving_harness import Server, test_delay_model

GOOD = 24
BAD = GOOD  # the index of the bad request among the GOOD + 1 sent together
ROUNDS = 3
# Large enough that all 25 requests coalesce, small enough to keep the test quick.
COALESCING = {"BATCH_WORKERS": 1, "SCORING_CONCURRENCY": 32, "MAX_BATCH_SIZE": 64, "MAX_QUEUE_DELAY_US": 300000}


def splits(server):
    status, _, data = server.request("GET", "/metrics")
    assert status == 200, status
    match = re.search(r"^scorehost_batch_splits_total (\S+)$", data.decode(), re.M)
    assert match, "scorehost_batch_splits_total missing from /metrics"
    return float(match.group(1))


class BatchIsolationTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def send_round(self, server, bad_x):
        """GOOD good 1-row requests and one bad one, sent at once; returns the results in order."""
        def send(i):
            return server.post_json("/model/score", one_row("r%d" % i, bad_x if i == BAD else i + 1))
        return run_concurrently(GOOD + 1, send)

    def assert_good_ones_scored_alone_correctly(self, results):
        coalesced = False
        for i, (status, body) in enumerate(results[:GOOD]):
            self.assertEqual(status, 200, (i, body))
            self.assertEqual(body["fields"], ["id_echo", "y", "batch_rows", "call_no"])
            row = body["score"][0]
            # Its own row: its id and 2 * its x, never a neighbour's.
            self.assertEqual(row[0], "r%d" % i)
            self.assertEqual(float(row[1]), 2.0 * (i + 1))
            coalesced = coalesced or int(row[2]) > 1
        return coalesced

    def check(self, model, bad_x, bad_status, bad_text, env=None):
        settings = dict(COALESCING, **(env or {}))
        with Server(model, **settings) as server:
            for round_no in range(ROUNDS):
                before = splits(server)
                results = self.send_round(server, bad_x)
                self.assert_good_ones_scored_alone_correctly(results)
                status, body = results[BAD]
                self.assertEqual(status, bad_status, body)
                self.assertIn(bad_text, body["detail"])
                # The bad request was coalesced with others (25 requests within 300 ms), so its
                # batch failed and was split at least once; a lone call is never split.
                self.assertGreaterEqual(splits(server) - before, 1, round_no)
            self.assertIn("scoring them one by one", server.output())

    def test_an_error_status_fails_only_the_culprit(self):
        model = test_delay_model(self.dir.name, delay_ms=20, fail_value="13.5")
        self.check(model, 13.5, 400, "x=13.5 is refused by the test model")

    def test_a_wrong_row_count_fails_only_the_culprit(self):
        model = test_delay_model(self.dir.name, delay_ms=20, short_value="7.25")
        for mode in ("strict", "warn"):
            # The batching path refuses any mismatch (the seed's table), now per request.
            self.check(model, 7.25, 500, "returned 0 score rows for 1 input rows",
                       {"SCORE_ROW_COUNT_VALIDATION": mode})

    def test_unavailable_batch_is_retried_request_by_request(self):
        # The first plugin call fails UNAVAILABLE (a worker restarting); the requests it held are
        # scored again alone and all succeed.
        model = test_delay_model(self.dir.name, delay_ms=20, unavailable_calls=1)
        with Server(model, **COALESCING) as server:
            results = run_concurrently(GOOD, lambda i: server.post_json("/model/score", one_row("r%d" % i, i + 1)))
            self.assert_good_ones_scored_alone_correctly(results + [None])
            self.assertEqual(splits(server), 1)

    def test_a_lone_request_is_not_retried(self):
        model = test_delay_model(self.dir.name, fail_value="13.5")
        with Server(model, **COALESCING) as server:
            status, body = server.post_json("/model/score", one_row("alone", 13.5))
            self.assertEqual(status, 400, body)
            status, body = server.post_json("/model/score", one_row("next", 1))
            self.assertEqual(status, 200, body)
            self.assertEqual(body["score"][0][3], "2")  # one call for the bad request, one for this
            self.assertEqual(splits(server), 0)


if __name__ == "__main__":
    unittest.main()
