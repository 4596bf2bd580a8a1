"""The CPack packages, built from this build tree and used the way a user would.

1. `cpack` makes the .deb and the .tar.gz (the project's install rules, packaging/cpack.cmake).
2. The .deb's control data and file list; every shared library any installed ELF file needs is
   provided by a package named in Depends (recomputed with readelf + dpkg -S, so a new link
   dependency that nobody declared fails here), and dpkg agrees the Depends are satisfiable.
3. The .deb unpacked with dpkg-deb -x into a scratch root: the installed `scorehost` finds its
   installed plugins (not the build tree's), lists runtimes, and scores the bundled example model
   and an H2O-3 MOJO exactly like the build tree does. `serve` too, when the build has it.
4. The .tar.gz unpacked anywhere works the same (plugins are found relative to the executable).
5. A clean Debian 12 (debootstrap minbase, prepared by .ci/packaging-deps.sh): `apt-get install
   ./scorehost_*.deb` pulls exactly the declared Depends from Debian, then the chrooted scorehost
   scores (and serves, when available) a MOJO.
6. The runtime stage of packaging/docker/Dockerfile.native executed in such a root (no Docker
   engine here): its RUN lines as written, then `scorehost serve` as its non-root USER, and its
   HEALTHCHECK command.

Skipped (exit 77, with the reason) in the sanitizer build: its binaries need libasan and are not
what anyone packages.
"""
import contextlib
import json
import os
import shlex
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BUILD = os.environ["SCOREHOST_BUILD_DIR"]
SOURCE = os.environ["SCOREHOST_SOURCE_DIR"]
CPACK = os.environ["CPACK_COMMAND"]
BUILD_BIN = os.environ["SCOREHOST_BIN"]
VERSION = os.environ["SCOREHOST_VERSION"]
ROOTFS = os.environ.get("SCOREHOST_DEB_ROOTFS") or os.path.join(
    os.environ.get("SCOREHOST_PKG_TOOLS_DIR") or os.path.expanduser("~/.cache/scorehost/pkg-tools"),
    "debian12-rootfs")
IN_CI = os.environ.get("CI", "").lower() == "true"

EXAMPLE_MODEL_REL = "share/scorehost/example-models/iris-virginica.linear"
EXAMPLE_INPUT = os.path.join(SOURCE, "plugins", "example-linear", "models", "iris.csv")
MOJO = os.path.join(SOURCE, "tests", "data", "mojoland", "mojos", "gbm", "iris", "v1.40", "gbm_v1.40_iris.mojo")
MOJO_INPUT = os.path.join(SOURCE, "tests", "data", "mojoland", "datasets", "iris.csv")


def run(cmd, **kw):
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def score_csv(binary, model, csv_in, out_path, env=None):
    run([binary, "score", "--model", model, "--input", csv_in, "--output", out_path, "--quiet"], env=env)
    with open(out_path) as f:
        return f.read()


def has_serve(binary):
    """Whether this build has `scorehost serve` (it is optional in the CMake build)."""
    text = run([binary, "--help"], check=False).stdout
    return any(line.split()[:1] == ["serve"] for line in text.partition("Subcommands:")[2].splitlines())


def unsatisfied(depends_field):
    """The Depends entries (with their version constraints) this machine's installed packages do
    not satisfy, by dpkg's own version comparison. Alternatives (a | b) need one satisfied."""
    bad = []
    for entry in depends_field.split(","):
        ok = False
        for alt in entry.split("|"):
            parts = alt.strip().replace("(", " ").replace(")", " ").split()
            name, constraint = parts[0], parts[1:]
            q = subprocess.run(["dpkg-query", "-W", "-f", "${Status}\t${Version}", name],
                               capture_output=True, text=True)
            if q.returncode != 0 or not q.stdout.startswith("install ok installed"):
                continue
            if not constraint:
                ok = True
                break
            op = {">=": "ge", "<=": "le", ">>": "gt", "<<": "lt", "=": "eq"}[constraint[0]]
            version = q.stdout.split("\t")[1]
            if subprocess.run(["dpkg", "--compare-versions", version, op, constraint[1]]).returncode == 0:
                ok = True
                break
        if not ok:
            bad.append(entry.strip())
    return bad


