"""Black-box tests of the scorehost command line: runtimes, inspect, score, and a plugin built
outside the source tree against only the installed public header.

Run by CTest with: SCOREHOST_BIN, SCOREHOST_BUILD_DIR, SCOREHOST_SOURCE_DIR (and SCOREHOST_SANITIZE=1
in the sanitizer build, where memory figures mean nothing)."""
import csv
import os
import random
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["SCOREHOST_BIN"]
BUILD = os.environ["SCOREHOST_BUILD_DIR"]
SOURCE = os.environ["SCOREHOST_SOURCE_DIR"]
SANITIZE = os.environ.get("SCOREHOST_SANITIZE") == "1"
RUNTIMES = os.path.join(os.path.dirname(BIN), "runtimes")
EXAMPLE_MODEL = os.path.join(SOURCE, "plugins/example-linear/models/iris-virginica.linear")
IRIS = os.path.join(SOURCE, "plugins/example-linear/models/iris.csv")
VARIANT_DIR = os.path.join(BUILD, "tests/plugins")  # tests/plugins/abi-variants
TITANIC_MOJO = os.path.join(SOURCE, "tests/data/mojoland/mojos/gbm/titanic/v1.40/gbm_v1.40_titanic.mojo")

SEED_RUNTIMES = [
    "dai-mojo-scorer", "python-scorer_dai_pipelines_1110", "python-scorer_dai_pipelines_11111",
    "python-scorer_dai_pipelines_200", "python-scorer_dai_pipelines_210", "python-scorer_dai_pipelines_223",
    "python-scorer_dai_pipelines_224", "python-scorer_dai_pipelines_225", "python-scorer_dai_pipelines_231",
    "python-scorer_dai_pipelines_232", "python-scorer_dai_pipelines_240", "h2o3-mojo-scorer",
    "python-scorer_hydrogen_torch_cpu_py310", "python-scorer_hydrogen_torch_gpu_py310",
    "python-scorer_hydrogen_torch_py312", "python-scorer_hydrogen_torch_static_ht16",
    "python-scorer_mlflow_dynamic_310", "python-scorer_mlflow_dynamic_311", "python-scorer_mlflow_dynamic_312",
]


