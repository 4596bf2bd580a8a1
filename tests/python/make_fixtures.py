"""Builds the MLflow test models with real MLflow, into OUT_DIR (run by CTest, once per Python).

Usage: <tools venv python> make_fixtures.py OUT_DIR

Every model is saved the normal way (mlflow.sklearn.save_model / mlflow.pyfunc.save_model). All of
them name the same pip requirements (fixture-requirements.txt) so that one cached model env per
Python version serves them all. Next to each model, expected.json holds the input frame used by the
tests and MLflow's own prediction for it (mlflow.pyfunc.load_model(path).predict(frame)), so the
tests compare scorehost with MLflow itself.
"""
import json
import os
import shutil
import sys

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature

OUT = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixture-requirements.txt")) as f:
    REQS = [l.strip() for l in f if l.strip() and not l.startswith("#")]
if sys.version_info >= (3, 12):
    REQS.append("setuptools==70.0.0")  # 3.12 venvs lack setuptools; mlflow 2.14 imports pkg_resources
PY = "%d.%d.%d" % sys.version_info[:3]


def records(frame):
    """JSON-able columns: {name: [values, None for missing]}."""
    out = {}
    for c in frame.columns:
        out[str(c)] = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else
                       (v.item() if hasattr(v, "item") else v) for v in frame[c].tolist()]
    return out


def expect(path, frame, extra=None, mlflow_input=None):
    """Stores MLflow's own prediction for `frame` (or for `mlflow_input`, the same data in the form
    a user would hand MLflow, e.g. a numpy array for a tensor model) next to the model."""
    doc = {"input": records(frame), "columns": [str(c) for c in frame.columns], "python": PY}
    try:
        pred = mlflow.pyfunc.load_model(path).predict(frame if mlflow_input is None else mlflow_input)
        if isinstance(pred, pd.DataFrame):
            doc["output"] = {"kind": "frame", "columns": records(pred)}
        elif isinstance(pred, pd.Series):
            doc["output"] = {"kind": "series", "values": records(pred.to_frame())[str(pred.to_frame().columns[0])]}
        else:
            arr = np.asarray(pred)
            doc["output"] = {"kind": "array", "values": arr.tolist()}
    except Exception as exc:  # noqa: BLE001 -- the failure is what some fixtures are about
        doc["error"] = "%s: %s" % (type(exc).__name__, exc)
    # The saved input example's first row (what GET /model/sample_request should offer), as JSON
    # values; None when the model was saved without one.
    example = mlflow.models.Model.load(path).load_input_example(path)
    if example is not None:
        example = pd.DataFrame(example)
        doc["example_first_row"] = {str(c): v[0] for c, v in records(example.head(1)).items()}
    doc.update(extra or {})
    with open(os.path.join(path, "expected.json"), "w") as f:
        json.dump(doc, f)


def fresh(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


# ---- 1. scikit-learn classifier via mlflow.sklearn, signature + input example ----------------
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

iris = load_iris(as_frame=True)
X = iris.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
y = iris.target
clf = LogisticRegression(max_iter=500).fit(X, y)
path = fresh("sklearn_iris")
mlflow.sklearn.save_model(clf, path, signature=infer_signature(X, clf.predict(X)), input_example=X.head(3),
                          pip_requirements=REQS)
expect(path, X.iloc[::10].reset_index(drop=True))
shutil.make_archive(os.path.join(OUT, "sklearn_iris"), "zip", OUT, "sklearn_iris")  # zip with top folder


# ---- 2. custom PythonModel with an artifact (the seed's pattern), DataFrame output -----------
class ScaledSum(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["weights"]) as f:
            self.w = json.load(f)

    def predict(self, context, model_input):
        s = sum(model_input[k] * v for k, v in self.w.items())
        return pd.DataFrame({"score": s.astype("float64"), "positive": s > 0})


os.makedirs(os.path.join(OUT, "_art"), exist_ok=True)
weights = os.path.join(OUT, "_art", "weights.json")
with open(weights, "w") as f:
    json.dump({"a": 0.5, "b": -2.0}, f)
frame = pd.DataFrame({"a": [1.0, 2.0, -3.5, 0.0], "b": [0.25, 3.0, 1.0, -1.0]})
path = fresh("pyfunc_artifact")
model = ScaledSum()
ctx = mlflow.pyfunc.PythonModelContext(artifacts={"weights": weights}, model_config={})
model.load_context(ctx)
mlflow.pyfunc.save_model(path, python_model=ScaledSum(), artifacts={"weights": weights},
                         signature=infer_signature(frame, model.predict(ctx, frame)), pip_requirements=REQS)
expect(path, frame)


# ---- 3. a model returning a Series, no signature, input example only -------------------------
class SeriesModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        return pd.Series(model_input["x"] * 2 + model_input["n"], name="y")


frame = pd.DataFrame({"x": [1.5, 2.5, -1.0], "n": [1, 2, 3]})
path = fresh("pyfunc_series_nosig")
mlflow.pyfunc.save_model(path, python_model=SeriesModel(), input_example=frame, pip_requirements=REQS)
# MLflow 2.x infers a signature from the input example; models saved by older MLflow versions (or
# logged with the signature dropped) have none. Remove it to get such a model.
with open(os.path.join(path, "MLmodel")) as f:
    lines = f.read().splitlines()
kept, skipping = [], False
for line in lines:
    if line.startswith("signature:"):
        skipping = True
        continue
    if skipping and line.startswith(" "):
        continue
    skipping = False
    kept.append(line)
with open(os.path.join(path, "MLmodel"), "w") as f:
    f.write("\n".join(kept) + "\n")
assert mlflow.pyfunc.load_model(path).metadata.signature is None
expect(path, frame)


# ---- 4. string and integer columns with nulls ------------------------------------------------
class MixedModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        name = model_input["name"]
        return pd.DataFrame({
            "greeting": ["hello " + v if isinstance(v, str) else None for v in name],
            "count_plus_one": model_input["count"] + 1,
            "weight_missing": model_input["weight"].isna(),
        })


frame = pd.DataFrame({"name": ["ann", None, "bob", "ç日本"], "count": [1, 2, 3, 4],
                      "weight": [0.5, np.nan, 2.0, None]})
path = fresh("pyfunc_mixed_nulls")
m = MixedModel()
mlflow.pyfunc.save_model(path, python_model=m, signature=infer_signature(frame, m.predict(None, frame)),
                         pip_requirements=REQS)
expect(path, frame)


# ---- 4b. scikit-learn Pipeline (mlflow.sklearn) over string, int32, boolean and double columns --
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

rng = np.random.default_rng(7)
frame = pd.DataFrame({"color": rng.choice(["red", "green", "blue"], 200), "n": rng.integers(0, 10, 200).astype("int32"),
                      "flag": rng.choice([True, False], 200), "x": rng.normal(size=200)})
target = frame["x"] * 2 + frame["n"] + (frame["color"] == "red") * 3 + frame["flag"]
pipe = Pipeline([("prep", ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["color"]),
                                             ("scale", StandardScaler(), ["n", "x"])], remainder="passthrough")),
                 ("forest", RandomForestRegressor(n_estimators=10, random_state=0))]).fit(frame, target)