def http(method, url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@contextlib.contextmanager
def serving(cmd, port, env=None):
    """Runs `scorehost serve` (cmd), waits for /readyz 200, yields, then SIGTERM and checks exit 0."""
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"serve exited with {proc.returncode}:\n{log.read()}")
            try:
                if http("GET", f"http://127.0.0.1:{port}/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("serve never became ready")
            time.sleep(0.1)
        yield proc
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
        log.seek(0)
        assert rc == 0, f"serve exited with {rc} after SIGTERM:\n{log.read()}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def check_serve_scores(testcase, port):
    """GET /model/sample_request, POST it to /model/score: 200 and one answer row per input row."""
    status, text = http("GET", f"http://127.0.0.1:{port}/model/sample_request")
    testcase.assertEqual(status, 200, text)
    sample = json.loads(text)
    status, text = http("POST", f"http://127.0.0.1:{port}/model/score", sample)
    testcase.assertEqual(status, 200, text)
    answer = json.loads(text)
    testcase.assertEqual(len(answer["score"]), len(sample["rows"]), answer)


class DebPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="scorehost-pkg-")
        started = time.monotonic()
        out = os.path.join(cls.tmp, "out")
        # -B: packages and CPack's staging trees go to the scratch dir, not the build tree.
        run([CPACK, "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", out])
        print(f"cpack: {time.monotonic() - started:.1f} s", file=sys.stderr)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        tgzs = [f for f in os.listdir(out) if f.endswith(".tar.gz")]
        assert len(debs) == 1 and len(tgzs) == 1, os.listdir(out)
        cls.deb = os.path.join(out, debs[0])
        cls.tgz = os.path.join(out, tgzs[0])
        cls.root = os.path.join(cls.tmp, "root")
        run(["dpkg-deb", "-x", cls.deb, cls.root])
        cls.installed_bin = os.path.join(cls.root, "usr", "bin", "scorehost")
        cls.arch = run(["dpkg", "--print-architecture"]).stdout.strip()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def field(self, name):
        return run(["dpkg-deb", "-f", self.deb, name]).stdout.strip()

    def depends(self):
        return {d.strip().split(" ")[0] for d in self.field("Depends").split(",")}

    # ---- 2. metadata and contents
    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "scorehost")
        self.assertEqual(self.field("Version"), f"{VERSION}-1")
        self.assertEqual(self.field("Architecture"), self.arch)
        self.assertTrue(self.field("Maintainer"))
        self.assertEqual(os.path.basename(self.deb), f"scorehost_{VERSION}-1_{self.arch}.deb")
        for lib in ("libpistache0", "libsimdjson14", "libzip4", "libfmt9", "libspdlog1.10",
                    "libboost-filesystem1.74.0", "libc6", "libstdc++6"):
            self.assertIn(lib, self.depends())

    def test_contents_are_the_install_tree(self):
        listing = run(["dpkg-deb", "-c", self.deb]).stdout.splitlines()
        entries = {line.split()[-1] if " -> " not in line else line.split()[-3]: line for line in listing}
        runtime_dir = self.runtime_dir_in_package()
        for path in ("./usr/bin/scorehost", f"./{runtime_dir}/runtimes.toml", f"./{runtime_dir}/h2o3-mojo.so",
                     f"./{runtime_dir}/example-linear.so", f"./usr/{EXAMPLE_MODEL_REL}"):
            self.assertIn(path, entries)
        self.assertTrue(any(p.startswith("./usr/include/") and p.endswith(".h") for p in entries), "plugin API header")
        for path, line in entries.items():
            self.assertIn("root/root", line, path)  # no build user's uid leaks into the package
            self.assertFalse(path.startswith(("./usr/local", "./home", "./root", "./work")), path)
        self.assertTrue(entries["./usr/bin/scorehost"].startswith("-rwxr-xr-x"))

    def test_ships_exactly_the_product_plugins(self):
        # The plugins under plugins/ that this build made; test fixtures (tests/plugins/...) are
        # built with the same install rule and must be left out (packaging/cpack.cmake).
        product = set()
        for dirpath, _, files in os.walk(os.path.join(SOURCE, "plugins")):
            if "CMakeLists.txt" in files:
                with open(os.path.join(dirpath, "CMakeLists.txt")) as f:
                    product.update(re.findall(r"scorehost_add_plugin\(\s*([\w.-]+)", f.read()))
        built = set(os.listdir(os.path.join(BUILD, "bin", "runtimes")))
        expected = {p + ".so" for p in product if p + ".so" in built}
        self.assertIn("h2o3-mojo.so", expected)
        runtime_dir = os.path.join(self.root, self.runtime_dir_in_package())
        shipped = {f for f in os.listdir(runtime_dir) if f.endswith(".so")}
        self.assertEqual(shipped, expected)
        with tarfile.open(self.tgz) as t:
            in_tgz = {os.path.basename(n) for n in t.getnames() if "/runtimes/" in n and n.endswith(".so")}
        self.assertEqual(in_tgz, expected)

    def runtime_dir_in_package(self):
        for dirpath, _, files in os.walk(self.root):
            if "runtimes.toml" in files:
                return os.path.relpath(dirpath, self.root)
        self.fail("no runtimes.toml in the package")

    # ---- 2. dependencies
    def elf_files(self):
        for dirpath, _, files in os.walk(self.root):
            for f in files:
                p = os.path.join(dirpath, f)
                if not os.path.islink(p):
                    with open(p, "rb") as fh:
                        if fh.read(4) == b"\x7fELF":
                            yield p

    @staticmethod
    def owning_package(path):
        # Debian 12 is /usr-merged: a library may be registered under /lib or /usr/lib.
        candidates = {path, os.path.realpath(path)}
        for c in list(candidates):
            if c.startswith("/usr/"):
                candidates.add(c[4:])
            else:
                candidates.add("/usr" + c)
        for c in candidates:
            r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
            if r.returncode == 0:
                return r.stdout.split(":")[0].strip()
        return None

    def test_depends_cover_every_needed_library(self):
        ldconfig = {}
        for line in run(["ldconfig", "-p"]).stdout.splitlines()[1:]:
            soname, _, path = line.strip().partition(" => ")
            ldconfig.setdefault(soname.split(" ")[0], path)
        in_package = {os.path.basename(p) for p in self.elf_files()}
        declared = self.depends()
        missing = {}
        checked = 0
        for elf in self.elf_files():
            dyn = run(["readelf", "-d", elf]).stdout
            for line in dyn.splitlines():
                if "(NEEDED)" not in line:
                    continue
                soname = line.split("[", 1)[1].rstrip("]")
                self.assertNotIn("asan", soname, f"{elf} is a sanitizer build")
                if soname in in_package or soname.startswith("ld-linux"):
                    continue
                # libpython of the pyenv Pythons (python plugin workers) comes from no Debian
                # package; the Python image ships it (packaging/docker/Dockerfile.python).
                if soname.startswith("libpython3."):
                    continue
                self.assertIn(soname, ldconfig, f"{elf} needs {soname}, which this machine lacks")
                pkg = self.owning_package(ldconfig[soname])
                self.assertIsNotNone(pkg, f"{soname} ({ldconfig[soname]}) belongs to no package")
                checked += 1
                if pkg not in declared:
                    missing.setdefault(pkg, set()).add(f"{os.path.relpath(elf, self.root)} needs {soname}")
        self.assertGreater(checked, 5)
        self.assertEqual(missing, {}, "packages missing from CPACK_DEBIAN_PACKAGE_DEPENDS (packaging/cpack.cmake)")

    def test_depends_are_satisfied_by_debian12_packages(self):
        # Every declared dependency, version constraint included, is met by the packages of this
        # Debian 12 machine (the clean-root test below has apt resolve them from the archive).
        self.assertEqual(unsatisfied(self.field("Depends")), [])
        # The check does check: an unknown package and a too-new version are reported.
        self.assertEqual(unsatisfied("libc6 (>= 2.36), scorehost-no-such-library, libstdc++6 (>= 99)"),
                         ["scorehost-no-such-library", "libstdc++6 (>= 99)"])

    # ---- 3. the unpacked .deb works
    def test_installed_runtimes_come_from_the_installed_tree(self):
        out = run([self.installed_bin, "runtimes"]).stdout
        expected_dir = os.path.join(self.root, self.runtime_dir_in_package())
        self.assertIn(f"runtime directory: {expected_dir}", out)
        self.assertIn(f"manifest: {expected_dir}/runtimes.toml", out)
        rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
        self.assertTrue(rows["h2o3-mojo-scorer"].rstrip().endswith("available"), rows["h2o3-mojo-scorer"])
        self.assertTrue(rows["example-linear"].rstrip().endswith("available"), rows["example-linear"])
        # the python plugin's runtimes come from the installed tree too: available (its pinned env
        # files installed beside the workers) or listed with a reason, never dropped
        for name in ("dai-mojo-scorer", "python-scorer_hydrogen_torch_static_ht16"):
            self.assertRegex(rows[name].rstrip(), r"(\savailable|unavailable: .{10,})$", rows[name])

    def test_installed_scorehost_scores_like_the_build_tree(self):
        model = os.path.join(self.root, "usr", EXAMPLE_MODEL_REL)
        got = score_csv(self.installed_bin, model, EXAMPLE_INPUT, os.path.join(self.tmp, "a.csv"))
        want = score_csv(BUILD_BIN, model, EXAMPLE_INPUT, os.path.join(self.tmp, "b.csv"))
        self.assertEqual(got, want)
        self.assertEqual(len(got.splitlines()), 151)  # header + 150 iris rows
        got = score_csv(self.installed_bin, MOJO, MOJO_INPUT, os.path.join(self.tmp, "c.csv"))
        want = score_csv(BUILD_BIN, MOJO, MOJO_INPUT, os.path.join(self.tmp, "d.csv"))
        self.assertEqual(got, want)

    def test_installed_scorehost_serves_a_mojo(self):
        if not has_serve(self.installed_bin):
            self.skipTest("this build has no `scorehost serve` yet")
        port = free_port()
        with serving([self.installed_bin, "serve", "--model-path", MOJO, "--host", "127.0.0.1",
                      "--port", str(port)], port):
            check_serve_scores(self, port)

    # ---- 4. the tarball is relocatable
    def test_tarball_works_wherever_unpacked(self):
        dest = os.path.join(self.tmp, "some where", "else")
        os.makedirs(dest)
        with tarfile.open(self.tgz) as t:
            t.extractall(dest)
        (top,) = os.listdir(dest)
        self.assertEqual(top, f"scorehost-{VERSION}-Linux-{os.uname().machine}")
        binary = os.path.join(dest, top, "bin", "scorehost")
        out = run([binary, "runtimes"]).stdout
        self.assertIn(f"runtime directory: {os.path.join(dest, top)}", out)
        model = os.path.join(dest, top, EXAMPLE_MODEL_REL)
        got = score_csv(binary, model, EXAMPLE_INPUT, os.path.join(self.tmp, "t.csv"))
        want = score_csv(BUILD_BIN, model, EXAMPLE_INPUT, os.path.join(self.tmp, "u.csv"))
        self.assertEqual(got, want)

    # ---- 5. a clean Debian 12
    def test_apt_install_on_clean_debian12(self):
        started = time.monotonic()
        chroot = self.clean_debian12("chroot")
        shutil.copy(self.deb, os.path.join(chroot, "tmp", "scorehost.deb"))
        os.makedirs(os.path.join(chroot, "models"), exist_ok=True)
        shutil.copy(MOJO, os.path.join(chroot, "models", "iris.mojo"))
        shutil.copy(MOJO_INPUT, os.path.join(chroot, "models", "iris.csv"))
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
        inst = run(["chroot", chroot, "apt-get", "-qq", "update"], env=env, check=False)
        self.assertEqual(inst.returncode, 0, inst.stdout + inst.stderr)
        inst = run(["chroot", chroot, "apt-get", "install", "-y", "--no-install-recommends", "/tmp/scorehost.deb"],
                   env=env, check=False)
        self.assertEqual(inst.returncode, 0, inst.stdout + inst.stderr)
        print(f"clean Debian 12 install: {time.monotonic() - started:.1f} s", file=sys.stderr)
        out = run(["chroot", chroot, "scorehost", "runtimes"], env=env).stdout
        rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
        self.assertTrue(rows["h2o3-mojo-scorer"].rstrip().endswith("available"), out)
        run(["chroot", chroot, "scorehost", "score", "--model", "/models/iris.mojo", "--input",
             "/models/iris.csv", "--output", "/models/out.csv", "--quiet"], env=env)
        with open(os.path.join(chroot, "models", "out.csv")) as f:
            got = f.read()
        want = score_csv(BUILD_BIN, MOJO, MOJO_INPUT, os.path.join(self.tmp, "m.csv"))
        self.assertEqual(got, want)
        if has_serve(BUILD_BIN):
            port = free_port()
            with serving(["chroot", chroot, "scorehost", "serve", "--model-path", "/models/iris.mojo",
                          "--host", "127.0.0.1", "--port", str(port)], port, env=env):
                check_serve_scores(self, port)

    def clean_debian12(self, name):
        """A fresh copy of the clean Debian 12 root, with /proc mounted (unmounted at cleanup)."""
        msg = None
        if not os.path.isfile(os.path.join(ROOTFS, ".complete")):
            msg = "no clean Debian 12 root (run .ci/packaging-deps.sh, or set SCOREHOST_DEB_ROOTFS)"
        elif os.geteuid() != 0:
            msg = "installing into a chroot needs root (CI runs as root)"
        if msg:
            if IN_CI:
                self.fail(msg)
            self.skipTest(msg)
        chroot = os.path.join(self.tmp, name)
        run(["cp", "-a", ROOTFS, chroot])
        with open(os.path.join(chroot, "etc", "debian_version")) as f:
            self.assertTrue(f.read().startswith("12."))
        shutil.copy("/etc/resolv.conf", os.path.join(chroot, "etc", "resolv.conf"))
        # /proc is needed by scorehost (it locates its plugins from /proc/self/exe) and by apt.
        run(["mount", "-t", "proc", "proc", os.path.join(chroot, "proc")])
        self.addCleanup(subprocess.run, ["umount", os.path.join(chroot, "proc")])
        return chroot

    # ---- 6. the native image's runtime stage, without a Docker engine
    def test_native_image_runtime_stage_runs_in_clean_debian12(self):
        """Executes the final stage of packaging/docker/Dockerfile.native in a clean Debian 12 root
        (what debian:12-slim is): its COPY/ARG/ENV/RUN lines as written (the build stage's
        artefact, /out/scorehost.deb, is this build's .deb), then runs the ENTRYPOINT as its USER in
        its WORKDIR with its ENV (plus MODEL_PATH, and HOST/PORT for this machine, like `docker run
        -e`), and runs its HEALTHCHECK command as that user."""
        if not has_serve(BUILD_BIN):
            self.skipTest("this build has no `scorehost serve` yet")
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from dockerfile_parse import instructions, stages
        dockerfile = os.path.join(SOURCE, "packaging", "docker", "Dockerfile.native")
        final = stages(instructions(dockerfile))[-1][2]
        root = self.clean_debian12("image")
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        shell = ["/bin/sh", "-c"]
        user = workdir = entrypoint = healthcheck = None
        for word, rest in final:
            if word == "SHELL":
                shell = json.loads(rest)
            elif word in ("ENV", "ARG"):
                for item in shlex.split(rest):
                    key, _, value = item.partition("=")
                    if word == "ENV" or key not in env:
                        env[key] = value
            elif word == "COPY":
                args = rest.split()
                opts = [a for a in args if a.startswith("--")]
                src, dest = [a for a in args if not a.startswith("--")]
                if "--from=build" in opts:
                    self.assertEqual(src, "/out/scorehost.deb")
                    src = self.deb
                else:
                    self.assertEqual(opts, [o for o in opts if o.startswith("--chmod=")], opts)
                    src = os.path.join(SOURCE, src)
                target = os.path.join(root, dest.lstrip("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy(src, target)
                for o in opts:
                    if o.startswith("--chmod="):
                        os.chmod(target, int(o.split("=")[1], 8))
            elif word == "RUN":
                r = run(["chroot", root, "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in env.items()],
                         *shell, rest], check=False, stdin=subprocess.DEVNULL)
                self.assertEqual(r.returncode, 0, f"RUN {rest}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
            elif word == "USER":
                user = rest
            elif word == "WORKDIR":
                workdir = rest
            elif word == "ENTRYPOINT":
                entrypoint = json.loads(rest)
            elif word == "HEALTHCHECK":
                healthcheck = json.loads(rest.split(" CMD ", 1)[1])
            elif word not in ("EXPOSE", "STOPSIGNAL", "LABEL"):
                self.fail(f"the test does not know how to run {word}")
        self.assertTrue(user and workdir and entrypoint and healthcheck)
        shutil.copy(MOJO, os.path.join(root, "models", "iris.mojo"))
        port = free_port()
        run_env = {**env, "MODEL_PATH": "/models/iris.mojo", "HOST": "127.0.0.1", "PORT": str(port)}
        as_user = ["chroot", f"--userspec={user}", root, "/usr/bin/env", "-i", "-C", workdir,
                   *[f"{k}={v}" for k, v in run_env.items()]]
        with serving(as_user + entrypoint, port) as proc:
            check_serve_scores(self, port)
            with open(f"/proc/{proc.pid}/status") as f:
                uids = next(l for l in f if l.startswith("Uid:")).split()[1:]
            self.assertEqual(set(uids), {user.split(":")[0]})  # real, effective, saved: not root
            hc = run(as_user + healthcheck, check=False)
            self.assertEqual(hc.returncode, 0, hc.stdout + hc.stderr)


if __name__ == "__main__":
    if os.environ.get("SCOREHOST_SANITIZE", "").lower() in ("1", "true", "on"):
        print("SKIPPED: packaging tests do not run in the sanitizer build (its binaries need libasan; "
              "the release build's ctest runs them)")
        sys.exit(77)
    unittest.main(verbosity=2)
