"""Saves the benchmark model: a small scikit-learn classifier (logistic regression on iris, 4 float
inputs), with real MLflow via mlflow.sklearn.save_model, signature and input example.

Usage: <python with mlflow 2.14.2 + scikit-learn> make_model.py OUT_DIR

Its requirements.txt names the same pins as the test fixtures (tests/python/fixture-requirements.txt),
so scorehost's env cache entry is shared with the tests', and the bench venvs that run
`mlflow models serve` and MLServer hold the same numpy/pandas/scikit-learn versions.
"""
import os
import shutil
import sys

import mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "tests", "python", "fixture-requirements.txt")) as f:
    reqs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
if sys.version_info >= (3, 12):
    reqs.append("setuptools==70.0.0")  # as in make_fixtures.py: mlflow 2.14 imports pkg_resources

iris = load_iris(as_frame=True)
X = iris.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
clf = LogisticRegression(max_iter=500).fit(X, iris.target)
shutil.rmtree(out, ignore_errors=True)
mlflow.sklearn.save_model(clf, out, signature=infer_signature(X, clf.predict(X)), input_example=X.head(3),
                          pip_requirements=reqs)
print("benchmark model written to", out)