def run(*args, env=None, check=True):
    # UTF-8 whatever the locale: plugins' descriptions and runtime properties may be non-ASCII.
    proc = subprocess.run([BIN, *args], capture_output=True, encoding="utf-8", env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"scorehost {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


class RuntimesCommand(unittest.TestCase):
    def test_lists_all_19_seed_runtimes_each_available_or_with_a_reason(self):
        out = run("runtimes").stdout
        lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
        for name in SEED_RUNTIMES:
            self.assertIn(name, lines, f"{name} missing from `scorehost runtimes`")
            line = lines[name]
            self.assertTrue(line.rstrip().endswith("available") or "unavailable: " in line, line)
            if "unavailable: " in line:
                self.assertGreater(len(line.split("unavailable: ", 1)[1].strip()), 10, line)
        self.assertIn("example-linear", lines)

    def test_help_everywhere(self):
        for sub in ([], ["runtimes"], ["inspect"], ["score"]):
            proc = run(*sub, "--help")
            self.assertIn("Usage", proc.stdout)
        self.assertIn("MODEL_PATH", run("score", "--help").stdout)


class InspectCommand(unittest.TestCase):
    def test_h2o3_mojo_is_detected_and_a_wrong_runtime_names_the_right_one(self):
        proc = run("inspect", TITANIC_MOJO, "--runtime", "python-scorer_mlflow_dynamic_312", check=False)
        self.assertIn("artifact type: h2o3_mojo (H2O-3 MOJO", proc.stdout)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("h2o3-mojo-scorer", proc.stdout + proc.stderr)
        self.assertIn("H2O-3 MOJO", proc.stdout + proc.stderr)

    def test_example_model_schema(self):
        out = run("inspect", EXAMPLE_MODEL).stdout
        self.assertIn("scorehost_example_linear", out)
        self.assertIn("Petal.Width", out)
        self.assertIn("Species.Iris-virginica", out)
        self.assertIn("CONTRIBUTION_TRANSFORMED", out)
        # example-linear reports no runtime properties: no block at all.
        self.assertNotIn("runtime properties", out)

    def test_runtime_properties_block_follows_thread_safety(self):
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "m.testdelay")  # the scorehost-test-delay TEST plugin's artifact
            open(model, "w").close()
            lines = run("inspect", model).stdout.splitlines()
        start = lines.index("runtime properties:")
        self.assertTrue(lines[start - 1].startswith("thread-safe:"), lines)
        # Keys aligned, two spaces before the value, the value exactly as the plugin gave it.
        self.assertEqual(lines[start + 1:start + 3], ['  device  test-double', '  label   say "hi" \\ naïve ✓'])
        self.assertEqual(lines[start + 3], "input fields:")

    def test_abi_1_1_plugin_still_loads_and_shows_no_properties(self):
        # variant-minor1 describes its model as a 1.1 plugin would (struct_size ends before
        # n_properties) and leaves a decoy property past that end, which the host must not read.
        with tempfile.TemporaryDirectory() as tmp:
            runtime_dir = os.path.join(tmp, "runtimes")
            shutil.copytree(RUNTIMES, runtime_dir)
            shutil.copy(os.path.join(VARIANT_DIR, "variant-minor1.so"), runtime_dir)
            model = os.path.join(tmp, "m.testvariant")
            open(model, "w").close()
            out = run("--runtime-dir", runtime_dir, "inspect", model).stdout
        self.assertIn("loaded with:   test-variant", out)
        self.assertIn("thread-safe:   yes", out)
        self.assertNotIn("runtime properties", out)
        self.assertNotIn("must_not_be_read", out)

    def test_unknown_and_missing_artifacts_fail_clearly(self):
        with tempfile.TemporaryDirectory() as tmp:
            junk = os.path.join(tmp, "junk.bin")
            with open(junk, "wb") as f:
                f.write(b"PK\x03\x04" + os.urandom(200))
            proc = run("inspect", junk, check=False)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("junk.bin", proc.stderr)
            proc = run("inspect", os.path.join(tmp, "missing.mojo"), check=False)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("does not exist", proc.stderr)
        proc = run("score", "--model", EXAMPLE_MODEL, "--runtime", "no-such-runtime", "--input", IRIS,
                   "--output", "/dev/null", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("unknown runtime 'no-such-runtime'", proc.stderr)


class ScoreCommand(unittest.TestCase):
    def test_scores_iris_with_echoed_column(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out.csv")
            run("score", "--model", EXAMPLE_MODEL, "--input", IRIS, "--output", out, "--include-column", "Species",
                "--chunk-rows", "7")
            with open(out, newline="") as f:
                rows = list(csv.reader(f))
            self.assertEqual(rows[0], ["Species", "Species.other", "Species.Iris-virginica"])
            self.assertEqual(len(rows), 151)
            correct = sum((float(r[2]) > 0.5) == (r[0] == "Iris-virginica") for r in rows[1:])
            self.assertGreaterEqual(correct, 140)  # a real model, not a constant
            for r in rows[1:]:
                self.assertAlmostEqual(float(r[1]) + float(r[2]), 1.0, places=12)

    def test_parallel_chunks_keep_row_order(self):
        with tempfile.TemporaryDirectory() as tmp:
            outputs = []
            for threads in ("1", "3"):
                out = os.path.join(tmp, f"out{threads}.csv")
                run("score", "--model", EXAMPLE_MODEL, "--input", IRIS, "--output", out, "--include-column",
                    "Species", "--include-column", "Petal.Width", "--chunk-rows", "11", "--threads", threads)
                with open(out) as f:
                    outputs.append(f.read())
            self.assertEqual(outputs[0], outputs[1])
            rows = list(csv.reader(outputs[1].splitlines()))
            with open(IRIS, newline="") as f:
                iris = list(csv.DictReader(f))
            self.assertEqual([r[1] for r in rows[1:]], [r["Petal.Width"] for r in iris])  # input order kept

    def test_header_only_input_writes_the_header(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "empty.csv")
            with open(src, "w") as f:
                f.write("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n")
            out = os.path.join(tmp, "out.csv")
            run("score", "--model", EXAMPLE_MODEL, "--input", src, "--output", out, "--threads", "2")
            with open(out) as f:
                self.assertEqual(f.read(), "Species.other,Species.Iris-virginica\n")

    def test_bad_cell_names_the_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.csv")
            with open(bad, "w") as f:
                f.write("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n1,2,3,4\n1,two,3,4\n")
            proc = run("score", "--model", EXAMPLE_MODEL, "--input", bad, "--output", os.path.join(tmp, "o.csv"),
                       check=False)
            self.assertEqual(proc.returncode, 1)
            self.assertIn("line 3", proc.stderr)
            self.assertIn('"two"', proc.stderr)

    def test_first_error_in_file_order_wins_with_parallel_chunks(self):
        # Bad rows on lines 6 and 10: with 2-row chunks on 3 threads the later chunk may fail first;
        # the error reported is still the first one in the file, and nothing after it is written.
        header = "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,note\n"
        good = "5.1,3.5,1.4,0.2,ok\n"
        cases = {
            "too_many_cells": (good * 4 + "1,2,3,4,5,6\n" + good * 3 + "1,two,3,4,x\n" + good * 20,
                               ["line 6", "6 cells but the header has 5 columns"]),
            "bad_cell": (good * 4 + "1,2,x,4,y\n" + good * 3 + "1,2,3,4,5,6\n" + good * 20, ['line 6', '"x"']),
            # The quoted newline makes the unclosed quote's record start on line 10.
            "unclosed_quote": (good * 4 + '5.1,3.5,1.4,0.2,"multi\nline"\n' + good * 2 + '1,2,3,4,"x\n' + good * 3,
                               ["line 10", "not closed"]),
        }
        with tempfile.TemporaryDirectory() as tmp:
            for name, (body, expected) in cases.items():
                with self.subTest(name):
                    src = os.path.join(tmp, name + ".csv")
                    with open(src, "w") as f:
                        f.write(header + body)
                    proc = run("score", "--model", EXAMPLE_MODEL, "--input", src, "--output",
                               os.path.join(tmp, name + ".out.csv"), "--chunk-rows", "2", "--threads", "3",
                               check=False)
                    self.assertEqual(proc.returncode, 1, proc.stderr)
                    for text in expected:
                        self.assertIn(text, proc.stderr)

    def test_quoted_newlines_and_blank_lines_across_chunks(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "quoted.csv")
            with open(src, "w", newline="") as f:
                f.write('Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,note\r\n')
                for i in range(40):
                    f.write(f'"{4 + i / 10}",3.0,{1 + i / 8},"{i / 20}","line {i}\nsays ""hi"", again"\r\n')
                    if i % 7 == 0:
                        f.write("\r\n")
            outputs = []
            for threads, chunk in (("1", "1000"), ("3", "3")):
                out = os.path.join(tmp, f"out{threads}.csv")
                run("score", "--model", EXAMPLE_MODEL, "--input", src, "--output", out, "--include-column", "note",
                    "--chunk-rows", chunk, "--threads", threads)
                with open(out, newline="") as f:
                    outputs.append(list(csv.reader(f)))
            self.assertEqual(outputs[0], outputs[1])
            self.assertEqual(len(outputs[0]), 41)
            self.assertEqual([r[0] for r in outputs[0][1:]], [f'line {i}\nsays "hi", again' for i in range(40)])

    def test_million_rows_in_bounded_memory(self):
        rows = 200_000 if SANITIZE else 1_000_000
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "big.csv")
            rnd = random.Random(7)
            with open(src, "w") as f:
                f.write("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n")
                line = []
                for i in range(rows):
                    line.append(f"{rnd.uniform(4, 8):.2f},{rnd.uniform(2, 4.5):.2f},{rnd.uniform(1, 7):.2f},"
                                f"{'' if i % 97 == 0 else format(rnd.uniform(0.1, 2.5), '.2f')}\n")
                    if len(line) == 10000:
                        f.writelines(line)
                        line = []
                f.writelines(line)
            out = os.path.join(tmp, "big.out.csv")
            # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would be the largest of all
            # children the test process ever waited for).
            with open(os.path.join(tmp, "stderr.txt"), "w+") as err:
                child = subprocess.Popen([BIN, "score", "--model", EXAMPLE_MODEL, "--input", src, "--output", out],
                                         stdout=subprocess.DEVNULL, stderr=err)
                _, status, usage = os.wait4(child.pid, 0)
                child.returncode = os.waitstatus_to_exitcode(status)
                err.seek(0)
                stderr = err.read()
            self.assertEqual(child.returncode, 0, stderr)
            peak_kib = usage.ru_maxrss
            with open(out) as f:
                count = sum(1 for _ in f) - 1
            self.assertEqual(count, rows)
            self.assertIn(f"scored {rows} rows", stderr)
            if not SANITIZE:
                self.assertGreater(peak_kib, 0)
                self.assertLess(peak_kib / 1024, 200, f"peak RSS {peak_kib / 1024:.0f} MB")
                print(f"1,000,000-row CSV: peak RSS {peak_kib / 1024:.1f} MB")


class PluginSymbols(unittest.TestCase):
    def test_every_plugin_exports_only_the_entry_symbol(self):
        plugins = [f for f in os.listdir(RUNTIMES) if f.endswith(".so")]
        self.assertTrue(plugins)
        for name in plugins:
            out = subprocess.run(["nm", "-D", "--defined-only", os.path.join(RUNTIMES, name)], capture_output=True,
                                 text=True, check=True).stdout
            symbols = sorted(line.split()[-1] for line in out.splitlines() if line.strip())
            self.assertEqual(symbols, ["scorehost_plugin_entry"], f"{name} exports {symbols}")


class OutOfTreePlugin(unittest.TestCase):
    def test_plugin_built_against_installed_header_registers_and_scores(self):
        with tempfile.TemporaryDirectory() as tmp:
            prefix = os.path.join(tmp, "prefix")
            subprocess.run(["cmake", "--install", BUILD, "--component", "plugin_api", "--prefix", prefix],
                           check=True, capture_output=True)
            self.assertTrue(os.path.exists(os.path.join(prefix, "include/scorehost/plugin_api.h")))
            build = os.path.join(tmp, "build")
            # Configure with only the installed include dir: nothing from the source tree.
            subprocess.run(["cmake", "-S", os.path.join(SOURCE, "tests/cli/out-of-tree-plugin"), "-B", build,
                            f"-DSCOREHOST_INCLUDE_DIR={prefix}/include"], check=True, capture_output=True)
            subprocess.run(["cmake", "--build", build], check=True, capture_output=True)
            runtime_dir = os.path.join(tmp, "runtimes")
            shutil.copytree(RUNTIMES, runtime_dir)
            shutil.copy(os.path.join(build, "sum-plugin.so"), runtime_dir)

            out = run("--runtime-dir", runtime_dir, "runtimes").stdout
            line = next(l for l in out.splitlines() if l.startswith("sum-scorer"))
            self.assertIn("sum-plugin.so", line)
            self.assertTrue(line.rstrip().endswith("available"), line)

            model = os.path.join(tmp, "my.sum")
            with open(model, "w") as f:
                f.write("sum-model a b\n")
            data = os.path.join(tmp, "in.csv")
            with open(data, "w") as f:
                f.write("b,a,ignored\n1,2,x\n0.5,,y\n-3,3,z\n")
            result = os.path.join(tmp, "out.csv")
            run("--runtime-dir", runtime_dir, "score", "--model", model, "--input", data, "--output", result)
            with open(result) as f:
                self.assertEqual(f.read(), "sum\n3.0\n\n0.0\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
