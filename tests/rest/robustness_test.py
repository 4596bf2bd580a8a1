"""Hostile and unusual HTTP clients against `scorehost serve`: oversized bodies, lying
Content-Length, huge headers, chunked bodies, slow readers, vanishing clients."""
import json
import os
import socket
import tempfile
import threading
import time
import unittest

from serving_harness import Server, test_delay_model


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def vm_size_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    return 0


def read_response(sock, timeout=10):
    """Reads until the peer closes or a full response (by Content-Length) has arrived."""
    sock.settimeout(timeout)
    data = b""
    while True:
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if length and len(body) >= int(length[0].split(b":")[1]):
                return data
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return data
        if not chunk:
            return data
        data += chunk


def post_head(length, extra=b""):
    return (b"POST /model/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
            b"Content-Length: " + str(length).encode() + b"\r\n\r\n")


class RobustnessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        model = test_delay_model(cls.dir.name, delay_ms=0)
        cls.server = Server(model, MAX_BODY_SIZE=1 << 20)

    @classmethod
    def tearDownClass(cls):
        start = time.time()
        rc = cls.server.terminate()
        # Responses to clients that vanished never settle in Pistache; the drain must not wait
        # for them until DRAIN_TIMEOUT.
        assert time.time() - start < 5, "drain waited for vanished clients"
        cls.server.__exit__(None, None, None)
        cls.dir.cleanup()
        assert rc == 0, rc

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=10)

    def assert_alive(self):
        self.assertEqual(self.server.request("GET", "/readyz", timeout=5)[0], 200)

    def test_hostile_content_length_is_413_without_reserving_memory(self):
        pid = self.server.process.pid
        before = vm_size_kb(pid)
        sockets = []
        for _ in range(50):
            s = self.connect()
            s.sendall(post_head(8000000000))
            sockets.append(s)
        for s in sockets:
            data = read_response(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:100])
            self.assertIn(b"Connection: close", data)
            body = json.loads(data.partition(b"\r\n\r\n")[2])
            self.assertIn("MAX_BODY_SIZE", body["detail"])
            self.assertEqual(s.recv(10), b"")  # closed after the answer
            s.close()
        self.assertLess(vm_size_kb(pid) - before, 1 << 20, "VmSize grew by more than 1 GiB")
        for bogus in (b"-5", b"99999999999999999999", b"abc"):
            with self.connect() as s:
                s.sendall(b"POST /model/score HTTP/1.1\r\nHost: x\r\nContent-Length: " + bogus + b"\r\n\r\n")
                data = read_response(s)
                self.assertRegex(data[:12], rb"HTTP/1.1 4\d\d", data[:200])
        self.assert_alive()

    def test_oversized_body_is_one_413_and_no_cpu_burn(self):
        pid = self.server.process.pid
        cpu_before = cpu_seconds(pid)
        body = b'{"fields":["id","x"],"rows":[' + b'["a","1"],' * 400000 + b'["a","1"]]}'  # ~4 MB
        with self.connect() as s:
            s.sendall(post_head(len(body)))
            start = time.time()
            try:
                s.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = read_response(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
            self.assertEqual(data.count(b"HTTP/1.1"), 1)
            self.assertLess(time.time() - start, 3)
        # Chunked: no Content-Length to check up front, so the running count must catch it.
        with self.connect() as s:
            s.sendall(b"POST /model/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                for i in range(0, len(body), 65536):
                    piece = body[i:i + 65536]
                    s.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = read_response(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        self.assertLess(cpu_seconds(pid) - cpu_before, 2.0, "the server burned CPU on oversized bodies")
        self.assert_alive()

    def test_body_under_the_limit_is_scored(self):
        rows = [["r%d" % i, str(i)] for i in range(30000)]  # ~0.6 MB, under the 1 MiB limit
        status, body = self.server.post_json("/model/score", {"fields": ["id", "x"], "rows": rows})
        self.assertEqual(status, 200)
        self.assertEqual(len(body["score"]), 30000)
        self.assertEqual(body["score"][-1][0], "r29999")

    def test_expect_100_continue_is_answered(self):
        payload = json.dumps({"fields": ["id", "x"], "rows": [["a", "1"]]}).encode()
        with self.connect() as s:
            s.sendall(post_head(len(payload), b"Expect: 100-continue\r\n"))
            s.settimeout(0.5)
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 100 Continue"))
            s.sendall(payload)
            self.assertTrue(read_response(s).startswith(b"HTTP/1.1 200"))
        with self.connect() as s:  # too large: refused before the client sends the body
            s.sendall(post_head(5 << 20, b"Expect: 100-continue\r\n"))
            self.assertTrue(read_response(s).startswith(b"HTTP/1.1 413"))

    def test_huge_headers_are_refused(self):
        with self.connect() as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n")
            data = read_response(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 431"), data[:100])
        self.assert_alive()

    def test_chunked_request_is_scored(self):
        payload = json.dumps({"fields": ["id", "x"], "rows": [["a", "1"], ["b", "2"]]}).encode()
        with self.connect() as s:
            s.sendall(b"POST /model/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            s.sendall(b"%x\r\n%s\r\n" % (10, payload[:10]))
            s.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload) - 10, payload[10:]))
            data = read_response(s)
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
            self.assertEqual(json.loads(data.partition(b"\r\n\r\n")[2])["score"][1][0], "b")

    def test_garbage_and_disconnects_do_not_hurt(self):
        for junk in [b"HELLO\r\n\r\n", b"\x16\x03\x01\x02\x00", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                     b"POST /model/score HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"fie"]:
            with self.connect() as s:
                s.sendall(junk)
        # 50 clients that send a scoring request and vanish before the answer.
        payload = json.dumps({"fields": ["id", "x"], "rows": [["a", "1"]]}).encode()
        for _ in range(50):
            s = self.connect()
            s.sendall(post_head(len(payload)) + payload)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # RST
        self.assert_alive()
        status, body = self.server.post_json("/model/score", {"fields": ["id", "x"], "rows": [["z", "1"]]})
        self.assertEqual((status, body["score"][0][0]), (200, "z"))

    def test_slow_reader_gets_a_complete_response_and_others_are_served(self):
        rows = [["row-%06d" % i, str(i)] for i in range(25000)]
        payload = json.dumps({"fields": ["id", "x"], "rows": rows}).encode()
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.server.port))
        s.sendall(post_head(len(payload)) + payload)
        received = b""
        latencies = []
        deadline = time.time() + 60
        while time.time() < deadline:
            s.settimeout(10)
            chunk = s.recv(2048)
            if not chunk:
                break
            received += chunk
            if len(latencies) < 5 and len(received) > 8192 * (len(latencies) + 1):
                start = time.time()
                self.assertEqual(self.server.request("GET", "/readyz", timeout=5)[0], 200)
                latencies.append(time.time() - start)
            head, _, body = received.partition(b"\r\n\r\n")
            if body and len(body) >= int([l for l in head.split(b"\r\n")
                                          if l.lower().startswith(b"content-length")][0].split(b":")[1]):
                break
            time.sleep(0.002)
        s.close()
        body = json.loads(received.partition(b"\r\n\r\n")[2])
        self.assertEqual(len(body["score"]), 25000)
        self.assertEqual(body["score"][12345][0], "row-012345")
        self.assertTrue(latencies)
        self.assertLess(max(latencies), 0.5, latencies)


if __name__ == "__main__":
    unittest.main(verbosity=2)
