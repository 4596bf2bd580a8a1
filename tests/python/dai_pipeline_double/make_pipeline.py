#!/usr/bin/env python3
"""Builds a TEST DOUBLE of a Driverless AI Python scoring pipeline (scorer.zip).

No real DAI Python scoring pipeline is public, and the real one needs DAI's h2oaicore wheel (a
licensed product). This writes the same *layout* and the same *Scorer API surface*, computing
something simple and deterministic instead of a DAI model:

  <out>/scorer.zip                    top folder scoring-pipeline/, as DAI exports it
  <out>/scoring-pipeline/             the same files, extracted
      scoring_h2oai_experiment_<id>-1.0.0-py3-none-any.whl
          module scoring_h2oai_experiment_<id>: Scorer with score, score_batch, get_column_names,
          get_target_labels, get_transformed_column_names, get_pred_columns
          Requires-Dist: h2oaicore (==<dai version>)
      h2oaicore-<dai version>-<cp3X>-<cp3X>-linux_x86_64.whl
          a tiny package named h2oaicore whose metadata says it is a test double; it holds the
          licence check the double's Scorer() runs (the four places of the seed's licence rules)
      requirements.txt, example.py, run_example.sh
  <out>/mlflow-model/                 with --mlflow: MLmodel + artifacts/scoring-pipeline/ (our guess
                                      at the MLflow-wrapped form, see DAI-PYTHON-PIPELINE.md)

The model: a fixed binomial logistic regression "is Iris-virginica" on the four iris columns.
margin = BIAS + sum(W[c] * x[c]); missing or empty cells take MEANS[c] (as if imputed with the
training mean); p(virginica) = 1 / (1 + exp(-margin)). Shapley values (pred_contribs=True) are the
exact ones of a linear model in margin space: contrib_<t> = W[c] * (x[c] - MEANS[c]) and
contrib_bias = BIAS + sum(W[c] * MEANS[c]), so the row sums to the margin.

Wheels are written with the standard library only (zipfile + dist-info), so this runs offline and
needs neither pip nor setuptools. Everything is deterministic: fixed timestamps, fixed order.

Usage: make_pipeline.py --dai-version 2.2.4 --out DIR [--python-tag cp311] [--experiment-id ID] [--mlflow]
"""

import argparse
import base64
import hashlib
import os
import shutil
import zipfile

# The double's model, imported by the tests to compute expected values independently.
COLUMNS = ["sepal_len", "sepal_wid", "petal_len", "petal_wid"]
TRANSFORMED = ["0_sepal_len", "1_sepal_wid", "2_petal_len", "3_petal_wid"]
TARGET = "class"
LABELS = ["Iris-other", "Iris-virginica"]
W = [-0.45, -1.1, 1.7, 2.9]
BIAS = -7.2
MEANS = [5.843, 3.057, 3.758, 1.199]

_EPOCH = (2024, 1, 1, 0, 0, 0)


def experiment_id_for(dai_version):
    # DAI uses the experiment's UUID with "-" → "_"; ours says what it is and which version built it.
    return "testdouble_" + dai_version.replace(".", "_")


def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_wheel(path, dist, version, tag, files, requires=(), summary=""):
    """A PEP 427 wheel: `files` {archive name: text} plus METADATA, WHEEL and RECORD."""
    dist_info = "%s-%s.dist-info" % (dist, version)
    meta = ["Metadata-Version: 2.1", "Name: " + dist, "Version: " + version, "Summary: " + summary]
    meta += ["Requires-Dist: " + r for r in requires]
    entries = dict(files)
    entries[dist_info + "/METADATA"] = "\n".join(meta) + "\n\n" + summary + "\n"
    entries[dist_info + "/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: scorehost make_pipeline.py (test double)\n"
                                     "Root-Is-Purelib: %s\nTag: %s\n" % ("true" if tag.endswith("-none-any") else "false", tag))
    entries[dist_info + "/top_level.txt"] = "\n".join(sorted({n.split("/")[0] for n in files})) + "\n"
    record = []
    for name, text in entries.items():
        data = text.encode()
        record.append("%s,%s,%d" % (name, _record_hash(data), len(data)))
    record.append(dist_info + "/RECORD,,")
    entries[dist_info + "/RECORD"] = "\n".join(record) + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in entries.items():
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


