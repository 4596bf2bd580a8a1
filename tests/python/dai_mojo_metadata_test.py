"""Tests of plugins/python/glue/scorehost_dai_mojo.py (the dai-mojo-scorer's Python side).

Run with the daimojo virtualenv's Python (tests/python/make_dai_venv.sh builds it):

    ~/.cache/scorehost/py-tools/dai/bin/python -m unittest tests/python/dai_mojo_metadata_test.py -v

Needs no licence. Tests that need daimojo skip with a visible reason when it is not installed;
the one test that needs a licence (scoring iris test.csv to expected.csv) skips unless one is
configured. Licence texts used here are test doubles, never real keys.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GLUE = os.path.join(REPO, "plugins", "python", "glue")
sys.path.insert(0, GLUE)

import scorehost_dai_mojo as dm  # noqa: E402

# The public pipelines, copied into the repository as data (tests/data/dai/README.md).
DAI = os.path.join(REPO, "tests", "data", "dai")
IRIS = os.path.join(DAI, "iris-pipeline.mojo")
IRIS_TEST = os.path.join(DAI, "iris-test.csv")
IRIS_EXPECTED = os.path.join(DAI, "iris-expected.csv")
WINE = os.path.join(DAI, "wine-pipeline.mojo")
WINE_TEST = os.path.join(DAI, "wine-test.csv")
FILLNA = os.path.join(DAI, "fillna_str-pipeline.mojo")
MULTINOMIAL = os.path.join(DAI, "multinomial-pipeline.mojo")
REPO_IRIS = os.path.join(REPO, "tests", "data", "dai", "iris-pipeline.mojo")
H2O3_MOJO = os.path.join(REPO, "tests", "data", "mojoland", "mojos", "deeplearning", "eyestate",
                         "v1.10", "deeplearning_v1.10_eyestate.mojo")

FAKE_KEY = "VEVTVC1ET1VCTEUtTk9ULUEtTElDRU5DRQ=="  # base64("TEST-DOUBLE-NOT-A-LICENCE")
GARBAGE_KEY = "bm90IGEgbGljZW5zZQ=="             # base64("not a license")


def have_daimojo():
    import importlib.util
    return importlib.util.find_spec("daimojo") is not None


NO_DAIMOJO = "daimojo is not installed in %s (build the venv with tests/python/make_dai_venv.sh)" \
    % sys.executable


def csv_header(path):
    with open(path, newline="") as f:
        return next(csv.reader(f))


def need(path):
    if not os.path.exists(path):
        raise unittest.SkipTest("fixture missing: %s" % path)


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class PublicPipelines(unittest.TestCase):
    """Metadata of every public pipeline, checked against concrete names and the CSV headers."""

    def test_iris(self):
        need(IRIS)
        md = dm.read_pipeline_metadata(IRIS)
        self.assertEqual(md["form"], "pipeline.mojo")
        self.assertIsNone(md["wrapper"])
        self.assertEqual(md["uuid"], "101161de-1d62-11eb-b5f9-0242c0a8fe04")
        self.assertEqual(md["mojo_version"], 2)
        # pipeline.pb has no dai_version (DAI 1.8.10 did not write it); dai_build.info does.
        self.assertEqual(md["dai_version"], "1.8.10")
        self.assertEqual(md["dai_version_source"], "mojo/dai_build.info")
        self.assertEqual(md["created"], "2020-11-02T23:22:03.635595Z")
        features = ["sepal_len", "sepal_wid", "petal_len", "petal_wid"]
        self.assertEqual([f["name"] for f in md["inputs"]], features)
        self.assertEqual({f["type"] for f in md["inputs"]}, {"Float32"})
        # test.csv: the features plus the target column "class"
        self.assertEqual(csv_header(IRIS_TEST), features + ["class"])
        outputs = ["class.Iris-setosa", "class.Iris-versicolor", "class.Iris-virginica"]
        self.assertEqual([o["name"] for o in md["outputs"]], outputs)
        self.assertEqual(csv_header(IRIS_EXPECTED), outputs)
        self.assertEqual({o["type"] for o in md["outputs"]}, {"Float32"})
        self.assertEqual(md["missing_values"],
                         ["", "?", "None", "nan", "NA", "N/A", "unknown", "inf", "-inf",
                          "1.7976931348623157e+308", "-1.7976931348623157e+308"])
        self.assertEqual(md["transformed_features"],
                         ["0_petal_len", "1_petal_wid", "2_sepal_len", "3_sepal_wid"])
        self.assertEqual(md["operations"], {"SCORE": True, "SCORE_PREDICTION_INTERVAL": False,
                                            "CONTRIBUTION_ORIGINAL": None,
                                            "CONTRIBUTION_TRANSFORMED": None})
        self.assertEqual(md["contribution_hints"]["tree_model_ops"], ["xgb_op"])
        self.assertIsNone(md["problem"])
        json.dumps(md)  # the worker sends it as JSON

    def test_repo_copy_of_iris(self):
        need(REPO_IRIS)
        a, b = dm.read_pipeline_metadata(IRIS), dm.read_pipeline_metadata(REPO_IRIS)
        self.assertEqual(b["uuid"], a["uuid"])
        self.assertEqual(b["inputs"], a["inputs"])
        self.assertEqual(b["outputs"], a["outputs"])

    def test_wine(self):
        need(WINE)
        md = dm.read_pipeline_metadata(WINE)
        self.assertEqual(md["uuid"], "b5c539bc-1ef1-11eb-ad71-0242c0a8fe03")
        self.assertEqual(md["dai_version"], "1.8.10")
        # the pipeline uses one of wine_test.csv's columns
        self.assertEqual(md["inputs"], [{"name": "fixed acidity", "type": "Float32",
                                         "dai_type": "float32"}])
        self.assertIn("fixed acidity", csv_header(WINE_TEST))
        self.assertEqual([o["name"] for o in md["outputs"]],
                         ["quality.%d" % q for q in range(3, 9)])
        self.assertEqual(md["transformed_features"], ["0_fixed acidity"])
        self.assertEqual(md["contribution_hints"]["tree_model_ops"], ["lgbm_op"])

    def test_fillna_str(self):
        need(FILLNA)
        md = dm.read_pipeline_metadata(FILLNA)
        self.assertEqual(md["uuid"], "c30815f6-f6cb-475d-9f32-64d4152bce2d")
        self.assertIsNone(md["dai_version"])   # neither pipeline.pb nor dai_build.info says
        self.assertIsNone(md["created"])       # no time_created in this file
        self.assertEqual(md["inputs"], [{"name": "len", "type": "Str", "dai_type": "str"}])
        self.assertEqual(md["outputs"], [{"name": "len_", "type": "Str", "dai_type": "str"}])
        self.assertEqual(md["missing_values"], [])
        self.assertEqual(md["transformed_features"], [])

    def test_multinomial(self):
        need(MULTINOMIAL)
        md = dm.read_pipeline_metadata(MULTINOMIAL)
        self.assertEqual(md["uuid"], "a3d653b4-ef81-453e-b832-42d9db9f1459")
        self.assertEqual(md["dai_version"], "1.9.3")
        self.assertEqual(md["dai_version_source"], "pipeline.pb")
        self.assertEqual(md["created"], "2021-06-08T03:33:36.652620Z")
        self.assertEqual(len(md["inputs"]), 21)
        types = {f["name"]: f["type"] for f in md["inputs"]}
        self.assertEqual(types["Date"], "Str")
        self.assertEqual(types["Sunshine"], "Float32")
        self.assertEqual(sorted(n for n, t in types.items() if t == "Str"),
                         ["ChangeTempDir", "ChangeTempMag", "Date", "MaxWindPeriod",
                          "PressureChange"])
        self.assertEqual([o["name"] for o in md["outputs"]],
                         ["ChangeWindDirect.%s" % c for c in "clns"])
        self.assertEqual(len(md["transformed_features"]), 207)
        self.assertEqual(md["transformed_features"][0], "0_ClusterTEClusterID10:ChangeTemp.0")

    def test_metadata_does_not_load_the_native_runtime(self):
        # inspect must not touch the 57 MB native module that needs a licence (and may crash);
        # and a later real "import daimojo" in the same process must still work.
        need(IRIS)
        code = ("import sys; sys.path.insert(0, %r); import scorehost_dai_mojo as m; "
                "m.read_pipeline_metadata(%r); "
                "print('cppmojo' if 'daimojo.cppmojo' in sys.modules else 'no-cppmojo'); "
                "import daimojo; print(daimojo.__version__, callable(daimojo.model))"
                % (GLUE, IRIS))
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.split("\n")
        self.assertEqual(lines[0], "no-cppmojo")
        self.assertTrue(lines[1].endswith("True"), r.stdout)


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class ArtifactForms(unittest.TestCase):
    """pipeline.mojo, mojo-pipeline/ directory, a zip of it, unpacked, MLflow-wrapped."""

    def setUp(self):
        need(IRIS)
        self.tmp = tempfile.mkdtemp(prefix="dai-forms-")
        self.want = dm.read_pipeline_metadata(IRIS)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def same(self, md):
        self.assertEqual(md["uuid"], self.want["uuid"])
        self.assertEqual(md["inputs"], self.want["inputs"])
        self.assertEqual(md["outputs"], self.want["outputs"])

    def mojo_pipeline_dir(self):
        # DAI's mojo.zip unpacks to mojo-pipeline/ with pipeline.mojo beside runner files
        d = os.path.join(self.tmp, "mojo-pipeline")
        os.makedirs(d)
        shutil.copy(IRIS, os.path.join(d, "pipeline.mojo"))
        with open(os.path.join(d, "example.csv"), "w") as f:
            f.write("sepal_len,sepal_wid,petal_len,petal_wid\n5.1,3.5,1.4,0.2\n")
        with open(os.path.join(d, "run_example.sh"), "w") as f:
            f.write("#!/bin/sh\n")
        return d

    def zip_dir(self, d, name):
        out = os.path.join(self.tmp, name)
        with zipfile.ZipFile(out, "w") as zf:
            for dirpath, _, files in os.walk(d):
                for fn in files:
                    full = os.path.join(dirpath, fn)
                    zf.write(full, os.path.relpath(full, os.path.dirname(d)))
        return out

    def test_file_detected_by_content_not_name(self):
        p = os.path.join(self.tmp, "model.bin")
        shutil.copy(IRIS, p)
        md = dm.read_pipeline_metadata(p)
        self.assertEqual(md["form"], "pipeline.mojo")
        self.same(md)

    def test_mojo_pipeline_directory(self):
        md = dm.read_pipeline_metadata(self.mojo_pipeline_dir())
        self.assertEqual(md["form"], "directory")
        self.same(md)

    def test_zip_of_mojo_pipeline_directory(self):
        z = self.zip_dir(self.mojo_pipeline_dir(), "mojo.zip")
        md = dm.read_pipeline_metadata(z)
        self.assertEqual(md["form"], "zip")
        self.assertTrue(md["pipeline"].endswith("!mojo-pipeline/pipeline.mojo"))
        self.same(md)

    def test_embedded_pipeline_with_another_name(self):
        d = self.mojo_pipeline_dir()
        os.rename(os.path.join(d, "pipeline.mojo"), os.path.join(d, "model.dat"))
        self.same(dm.read_pipeline_metadata(d))
        self.same(dm.read_pipeline_metadata(self.zip_dir(d, "renamed.zip")))

    def test_unpacked_pipeline_directory(self):
        d = os.path.join(self.tmp, "unpacked")
        with zipfile.ZipFile(IRIS) as zf:
            zf.extractall(d)
        self.same(dm.read_pipeline_metadata(d))

    def test_mlflow_wrapped(self):
        # The real mlflow_mojo_pipeline layout is not public; this double is "an MLflow model
        # directory carrying one pipeline.mojo", which is what the reader recognises.
        d = os.path.join(self.tmp, "mlflow-model")
        os.makedirs(os.path.join(d, "artifacts"))
        shutil.copy(IRIS, os.path.join(d, "artifacts", "pipeline.mojo"))
        with open(os.path.join(d, "MLmodel"), "w") as f:
            f.write("artifact_path: model\nflavors:\n  python_function:\n    loader_module: x\n"
                    "  h2o_mojo:\n    version: 1\n")
        md = dm.read_pipeline_metadata(d)
        self.assertEqual(md["wrapper"], {"kind": "mlflow", "mlmodel": "MLmodel",
                                         "flavors": ["python_function", "h2o_mojo"]})
        self.same(md)
        mz = self.zip_dir(d, "mlflow.zip")
        md = dm.read_pipeline_metadata(mz)
        self.assertEqual(md["wrapper"]["kind"], "mlflow")
        self.same(md)

    def test_two_pipelines_are_ambiguous(self):
        d = self.mojo_pipeline_dir()
        shutil.copy(IRIS, os.path.join(d, "second.mojo"))
        with self.assertRaisesRegex(dm.NotAPipelineError, "holds 2 Driverless AI MOJO pipelines"):
            dm.read_pipeline_metadata(d)


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class BadFiles(unittest.TestCase):

    def setUp(self):
        need(IRIS)
        self.tmp = tempfile.mkdtemp(prefix="dai-bad-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, data):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def test_truncated_zip(self):
        with open(IRIS, "rb") as f:
            data = f.read()
        p = self.write("truncated.mojo", data[: len(data) // 2])
        with self.assertRaisesRegex(dm.CorruptPipelineError, "not a readable zip archive"):
            dm.read_pipeline_metadata(p)

    def test_zip_without_pipeline_pb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("mojo/something.txt", "hello")
        p = self.write("nopb.mojo", buf.getvalue())
        with self.assertRaisesRegex(dm.NotAPipelineError, "without mojo/pipeline.pb"):
            dm.read_pipeline_metadata(p)

    def test_garbage_pipeline_pb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("mojo/pipeline.pb", b"\xff\xfe this is not a protobuf \x00\x01")
        p = self.write("badpb.mojo", buf.getvalue())
        with self.assertRaises(dm.CorruptPipelineError):
            dm.read_pipeline_metadata(p)

    def test_empty_pipeline_pb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("mojo/pipeline.pb", b"")
        p = self.write("emptypb.mojo", buf.getvalue())
        with self.assertRaisesRegex(dm.CorruptPipelineError, "empty pipeline"):
            dm.read_pipeline_metadata(p)

    def test_random_bytes(self):
        import random
        rnd = random.Random(13)
        p = self.write("random.mojo", bytes(rnd.randrange(256) for _ in range(4096)))
        with self.assertRaisesRegex(dm.NotAPipelineError, "not a zip archive"):
            dm.read_pipeline_metadata(p)

    def test_empty_file(self):
        with self.assertRaisesRegex(dm.NotAPipelineError, "not a zip archive"):
            dm.read_pipeline_metadata(self.write("empty.mojo", b""))

    def test_h2o3_mojo(self):
        need(H2O3_MOJO)
        with self.assertRaisesRegex(dm.NotAPipelineError, "H2O-3 MOJO"):
            dm.read_pipeline_metadata(H2O3_MOJO)

    def test_old_toml_pipeline(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("mojo/pipeline.toml", "[pipeline]\n")
        with self.assertRaisesRegex(dm.NotAPipelineError, "old TOML format"):
            dm.read_pipeline_metadata(self.write("old.mojo", buf.getvalue()))

    def test_directory_without_pipeline(self):
        os.makedirs(os.path.join(self.tmp, "d", "sub"))
        self.write("d/sub/readme.txt", b"nothing here")
        with self.assertRaisesRegex(dm.NotAPipelineError, "directory without"):
            dm.read_pipeline_metadata(os.path.join(self.tmp, "d"))

    def test_missing_path(self):
        with self.assertRaises(FileNotFoundError):
            dm.read_pipeline_metadata(os.path.join(self.tmp, "nope.mojo"))

    def test_errors_share_a_base(self):
        for cls in (dm.NotAPipelineError, dm.CorruptPipelineError, dm.LicenceMissingError,
                    dm.LicenceRejectedError):
            self.assertTrue(issubclass(cls, dm.DaiMojoError))


class FindLicence(unittest.TestCase):
    """The runtime's four places, its order, and never the key in a result or message."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dai-lic-")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(self.home, ".driverlessai"))
        self.docker = os.path.join(self.tmp, "license", "license.sig")  # stands in for /license
        os.makedirs(os.path.dirname(self.docker))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def sig(self, path, text="test double licence\n"):
        with open(path, "w") as f:
            f.write(text)
        return path

    def find(self, environ, home=None):
        return dm.find_licence(environ, home, docker_licence_path=self.docker)

    def test_nothing(self):
        self.assertIsNone(self.find({}, self.home))
        self.assertIsNone(self.find({"HOME": self.home}))

    def test_key(self):
        got = self.find({dm.KEY_VAR: FAKE_KEY}, self.home)
        self.assertEqual(got, {"source": "DRIVERLESS_AI_LICENSE_KEY", "length": len(FAKE_KEY)})
        self.assertNotIn(FAKE_KEY, json.dumps(got))

    def test_file(self):
        p = self.sig(os.path.join(self.tmp, "my.sig"))
        self.assertEqual(self.find({dm.FILE_VAR: p}, self.home),
                         {"source": "DRIVERLESS_AI_LICENSE_FILE", "path": p})

    def test_docker_path(self):
        self.sig(self.docker)
        self.assertEqual(self.find({}, self.home),
                         {"source": "/license/license.sig", "path": self.docker})

    def test_home(self):
        p = self.sig(os.path.join(self.home, ".driverlessai", "license.sig"))
        want = {"source": "~/.driverlessai/license.sig", "path": p}
        self.assertEqual(self.find({}, self.home), want)
        self.assertEqual(self.find({"HOME": self.home}), want)  # home from HOME, as the runtime

    def test_order(self):
        f = self.sig(os.path.join(self.tmp, "my.sig"))
        self.sig(self.docker)
        self.sig(os.path.join(self.home, ".driverlessai", "license.sig"))
        env = {dm.KEY_VAR: FAKE_KEY, dm.FILE_VAR: f}
        self.assertEqual(self.find(env, self.home)["source"], dm.KEY_VAR)
        del env[dm.KEY_VAR]
        self.assertEqual(self.find(env, self.home)["source"], dm.FILE_VAR)
        del env[dm.FILE_VAR]
        self.assertEqual(self.find(env, self.home)["source"], "/license/license.sig")
        os.remove(self.docker)
        self.assertEqual(self.find(env, self.home)["source"], "~/.driverlessai/license.sig")

    def test_unusable_file_falls_through(self):
        # measured: a missing, empty or directory DRIVERLESS_AI_LICENSE_FILE -> next place
        home_sig = self.sig(os.path.join(self.home, ".driverlessai", "license.sig"))
        empty = self.sig(os.path.join(self.tmp, "empty.sig"), "")
        for bad in (os.path.join(self.tmp, "missing.sig"), empty, self.tmp):
            got = self.find({dm.FILE_VAR: bad}, self.home)
            self.assertEqual(got, {"source": "~/.driverlessai/license.sig", "path": home_sig})
        self.sig(home_sig, "")  # an empty file in the last place is no licence either
        self.assertIsNone(self.find({}, self.home))

    def test_empty_key_stops_the_search(self):
        # measured: DRIVERLESS_AI_LICENSE_KEY="" -> "License could not be found!" even with a
        # licence file configured; the message says why.
        f = self.sig(os.path.join(self.tmp, "my.sig"))
        env = {dm.KEY_VAR: "", dm.FILE_VAR: f}
        self.assertIsNone(self.find(env, self.home))
        self.assertIn("set but empty", dm.licence_missing_message(env))

    def test_missing_message_names_all_four_places(self):
        msg = dm.LICENCE_MISSING_MESSAGE
        self.assertNotIn("\n", msg)
        for place in ("DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE",
                      "/license/license.sig", "~/.driverlessai/license.sig"):
            self.assertIn(place, msg)
        self.assertEqual(dm.licence_missing_message({}), msg)

    def test_default_environ_is_os_environ(self):
        saved = {k: os.environ.pop(k) for k in (dm.KEY_VAR, dm.FILE_VAR) if k in os.environ}
        try:
            os.environ[dm.KEY_VAR] = FAKE_KEY
            self.assertEqual(dm.find_licence(docker_licence_path=self.docker)["source"],
                             dm.KEY_VAR)
        finally:
            os.environ.pop(dm.KEY_VAR, None)
            os.environ.update(saved)


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class InputConversion(unittest.TestCase):
    """What predict does before the runtime: types, missing tokens, bad cells (no licence)."""

    @classmethod
    def setUpClass(cls):
        need(IRIS)
        cls.md = dm.read_pipeline_metadata(IRIS)

    def test_iris_test_csv(self):
        with open(IRIS_TEST, newline="") as f:
            rows = list(csv.DictReader(f))
        cols = {k: [r[k] for r in rows] for k in rows[0]}
        names, lists = dm.coerce_columns(self.md["inputs"], self.md["missing_values"], cols)
        self.assertEqual(names, ["sepal_len", "sepal_wid", "petal_len", "petal_wid"])
        self.assertEqual([l[0] for l in lists], [5.1, 3.5, 1.4, 0.2])
        self.assertEqual(len(lists[0]), len(rows))

    def test_missing_tokens_are_missing(self):
        cols = {"sepal_len": ["NA", "?", "", "1.5"], "sepal_wid": [None, "nan", "N/A", "2"],
                "petal_len": ["unknown", "inf", "-inf", "3"], "petal_wid": ["1"] * 4}
        _, lists = dm.coerce_columns(self.md["inputs"], self.md["missing_values"], cols)
        self.assertEqual(lists[0], [None, None, None, 1.5])
        self.assertEqual(lists[1], [None, None, None, 2.0])
        self.assertEqual(lists[2], [None, None, None, 3.0])

    def test_bad_cell_names_row_column_text(self):
        cols = {"sepal_len": ["1", "2"], "sepal_wid": ["1", "abc"], "petal_len": ["1", "1"],
                "petal_wid": ["1", "1"]}
        with self.assertRaises(dm.CellError) as cm:
            dm.coerce_columns(self.md["inputs"], self.md["missing_values"], cols)
        e = cm.exception
        self.assertEqual((e.row, e.column, e.text, e.type_name), (1, "sepal_wid", "abc", "Float32"))
        self.assertIn("row 1, column 'sepal_wid'", str(e))

    def test_missing_columns_named(self):
        with self.assertRaisesRegex(dm.DaiMojoError, r"petal_len \(Float32\), petal_wid"):
            dm.coerce_columns(self.md["inputs"], [], {"sepal_len": [1], "sepal_wid": [1]})

    def test_integer_and_bool_types(self):
        inputs = [{"name": "i", "type": "Int32", "dai_type": "int32"},
                  {"name": "b", "type": "Bool", "dai_type": "bool"},
                  {"name": "s", "type": "Str", "dai_type": "str"}]
        _, lists = dm.coerce_columns(inputs, ["NA"], {"i": ["3", "4.0", "NA"],
                                                      "b": ["true", "0", "NA"],
                                                      "s": ["x", 5, "NA"]})
        self.assertEqual(lists, [[3, 4, None], [True, False, None], ["x", "5", None]])
        for bad in ("4.5", "3000000000"):
            with self.assertRaises(dm.CellError):
                dm.coerce_columns(inputs[:1], [], {"i": [bad]})

    def test_to_datatable(self):
        import datatable as dt
        fr = dm.to_datatable(self.md["inputs"], self.md["missing_values"],
                             {"sepal_len": ["5.1", "NA"], "sepal_wid": [3.5, None],
                              "petal_len": ["1.4", "1"], "petal_wid": ["0.2", "0.3"],
                              "class": ["ignored", "too"]})
        self.assertEqual(fr.names, ("sepal_len", "sepal_wid", "petal_len", "petal_wid"))
        self.assertEqual(set(fr.stypes), {dt.stype.float32})
        self.assertEqual(fr[:, "sepal_len"].to_list()[0][1], None)