path = fresh("sklearn_pipeline_mixed")
mlflow.sklearn.save_model(pipe, path, signature=infer_signature(frame, pipe.predict(frame)), input_example=frame.head(2),
                          pip_requirements=REQS)
expect(path, frame.head(9))


# ---- 4c. tensor signature: a 2-D float array in, a 2-D array of class probabilities out ------
class Proba(mlflow.pyfunc.PythonModel):
    def __init__(self, model):
        self.model = model

    def predict(self, context, model_input):
        return self.model.predict_proba(np.asarray(model_input))


Xn = X.to_numpy()
clf_np = LogisticRegression(max_iter=500).fit(Xn, y)  # fitted on an array: no feature-name warnings
path = fresh("pyfunc_tensor_proba")
mlflow.pyfunc.save_model(path, python_model=Proba(clf_np), signature=infer_signature(Xn, clf_np.predict_proba(Xn)),
                         input_example=Xn[:2], pip_requirements=REQS)
expect(path, pd.DataFrame(Xn[::25]), mlflow_input=Xn[::25])


# ---- 5. wrong row count, 6. raises, 7. segfaults, 8. hangs ------------------------------------
class WrongRows(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        return pd.DataFrame({"total": [float(model_input["v"].sum())]})  # aggregates: 1 row


class Raises(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        if (model_input["v"] < 0).any():
            raise ValueError("negative input is not allowed by this model")
        return pd.DataFrame({"out": model_input["v"] * 10})


class Segfaults(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        if (model_input["v"] == 13).any():
            import ctypes
            ctypes.string_at(0)  # reads address 0: SIGSEGV in the interpreter
        return pd.DataFrame({"out": model_input["v"] + 1})


class Hangs(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        if (model_input["v"] == 7).any():
            import os
            import time
            import uuid
            mark = os.environ.get("PYFIXTURE_MARK_DIR")
            if mark:
                # Tells a test that this call is now in flight inside the worker, and the worker's
                # pid (file name), so it can kill the worker at a known moment without sleeping.
                with open(os.path.join(mark, "%d-%s" % (os.getpid(), uuid.uuid4().hex)), "w"):
                    pass
            while True:
                time.sleep(3600)
        return pd.DataFrame({"out": model_input["v"] - 1})


vframe = pd.DataFrame({"v": [1.0, 2.0, 3.0]})
for name, cls, sig_out in [("pyfunc_wrong_rows", WrongRows, pd.DataFrame({"total": [1.0]})),
                           ("pyfunc_raises", Raises, pd.DataFrame({"out": [1.0]})),
                           ("pyfunc_segfault", Segfaults, pd.DataFrame({"out": [1.0]})),
                           ("pyfunc_hangs", Hangs, pd.DataFrame({"out": [1.0]}))]:
    path = fresh(name)
    mlflow.pyfunc.save_model(path, python_model=cls(), signature=infer_signature(vframe, sig_out),
                             pip_requirements=REQS)
    expect(path, vframe)


# ---- 9. a model that crashes the interpreter while loading -----------------------------------
class CrashOnLoad(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        import ctypes
        print("crash-on-load fixture: about to crash", flush=True)
        ctypes.string_at(0)

    def predict(self, context, model_input):
        return model_input


path = fresh("pyfunc_crash_on_load")
mlflow.pyfunc.save_model(path, python_model=CrashOnLoad(), signature=infer_signature(vframe, vframe),
                         pip_requirements=REQS)


# ---- 10. a copy of the sklearn model claiming another Python minor --------------------------
other = "3.11.9" if sys.version_info[:2] != (3, 11) else "3.12.4"
path = fresh("wrong_python")
shutil.copytree(os.path.join(OUT, "sklearn_iris"), path)
with open(os.path.join(path, "python_env.yaml")) as f:
    text = f.read()
with open(os.path.join(path, "python_env.yaml"), "w") as f:
    f.write("\n".join(("python: " + other) if l.startswith("python:") else l for l in text.splitlines()) + "\n")

with open(os.path.join(OUT, "fixtures.json"), "w") as f:
    json.dump({"python": PY, "mlflow": mlflow.__version__, "other_python": other}, f)
print("fixtures for Python %s written to %s" % (PY, OUT))