H2OAICORE_INIT = '''"""TEST DOUBLE of Driverless AI's h2oaicore (scorehost tests/python/dai_pipeline_double).

Not Driverless AI: only a version string and a licence check that looks where the seed's rules say
the runtime looks, so the double's Scorer() fails without a licence as a real pipeline does.
"""
import os

__version__ = %(version)r
TEST_DOUBLE = True

SYSTEM_LICENSE_FILE = "/license/license.sig"


def check_license():
    if os.environ.get("DRIVERLESS_AI_LICENSE_KEY", "").strip():
        return "DRIVERLESS_AI_LICENSE_KEY"
    places = [os.environ.get("DRIVERLESS_AI_LICENSE_FILE", ""), SYSTEM_LICENSE_FILE,
              os.path.expanduser("~/.driverlessai/license.sig")]
    for p in places:
        if p and os.path.isfile(p):
            return p
    raise RuntimeError("Driverless AI license error! (test double: no DRIVERLESS_AI_LICENSE_KEY, "
                       "DRIVERLESS_AI_LICENSE_FILE, /license/license.sig or ~/.driverlessai/license.sig)")
'''

SCORER_PY = '''"""TEST DOUBLE of a Driverless AI Python scoring pipeline's Scorer (scorehost tests).

Same API surface as DAI's generated scorer (score, score_batch, get_column_names,
get_target_labels, get_transformed_column_names, get_pred_columns); the model is a fixed logistic
regression "is Iris-virginica", not a DAI experiment. Built by make_pipeline.py for DAI %(version)s.
"""
import math

import h2oaicore

TEST_DOUBLE = True
DAI_VERSION = %(version)r
COLUMNS = %(columns)r
TRANSFORMED = %(transformed)r
TARGET = %(target)r
LABELS = %(labels)r
W = %(w)r
BIAS = %(bias)r
MEANS = %(means)r
_MISSING = ("", "NA", "N/A", "nan", "NaN", "None", "null")


def _value(v, i):
    if v is None:
        return MEANS[i]
    if isinstance(v, float) and math.isnan(v):
        return MEANS[i]
    if isinstance(v, str):
        if v.strip() in _MISSING:
            return MEANS[i]
        return float(v)  # ValueError for text that is not a number, as a typed pipeline would
    return float(v)


class Scorer:
    def __init__(self):
        # A real pipeline checks the licence when the Scorer is built; so does the double.
        self.license_source = h2oaicore.check_license()

    def get_column_names(self):
        return list(COLUMNS)

    def get_transformed_column_names(self):
        return list(TRANSFORMED)

    def get_target_labels(self):
        import numpy as np
        return np.array(LABELS)

    def get_pred_columns(self, output_margin=False, pred_contribs=False):
        if pred_contribs:
            return ["contrib_" + t for t in TRANSFORMED] + ["contrib_bias"]
        return ["%%s.%%s" %% (TARGET, label) for label in LABELS]

    def _row(self, values, output_margin, pred_contribs):
        if output_margin and pred_contribs:
            raise ValueError("output_margin and pred_contribs cannot both be set")
        if len(values) != len(COLUMNS):
            raise ValueError("expected %%d values (%%s), got %%d" %% (len(COLUMNS), ", ".join(COLUMNS), len(values)))
        x = [_value(v, i) for i, v in enumerate(values)]
        if pred_contribs:
            contribs = [W[i] * (x[i] - MEANS[i]) for i in range(len(x))]
            return contribs + [BIAS + sum(W[i] * MEANS[i] for i in range(len(x)))]
        margin = BIAS + sum(W[i] * x[i] for i in range(len(x)))
        if output_margin:
            return [-margin, margin]
        p = 1.0 / (1.0 + math.exp(-margin))
        return [1.0 - p, p]

    def score(self, row, output_margin=False, pred_contribs=False, **kwargs):
        return self._row(list(row), output_margin, pred_contribs)

    def score_batch(self, frame, output_margin=False, pred_contribs=False, fast_approx=False, **kwargs):
        import pandas as pd
        if not isinstance(frame, pd.DataFrame):
            frame = frame.to_pandas()  # a datatable.Frame, as DAI's scorer also accepts
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise KeyError("columns missing from the frame: %%s" %% ", ".join(missing))
        cols = [frame[c].tolist() for c in COLUMNS]
        rows = [self._row([col[r] for col in cols], output_margin, pred_contribs) for r in range(len(frame))]
        names = self.get_pred_columns(output_margin, pred_contribs)
        return pd.DataFrame(rows, columns=names, dtype="float64")

    def fit_transform_batch(self, *frames):
        raise NotImplementedError("test double: no feature engineering")
'''

EXAMPLE_PY = '''"""TEST DOUBLE of DAI's example.py: score a row and a frame with the pipeline's Scorer."""
import pandas as pd
from %(module)s import Scorer

scorer = Scorer()
print("columns:", scorer.get_column_names())
print("score:", scorer.score(["6.3", "3.3", "6.0", "2.5"]))
frame = pd.DataFrame([["6.3", "3.3", "6.0", "2.5"], ["5.1", "3.5", "1.4", "0.2"]], columns=scorer.get_column_names())
print(scorer.score_batch(frame))
'''

