"""Scale-out: three `scorehost serve` replicas behind nginx on 127.0.0.1, under load, while one
replica is killed (SIGKILL) and restarted and another is stopped gracefully (SIGTERM, drain) and
restarted. The seed scales this way (replicas behind a load balancer).

The client is the official scoring client's policy (h2o_mlops_scoring_client, see
shared/reference/api.md §5.1): a requests.Session whose POSTs retry through urllib3's
Retry(total=10, status_forcelist=[404, 502, 503, 504], backoff_factor=0.2, allowed_methods=["POST"]),
60 s timeout. nginx uses its defaults for POST (it moves to the next replica only when a
connection cannot be made; a request already sent to a replica that dies comes back as 502), so
both recovery paths are exercised.

Passes when: every request ends 200 with exactly the reference answer for its rows (reference =
one replica's answer before the load, itself checked against `scorehost score`), no request
exhausts its retries, the killed replica served traffic before the kill and again after its
restart, the gracefully stopped replica exited 0, and the failure was real (nginx logged failed
upstream attempts, the client retried).

The load is driven by events, not by a request count: warm-up, kill, restart, 1.5 s, drain,
restart, then TAIL_S more seconds of load, so the restarted replicas get traffic back whatever the
machine's speed (the sanitizer build is several times slower). Bounded: MAX_REQUESTS requests or
DEADLINE_S seconds, whichever comes first; the test fails if a bound cuts the scenario short.
"""
import csv
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

SCOREHOST = os.environ["SCOREHOST_BIN"]
SOURCE = os.environ["SCOREHOST_SOURCE_DIR"]
HEALTHCHECK = os.path.join(SOURCE, "packaging", "docker", "healthcheck.sh")
MODEL = os.path.join(SOURCE, "plugins", "example-linear", "models", "iris-virginica.linear")
DATA = os.path.join(SOURCE, "plugins", "example-linear", "models", "iris.csv")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WARMUP_REQUESTS = 500
TAIL_S = 3.0
MAX_REQUESTS = 100_000
CLIENT_THREADS = 8
DEADLINE_S = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def official_client_session():
    """The scoring client's POST session: same Retry, same methods (urllib3 applies it)."""
    s = requests.Session()
    retry = Retry(total=10, status_forcelist=[404, 502, 503, 504], backoff_factor=0.2, allowed_methods=["POST"])
    s.mount("http://", HTTPAdapter(max_retries=retry))
    return s


class Replica:
    def __init__(self, tmp, index):
        self.port = free_port()
        self.index = index
        self.log_path = os.path.join(tmp, f"replica{index}.log")
        self.proc = None
        self.generation = 0

    def start(self):
        self.generation += 1
        log = open(self.log_path, "a")
        log.write(f"--- start {self.generation}\n")
        log.flush()
        # Small pool and batch window so the replicas also batch under this load.
        self.proc = subprocess.Popen(
            [SCOREHOST, "serve", "--model-path", MODEL, "--host", "127.0.0.1", "--port", str(self.port),
             "--drain-timeout", "10"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "LOG_LEVEL": "WARNING"})
        log.close()

    def ready(self):
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"replica {self.index} exited {self.proc.returncode}: {self.log()}")
            if self.ready():
                return
            time.sleep(0.05)
        raise AssertionError(f"replica {self.index} not ready in {timeout} s: {self.log()}")

    def log(self):
        with open(self.log_path) as f:
            return f.read()[-3000:]


class ScaleOutTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="scorehost-scaleout-")
        os.chmod(self.tmp, 0o755)
        self.replicas = [Replica(self.tmp, i) for i in range(3)]
        self.nginx = None
        for r in self.replicas:
            r.start()
        for r in self.replicas:
            r.wait_ready()
        self.lb_port = free_port()
        self.start_nginx()

    def tearDown(self):
        for r in self.replicas:
            if r.proc and r.proc.poll() is None:
                r.proc.kill()
                r.proc.wait()
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_nginx(self):
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.tmp, d), mode=0o777)
            os.chmod(os.path.join(self.tmp, d), 0o777)  # workers drop to "nobody" when run as root
        upstreams = "\n".join(f"    server 127.0.0.1:{r.port} max_fails=1 fail_timeout=1s;" for r in self.replicas)
        conf = f"""
worker_processes 1;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format up '$msec $status $request_uri "$upstream_addr" "$upstream_status"';
  access_log {self.tmp}/access.log up;
  client_body_temp_path {self.tmp}/body;
  proxy_temp_path {self.tmp}/proxy;
  fastcgi_temp_path {self.tmp}/fastcgi;
  uwsgi_temp_path {self.tmp}/uwsgi;
  scgi_temp_path {self.tmp}/scgi;
  upstream scorehost {{
{upstreams}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.lb_port};
    location / {{
      proxy_pass http://scorehost;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""
        path = os.path.join(self.tmp, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.nginx = subprocess.Popen([NGINX, "-p", self.tmp, "-e", os.path.join(self.tmp, "error.log"),
                                       "-c", path, "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                raise AssertionError(f"nginx exited: {self.nginx.stderr.read().decode()}")
            try:
                if requests.get(f"http://127.0.0.1:{self.lb_port}/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError("nginx did not come up")

    def reference_answers(self, fields, rows):
        """One replica's answer for every row, checked against `scorehost score` (CSV path)."""
        r = requests.post(f"http://127.0.0.1:{self.replicas[0].port}/model/score",
                          json={"fields": fields, "rows": rows}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        body = r.json()
        self.assertEqual(len(body["score"]), len(rows))
        out_csv = os.path.join(self.tmp, "reference.csv")
        subprocess.run([SCOREHOST, "score", "--model", MODEL, "--input", DATA, "--output", out_csv, "--quiet"],
                       check=True)
        with open(out_csv) as f:
            csv_rows = list(csv.reader(f))[1:]
        self.assertEqual(len(csv_rows), len(rows))
        for rest_row, csv_row in zip(body["score"], csv_rows):
            for a, b in zip(rest_row, csv_row):
                self.assertAlmostEqual(float(a), float(b), delta=1e-9 * max(1.0, abs(float(b))))
        return body["fields"], body["score"]

    def test_kill_and_restart_under_load_loses_nothing(self):
        with open(DATA) as f:
            table = list(csv.reader(f))
        fields, rows = table[0][:4], [row[:4] for row in table[1:]]
        out_fields, expected = self.reference_answers(fields, rows)

        url = f"http://127.0.0.1:{self.lb_port}/model/score"
        lock = threading.Lock()
        state = {"sent": 0, "done": 0, "wrong": [], "lost": [], "retried_requests": 0, "retries": 0}
        stop_at = time.monotonic() + DEADLINE_S
        stop = threading.Event()

        def client(seed):
            rng = random.Random(seed)
            session = official_client_session()
            while not stop.is_set() and time.monotonic() < stop_at:
                with lock:
                    if state["sent"] >= MAX_REQUESTS:
                        return
                    state["sent"] += 1
                picks = [rng.randrange(len(rows)) for _ in range(rng.randint(1, 5))]
                try:
                    resp = session.post(url, json={"fields": fields, "rows": [rows[i] for i in picks]}, timeout=60)
                except requests.RequestException as e:  # retries exhausted, or a non-retried failure
                    with lock:
                        state["lost"].append(repr(e)[:300])
                    continue
                history = resp.raw.retries.history if resp.raw.retries else ()
                ok = resp.status_code == 200
                if ok:
                    body = resp.json()
                    ok = body.get("fields") == out_fields and body.get("score") == [expected[i] for i in picks]
                with lock:
                    state["done"] += 1
                    if history:
                        state["retried_requests"] += 1
                        state["retries"] += len(history)
                    if not ok:
                        state["wrong"].append(f"{resp.status_code} {resp.text[:300]}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
        started = time.monotonic()
        for t in threads:
            t.start()

        def load_for(seconds):
            end = time.monotonic() + seconds
            while time.monotonic() < end and time.monotonic() < stop_at:
                time.sleep(0.01)

        # 1. SIGKILL replica 0 mid-load: requests in flight on it come back 502 through nginx.
        victim = self.replicas[0]
        while state["done"] < WARMUP_REQUESTS and time.monotonic() < stop_at:
            time.sleep(0.01)
        old_pid = victim.proc.pid
        self.assertEqual(subprocess.run(["bash", HEALTHCHECK, str(victim.port)]).returncode, 0)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        self.assertNotEqual(subprocess.run(["bash", HEALTHCHECK, str(victim.port)]).returncode, 0)
        done_at_kill = state["done"]
        time.sleep(1.0)  # down for a while: nginx must route around it
        victim.start()
        victim.wait_ready()
        self.assertNotEqual(victim.proc.pid, old_pid)
        restarted_at = state["done"]
        restarted_wall = time.time()

        # 2. SIGTERM replica 1: it drains (in-flight requests finish), exits 0, is restarted.
        load_for(1.5)
        graceful = self.replicas[1]
        term_at = time.monotonic()
        graceful.proc.send_signal(signal.SIGTERM)
        self.assertEqual(graceful.proc.wait(timeout=30), 0, graceful.log())
        drain_s = time.monotonic() - term_at
        drain_log = [l for l in graceful.log().splitlines() if "drain" in l]
        graceful.start()
        graceful.wait_ready()
        load_for(TAIL_S)
        stop.set()
        events_done_in_time = time.monotonic() < stop_at and state["sent"] < MAX_REQUESTS

        for t in threads:
            t.join(timeout=DEADLINE_S + 60)
        elapsed = time.monotonic() - started

        self.nginx.send_signal(signal.SIGQUIT)  # flush and close the access log
        self.nginx.wait(timeout=10)
        # nginx's view: per request, the upstream(s) tried and their statuses.
        entries = []
        with open(os.path.join(self.tmp, "access.log")) as f:
            for line in f:
                head, addrs, _, statuses, _ = line.split('"')
                msec, status, uri = head.split()
                if uri == "/model/score":
                    entries.append((float(msec), int(status), addrs.split(", "), statuses.split(", ")))
        victim_addr = f"127.0.0.1:{victim.port}"
        failed_attempts = sum(1 for e in entries for st in e[3] if st != "200")
        victim_before = sum(1 for e in entries if e[2][-1] == victim_addr and e[1] == 200 and e[0] < restarted_wall - 1)
        victim_after = sum(1 for e in entries if e[2][-1] == victim_addr and e[1] == 200 and e[0] > restarted_wall)

        print(f"\nscale-out: {state['done']} requests in {elapsed:.1f} s ({state['done'] / elapsed:.0f}/s) through "
              f"nginx from {CLIENT_THREADS} clients; replica 0 SIGKILLed after {done_at_kill} requests and back after "
              f"{restarted_at}; replica 1 drained and restarted; the client retried {state['retried_requests']} "
              f"requests ({state['retries']} retries); nginx: {len(entries)} score requests, {failed_attempts} failed "
              f"upstream attempts, replica 0 answered {victim_before} before its kill and {victim_after} after its "
              f"restart; replica 1 exited {drain_s:.1f} s after SIGTERM {drain_log[-2:]}", file=sys.stderr)

        self.assertEqual(state["lost"], [], "requests that exhausted the client's retries")
        self.assertEqual(state["wrong"], [], "wrong or failed answers")
        self.assertTrue(events_done_in_time, "a bound (time or request count) cut the scenario short")
        self.assertEqual(state["done"], state["sent"])
        self.assertGreater(state["done"] - restarted_at, 0, "no load after the restart")
        self.assertGreaterEqual(len(entries), state["done"])
        # The failures really happened under load, and traffic came back to the restarted replica.
        self.assertGreater(failed_attempts + state["retries"], 0, "the kill did not hit the load")
        self.assertGreater(victim_before, 0)
        self.assertGreater(victim_after, 0, "the restarted replica got no traffic back")


if __name__ == "__main__":
    unittest.main(verbosity=2)
