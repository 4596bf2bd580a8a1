"""GET /metrics (Prometheus text exposition format, parsed strictly here) and the structured logs
(LOG_FORMAT, X-Request-ID, the masked start-up configuration) of `scorehost serve`."""
import json
import math
import re
import tempfile
import threading
import unittest

from serving_harness import EXAMPLE_MODEL, Server, test_delay_model

IRIS_ROW = {"fields": ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"],
            "rows": [["6.3", "3.3", "6.0", "2.5"]]}

# ---- a strict parser of the text exposition format 0.0.4 ------------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABELS = r"\{(?:%s=%s(?:,%s=%s)*)?\}" % (LABEL_NAME, LABEL_VALUE, LABEL_NAME, LABEL_VALUE)
VALUE = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)"
SAMPLE_RE = re.compile(r"^(%s)(%s)? (%s)(?: -?\d+)?$" % (NAME, LABELS, VALUE))
HELP_RE = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
LABEL_PAIR_RE = re.compile(r"(%s)=(%s)" % (LABEL_NAME, LABEL_VALUE))


def unescape(quoted):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted[1:-1])


def parse_value(text):
    if text in ("+Inf", "-Inf"):
        return math.inf if text[0] == "+" else -math.inf
    return float(text)


class Exposition:
    """families: name -> {"type", "help", "samples": [(sample name, labels dict, value)]}"""

    def __init__(self, text, test):
        self.families = {}
        test.assertTrue(text.endswith("\n"), "exposition must end with a newline")
        current = None
        seen_series = set()
        for number, line in enumerate(text.split("\n")[:-1], 1):
            where = "line %d: %r" % (number, line)
            test.assertNotEqual(line.strip(), "", where)
            if line.startswith("#"):
                m = HELP_RE.match(line)
                if m:
                    test.assertNotIn(m.group(1), self.families, "HELP twice / family split: " + where)
                    current = m.group(1)
                    self.families[current] = {"help": m.group(2), "type": None, "samples": []}
                    continue
                m = TYPE_RE.match(line)
                test.assertTrue(m, "bad comment " + where)
                test.assertEqual(m.group(1), current, "TYPE must follow its HELP: " + where)
                test.assertIsNone(self.families[current]["type"], where)
                self.families[current]["type"] = m.group(2)
                continue
            m = SAMPLE_RE.match(line)
            test.assertTrue(m, "bad sample " + where)
            name, label_text, value = m.group(1), m.group(2) or "", m.group(3)
            test.assertIsNotNone(current, "sample before any TYPE: " + where)
            family = self.families[current]
            allowed = {current}
            if family["type"] == "histogram":
                allowed = {current + "_bucket", current + "_sum", current + "_count"}
            elif family["type"] == "counter":
                test.assertTrue(current.endswith("_total"), "counter names end in _total: " + current)
            test.assertIn(name, allowed, "sample outside its family: " + where)
            labels = {}
            for k, v in LABEL_PAIR_RE.findall(label_text):
                test.assertNotIn(k, labels, "duplicate label " + where)
                labels[k] = unescape(v)
            series = (name, tuple(sorted(labels.items())))
            test.assertNotIn(series, seen_series, "duplicate series " + where)
            seen_series.add(series)
            family["samples"].append((name, labels, parse_value(value)))
        for name, family in self.families.items():
            test.assertIsNotNone(family["type"], name + " has no TYPE")
            test.assertTrue(family["help"], name + " has no HELP text")
            if family["type"] == "histogram":
                self._check_histogram(name, family, test)

    def _check_histogram(self, name, family, test):
        groups = {}
        for sample, labels, value in family["samples"]:
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            groups.setdefault(key, {"buckets": [], "sum": None, "count": None})
            if sample.endswith("_bucket"):
                test.assertIn("le", labels, name)
                groups[key]["buckets"].append((parse_value(labels["le"]), value))
            elif sample.endswith("_sum"):
                groups[key]["sum"] = value
            else:
                groups[key]["count"] = value
        for key, g in groups.items():
            where = "%s%s" % (name, dict(key))
            bounds = [b for b, _ in g["buckets"]]
            counts = [c for _, c in g["buckets"]]
            test.assertTrue(bounds, where + " has no buckets")
            test.assertEqual(bounds[-1], math.inf, where + " must end in le=\"+Inf\"")
            test.assertEqual(bounds, sorted(bounds), where + " buckets out of order")
            test.assertEqual(len(set(bounds)), len(bounds), where)
            test.assertEqual(counts, sorted(counts), where + " buckets must be cumulative")
            test.assertIsNotNone(g["sum"], where + " has no _sum")
            test.assertIsNotNone(g["count"], where + " has no _count")
            test.assertEqual(g["count"], counts[-1], where + " _count != +Inf bucket")

    def value(self, family, sample=None, **labels):
        """The value of one series; 0 when absent."""
        for name, l, v in self.families[family]["samples"]:
            if name == (sample or family) and l == labels:
                return v
        return 0.0

    def histogram(self, family, **labels):
        return {"count": self.value(family, family + "_count", **labels),
                "sum": self.value(family, family + "_sum", **labels)}