def runtime_env(home, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in (dm.KEY_VAR, dm.FILE_VAR)}
    env["HOME"] = home
    env.update(extra)
    return env


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class RuntimeWithoutLicence(unittest.TestCase):
    """daimojo.model() and load() in a subprocess (the native runtime may crash)."""

    def setUp(self):
        need(IRIS)
        if os.path.exists(dm.DOCKER_LICENCE_PATH):
            self.skipTest("%s exists on this machine: cannot test the no-licence case"
                          % dm.DOCKER_LICENCE_PATH)
        self.home = tempfile.mkdtemp(prefix="dai-home-")

    def tearDown(self):
        shutil.rmtree(self.home)

    def run_py(self, code, env):
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, timeout=300)

    def test_daimojo_model_without_licence(self):
        r = self.run_py("import daimojo, sys; daimojo.model(sys.argv[1])".replace(
            "sys.argv[1]", repr(IRIS)), runtime_env(self.home))
        self.assertEqual(r.returncode, 1, "expected a Python exception, not a crash: %r" % r)
        self.assertIn("License could not be found!", r.stderr)
        for place in dm.LICENCE_PLACES:
            self.assertIn(place, r.stderr)
        self.assertIn("RuntimeError: Driverless AI license error!", r.stderr)

    def test_daimojo_model_with_rejected_key(self):
        r = self.run_py("import daimojo; daimojo.model(%r)" % IRIS,
                        runtime_env(self.home, DRIVERLESS_AI_LICENSE_KEY=GARBAGE_KEY))
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("invalid Driverless AI license", r.stderr)
        self.assertNotIn(GARBAGE_KEY, r.stderr + r.stdout)

    LOAD = ("import sys, json; sys.path.insert(0, %r); import scorehost_dai_mojo as m\n"
            "try:\n    m.load(%r)\nexcept m.DaiMojoError as e:\n"
            "    print(json.dumps([type(e).__name__, str(e), getattr(e, 'reason', None)]))\n")

    def test_load_without_licence(self):
        r = self.run_py(self.LOAD % (GLUE, IRIS), runtime_env(self.home))
        self.assertEqual(r.returncode, 0, r.stderr)
        kind, msg, _ = json.loads(r.stdout)
        self.assertEqual((kind, msg), ("LicenceMissingError", dm.LICENCE_MISSING_MESSAGE))
        # refused before the pipeline was touched: the runtime printed nothing
        self.assertNotIn("pipeline.cc", r.stderr)

    def test_load_with_rejected_key(self):
        r = self.run_py(self.LOAD % (GLUE, IRIS),
                        runtime_env(self.home, DRIVERLESS_AI_LICENSE_KEY=GARBAGE_KEY))
        self.assertEqual(r.returncode, 0, r.stderr)
        kind, msg, reason = json.loads(r.stdout)
        self.assertEqual(kind, "LicenceRejectedError")
        self.assertEqual(reason, "invalid Driverless AI license")  # the runtime's words
        self.assertIn("DRIVERLESS_AI_LICENSE_KEY", msg)
        self.assertNotIn(GARBAGE_KEY, msg + r.stderr + r.stdout)
        self.assertIn("invalid Driverless AI license", r.stderr)  # the log still has it

    def test_load_with_rejected_file(self):
        sig = os.path.join(self.home, "license.sig")
        with open(sig, "w") as f:
            f.write("test double, not a licence\n")
        r = self.run_py(self.LOAD % (GLUE, IRIS),
                        runtime_env(self.home, DRIVERLESS_AI_LICENSE_FILE=sig))
        kind, msg, reason = json.loads(r.stdout)
        self.assertEqual((kind, reason), ("LicenceRejectedError", "invalid Driverless AI license"))
        self.assertIn("DRIVERLESS_AI_LICENSE_FILE", msg)


@unittest.skipUnless(have_daimojo(), NO_DAIMOJO)
class LicensedScoring(unittest.TestCase):
    """iris test.csv -> expected.csv through load/predict. Needs a real licence."""

    def setUp(self):
        found = dm.find_licence()
        if found is None:
            self.skipTest("no Driverless AI licence configured (%s): licensed scoring not run"
                          % ", ".join(dm.LICENCE_PLACES))
        need(IRIS)

    def test_iris_scores_to_expected(self):
        model = dm.load(IRIS)
        try:
            with open(IRIS_TEST, newline="") as f:
                rows = list(csv.DictReader(f))
            out = dm.predict(model, {k: [r[k] for r in rows] for k in rows[0]})
            with open(IRIS_EXPECTED, newline="") as f:
                expected = list(csv.DictReader(f))
            self.assertEqual(list(out), list(expected[0]))
            for i, row in enumerate(expected):
                for name, want in row.items():
                    self.assertAlmostEqual(out[name][i], float(want), places=5,
                                           msg="row %d %s" % (i, name))
        finally:
            model.close()


if __name__ == "__main__":
    unittest.main()
