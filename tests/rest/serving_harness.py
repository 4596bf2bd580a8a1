"""Starts the real `scorehost serve` on 127.0.0.1 and talks HTTP to it (Python stdlib only).

Configured by environment variables that CTest sets (see CMakeLists.txt):
  SCOREHOST_BIN        the scorehost executable
  EXAMPLE_MODEL        the bundled example-linear model
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

SCOREHOST = os.environ.get("SCOREHOST_BIN", "scorehost")
EXAMPLE_MODEL = os.environ.get("EXAMPLE_MODEL", "")


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ThreadSanitizer")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_delay_model(directory, **settings):
    """Writes a .testdelay artifact for the scorehost-test-delay TEST plugin."""
    path = os.path.join(directory, "model-%d.testdelay" % len(os.listdir(directory)))
    with open(path, "w") as f:
        for key, value in settings.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            f.write("%s=%s\n" % (key, value))
    return path


class Server:
    """One `scorehost serve` process. Use as a context manager."""

    def __init__(self, model_path, wait_ready=True, **env):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="scorehost-serve-", suffix=".log", delete=False)
        environment = dict(os.environ)
        environment.update({"MODEL_PATH": model_path, "PORT": str(self.port), "HOST": "127.0.0.1",
                            "LOG_LEVEL": environment.get("LOG_LEVEL", "INFO"), "DRAIN_TIMEOUT": "20"})
        environment.update({k: str(v) for k, v in env.items()})
        self.process = subprocess.Popen([SCOREHOST, "serve"], env=environment, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        if wait_ready:
            self.wait_ready()

    def wait_ready(self, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("scorehost serve exited with %s:\n%s" % (self.process.returncode, self.output()))
            try:
                status, _, _ = self.request("GET", "/readyz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("scorehost serve not ready after %ss:\n%s" % (timeout, self.output()))

    def output(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """Returns (status, headers dict with lower-case names, body bytes)."""
        conn = self.connection(timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def post_json(self, path, document, timeout=30):
        status, headers, data = self.request("POST", path, document, timeout=timeout)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        return status, parsed

    def get_json(self, path):
        status, _, data = self.request("GET", path)
        return status, json.loads(data)

    def terminate(self, timeout=30):
        """SIGTERM and wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("scorehost serve did not exit after SIGTERM:\n" + self.output())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.terminate()
        self.log.close()
        # In the sanitizer build a report is a failure even when every HTTP answer was right.
        output = self.output()
        for marker in SANITIZER_MARKERS:
            if marker in output:
                print("server log kept at", self.log.name)
                raise AssertionError("sanitizer report from scorehost serve:\n" + output[-4000:])
        if exc[0] is None:
            os.unlink(self.log.name)
        else:
            print("server log kept at", self.log.name)