def scrape(test, server):
    status, headers, data = server.request("GET", "/metrics")
    test.assertEqual(status, 200, data)
    test.assertTrue(headers["content-type"].startswith("text/plain"), headers["content-type"])
    test.assertIn("version=0.0.4", headers["content-type"])
    return Exposition(data.decode("utf-8"), test)


def load(server, n, threads=4, document=IRIS_ROW, path="/model/score"):
    """n requests over `threads` keep-alive connections; returns the statuses."""
    statuses = []
    lock = threading.Lock()

    def worker(count):
        conn = server.connection()
        try:
            for _ in range(count):
                conn.request("POST", path, body=json.dumps(document), headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses.append(response.status)
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, args=(n // threads + (i < n % threads),)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    return statuses


class MetricsTest(unittest.TestCase):
    def test_exposition_parses_and_histograms_move_under_load(self):
        with Server(EXAMPLE_MODEL, BATCH_WORKERS=1, MAX_QUEUE_DELAY_US=200) as server:
            before = scrape(self, server)
            for family, kind in [("scorehost_requests_total", "counter"),
                                 ("scorehost_request_duration_seconds", "histogram"),
                                 ("scorehost_queue_duration_seconds", "histogram"),
                                 ("scorehost_compute_duration_seconds", "histogram"),
                                 ("scorehost_batch_size_rows", "histogram"),
                                 ("scorehost_batch_size_requests", "histogram"),
                                 ("scorehost_inflight_requests", "gauge"),
                                 ("scorehost_queued_requests", "gauge"),
                                 ("scorehost_scoring_slots_in_use", "gauge"),
                                 ("scorehost_scoring_slots", "gauge"),
                                 ("scorehost_unavailable_total", "counter"),
                                 ("scorehost_row_count_validation_failures_total", "counter"),
                                 ("scorehost_model_load_duration_seconds", "gauge"),
                                 ("scorehost_model_info", "gauge"),
                                 ("process_start_time_seconds", "gauge")]:
                self.assertIn(family, before.families)
                self.assertEqual(before.families[family]["type"], kind, family)
            self.assertGreater(before.value("scorehost_model_load_duration_seconds"), 0)
            self.assertEqual(before.value("scorehost_scoring_slots"), 4)
            reasons = {l["reason"] for _, l, _ in before.families["scorehost_unavailable_total"]["samples"]}
            self.assertEqual(reasons, {"pool_timeout", "queue_full", "shutting_down", "worker_unavailable",
                                       "model_loading"})

            n = 240
            statuses = load(server, n)
            self.assertEqual(statuses, [200] * n)
            self.assertEqual(server.request("GET", "/no/such/path")[0], 404)
            self.assertEqual(server.post_json("/model/score", {"fields": ["x"], "rows": "no"})[0], 400)
            after = scrape(self, server)

            score = dict(endpoint="/model/score")
            self.assertEqual(after.value("scorehost_requests_total", code="200", **score)
                             - before.value("scorehost_requests_total", code="200", **score), n)
            self.assertEqual(after.value("scorehost_requests_total", endpoint="/model/score", code="400"), 1)
            self.assertEqual(after.value("scorehost_requests_total", endpoint="other", code="404"), 1)
            self.assertGreaterEqual(after.value("scorehost_requests_total", endpoint="/metrics", code="200"), 1)
            d0 = before.histogram("scorehost_request_duration_seconds", **score)
            d1 = after.histogram("scorehost_request_duration_seconds", **score)
            self.assertEqual(d1["count"] - d0["count"], n + 1)  # the 400 is timed too
            self.assertGreater(d1["sum"], d0["sum"])
            q0 = before.histogram("scorehost_queue_duration_seconds")
            q1 = after.histogram("scorehost_queue_duration_seconds")
            self.assertEqual(q1["count"] - q0["count"], n)
            c1 = after.histogram("scorehost_compute_duration_seconds")
            self.assertGreaterEqual(c1["count"], 1)
            self.assertLessEqual(c1["count"], n)
            self.assertGreater(c1["sum"], 0)
            rows = after.histogram("scorehost_batch_size_rows")
            self.assertEqual(rows["sum"], n)  # one row per request
            self.assertEqual(rows["count"], c1["count"])
            self.assertEqual(after.histogram("scorehost_batch_size_requests")["sum"], n)
            self.assertEqual(after.value("scorehost_inflight_requests"), 0)
            self.assertEqual(after.value("scorehost_queued_requests"), 0)
            # The +Inf bucket of a latency histogram must hold everything; some finite bucket too.
            buckets = [(l["le"], v) for name, l, v in after.families["scorehost_request_duration_seconds"]["samples"]
                       if name.endswith("_bucket") and l["endpoint"] == "/model/score"]
            self.assertGreater(buckets[-2][1], 0)

    def test_unavailable_reasons_and_row_count_failures(self):
        with tempfile.TemporaryDirectory() as directory:
            model = test_delay_model(directory, delay_ms=900, row_delta=1)
            with Server(model, SCORING_CONCURRENCY=1, SCORING_TIMEOUT=0.4, MAX_WAITING_REQUESTS=1,
                        SCORING_WARN_TIMEOUT=0.1, BATCH_WORKERS=0) as server:
                document = json.dumps({"fields": ["id", "x"], "rows": [["a", "1"]]})
                results = []
                barrier = threading.Barrier(3)

                def one(i):
                    barrier.wait(10)
                    results.append(server.request("POST", "/model/score", document,
                                                  {"Content-Type": "application/json",
                                                   "X-Request-ID": "req-%d" % i})[0])

                threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
                self.assertEqual(sorted(results), [500, 503, 503])
                m = scrape(self, server)
                self.assertEqual(m.value("scorehost_unavailable_total", reason="pool_timeout"), 1)
                self.assertEqual(m.value("scorehost_unavailable_total", reason="queue_full"), 1)
                self.assertEqual(m.value("scorehost_row_count_validation_failures_total", action="rejected"), 1)
                self.assertEqual(m.value("scorehost_requests_total", endpoint="/model/score", code="503"), 2)
                self.assertEqual(m.value("scorehost_requests_total", endpoint="/model/score", code="500"), 1)
                server.terminate()
                log = server.output()
                # The gate's WARN line names the request it is about.
                self.assertRegex(log, r"warning a scoring request has waited .* \[request_id=req-[0-2]\]")

    def test_metrics_can_be_turned_off(self):
        with Server(EXAMPLE_MODEL, METRICS_ENABLED="false") as server:
            self.assertEqual(server.post_json("/model/score", IRIS_ROW)[0], 200)
            self.assertEqual(server.request("GET", "/metrics")[0], 404)


class LogsTest(unittest.TestCase):
    def test_json_lines_request_ids_and_masked_secrets(self):
        with Server(EXAMPLE_MODEL, LOG_FORMAT="json", LOG_LEVEL="DEBUG",
                    DRIVERLESS_AI_LICENSE_KEY="sup3r-s3cret-licence") as server:
            status, headers, _ = server.request("POST", "/model/score", json.dumps(IRIS_ROW),
                                                {"Content-Type": "application/json", "X-Request-ID": "client-id-42"})
            self.assertEqual(status, 200)
            self.assertEqual(headers["x-request-id"], "client-id-42")
            status, headers, _ = server.request("POST", "/model/score", json.dumps(IRIS_ROW),
                                                {"Content-Type": "application/json"})
            self.assertEqual(status, 200)
            generated = headers["x-request-id"]
            self.assertRegex(generated, r"^[0-9a-f]{16}$")
            # A value unfit for logs is replaced, not echoed.
            _, headers, _ = server.request("GET", "/model/id", headers={"X-Request-ID": "bad id\"{}"})
            self.assertRegex(headers["x-request-id"], r"^[0-9a-f]{16}$")
            server.terminate()
            lines = server.output().splitlines()
        records = []
        for line in lines:
            record = json.loads(line)  # every line is one JSON object
            self.assertEqual(set(record) - {"request_id"}, {"time", "level", "msg"}, line)
            records.append(record)
        ids = [r.get("request_id") for r in records]
        self.assertIn("client-id-42", ids)
        self.assertIn(generated, ids)
        config = [r["msg"] for r in records if r["msg"].startswith("configuration:")]
        self.assertEqual(len(config), 1)
        self.assertIn("DRIVERLESS_AI_LICENSE_KEY=****", config[0])
        self.assertIn("LOG_FORMAT=json", config[0])
        self.assertNotIn("sup3r-s3cret-licence", "\n".join(lines))

    def test_logfmt_and_default_text(self):
        with Server(EXAMPLE_MODEL, LOG_FORMAT="logfmt") as server:
            server.terminate()
            lines = server.output().splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r'^time=\S+Z level=(debug|info|warning|error) msg=("(?:[^"\\]|\\.)*"|\S+)'
                                   r'( request_id=\S+)?$')
        with Server(EXAMPLE_MODEL) as server:
            server.request("GET", "/model/id")
            server.terminate()
            lines = server.output().splitlines()
        for line in lines:
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warning|error) ")


if __name__ == "__main__":
    unittest.main()