RUN_EXAMPLE_SH = '''#!/bin/sh
# TEST DOUBLE of DAI's run_example.sh: an env with the requirements and both wheels, then example.py.
set -e
cd "$(dirname "$0")"
python3 -m venv env
env/bin/pip install -r requirements.txt h2oaicore-*.whl scoring_h2oai_experiment_*.whl
env/bin/python example.py
'''


def build(dai_version, out, python_tag="cp311", experiment_id=None, mlflow=False):
    """Writes the double into `out`; returns {"zip", "dir", "module", "experiment_wheel", "h2oaicore_wheel"}."""
    experiment_id = experiment_id or experiment_id_for(dai_version)
    module = "scoring_h2oai_experiment_" + experiment_id
    pipe = os.path.join(out, "scoring-pipeline")
    shutil.rmtree(pipe, ignore_errors=True)
    os.makedirs(pipe)

    core_wheel = "h2oaicore-%s-%s-%s-linux_x86_64.whl" % (dai_version, python_tag, python_tag)
    write_wheel(os.path.join(pipe, core_wheel), "h2oaicore", dai_version, "%s-%s-linux_x86_64" % (python_tag, python_tag),
                {"h2oaicore/__init__.py": H2OAICORE_INIT % {"version": dai_version}},
                summary="TEST DOUBLE of Driverless AI h2oaicore %s (scorehost tests; not Driverless AI)" % dai_version)

    exp_wheel = "%s-1.0.0-py3-none-any.whl" % module
    scorer = SCORER_PY % {"version": dai_version, "columns": COLUMNS, "transformed": TRANSFORMED, "target": TARGET,
                          "labels": LABELS, "w": W, "bias": BIAS, "means": MEANS}
    write_wheel(os.path.join(pipe, exp_wheel), module, "1.0.0", "py3-none-any",
                {module + "/__init__.py": '"""TEST DOUBLE experiment module."""\nfrom .scorer import Scorer  # noqa: F401\n',
                 module + "/scorer.py": scorer},
                requires=["h2oaicore (==%s)" % dai_version, "pandas", "numpy"],
                summary="TEST DOUBLE of a Driverless AI %s Python scoring pipeline (scorehost tests)" % dai_version)

    # Like DAI's, the requirements are the third-party packages; the two wheels are installed
    # beside them (run_example.sh), not listed here.
    files = {
        "requirements.txt": "# TEST DOUBLE of a DAI scoring pipeline's requirements\nnumpy\npandas\n",
        "example.py": EXAMPLE_PY % {"module": module},
        "run_example.sh": RUN_EXAMPLE_SH,
        "README.txt": "TEST DOUBLE of a Driverless AI %s Python scoring pipeline, built by scorehost's "
                      "tests/python/dai_pipeline_double/make_pipeline.py. Not produced by Driverless AI.\n" % dai_version,
    }
    for name, text in files.items():
        with open(os.path.join(pipe, name), "w") as f:
            f.write(text)

    zip_path = os.path.join(out, "scorer.zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("scoring-pipeline/", _EPOCH), "")
        for name in sorted(os.listdir(pipe)):
            info = zipfile.ZipInfo("scoring-pipeline/" + name, _EPOCH)
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(pipe, name), "rb") as f:
                z.writestr(info, f.read())

    result = {"zip": zip_path, "dir": pipe, "module": module, "experiment_wheel": os.path.join(pipe, exp_wheel),
              "h2oaicore_wheel": os.path.join(pipe, core_wheel)}
    if mlflow:
        mdir = os.path.join(out, "mlflow-model")
        shutil.rmtree(mdir, ignore_errors=True)
        shutil.copytree(pipe, os.path.join(mdir, "artifacts", "scoring-pipeline"))
        with open(os.path.join(mdir, "MLmodel"), "w") as f:
            f.write("# TEST DOUBLE: a guess at the MLflow-wrapped DAI Python scoring pipeline\n"
                    "flavors:\n  python_function:\n    loader_module: scoring_pipeline_test_double\n"
                    "    python_version: 3.11.7\n")
        result["mlflow_dir"] = mdir
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dai-version", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--python-tag", default="cp311")
    ap.add_argument("--experiment-id")
    ap.add_argument("--mlflow", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    r = build(a.dai_version, a.out, a.python_tag, a.experiment_id, a.mlflow)
    for k, v in r.items():
        print("%s=%s" % (k, v))


if __name__ == "__main__":
    main()
