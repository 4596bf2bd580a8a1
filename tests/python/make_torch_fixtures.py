"""Builds the Hydrogen-Torch-like MLflow test models with real CPU torch and real MLflow, into OUT_DIR.

Usage: <tools venv python, with torch> make_torch_fixtures.py OUT_DIR

Hydrogen Torch exports custom pyfunc models (loader_module mlflow.pyfunc.model, python_model.pkl,
torch weights as artifacts, a requirements.txt naming torch); these are built the same way, with the
model code shipped via code_paths (ht_fixture/ht_models.py), trained here for a few hundred steps:
  ht_tabular   2-layer MLP on iris: pred_label (Str) + three float32 probabilities
  ht_image     a tiny CNN on 8x8 grayscale images sent as a base64 `binary` column: label (Int64) + score
  ht_conflict  ht_tabular with requirements pinning torch==2.1.0, which the static HT 1.6 env refuses
Next to each, expected.json holds the input frame and mlflow.pyfunc.load_model(path).predict(frame)
computed here, in an env with the same pins as the model's, so the tests compare with MLflow itself.
"""
import base64
import json
import os
import shutil
import sys

import mlflow.pyfunc
import numpy as np
import pandas as pd
import torch
from mlflow.models import infer_signature

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ht_fixture"))
import ht_models  # noqa: E402

OUT = os.path.abspath(sys.argv[1])
PY = "%d.%d.%d" % sys.version_info[:3]
REQS = ["mlflow-skinny==2.14.2", "cloudpickle==3.0.0", "numpy==1.26.4", "pandas==2.2.2", "torch==2.2.2"]
if sys.version_info >= (3, 12):
    REQS.append("setuptools==70.0.0")  # 3.12 venvs lack setuptools; mlflow 2.14 imports pkg_resources
torch.manual_seed(7)
np.random.seed(7)


def train(net, x, y, steps=300):
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
    return net


def save(name, kind, net, frame, example, requirements):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    weights = os.path.join(OUT, name + ".pt")
    torch.save(net.state_dict(), weights)
    model = ht_models.HtTorchModel(kind)
    model.load_context(type("Ctx", (), {"artifacts": {"weights": weights}})())
    signature = infer_signature(example, model.predict(None, example))
    mlflow.pyfunc.save_model(path, python_model=ht_models.HtTorchModel(kind), artifacts={"weights": weights},
                             code_paths=[os.path.join(HERE, "ht_fixture", "ht_models.py")],
                             signature=signature, input_example=example.head(3), pip_requirements=requirements)
    os.remove(weights)
    pred = mlflow.pyfunc.load_model(path).predict(frame)
    cell = lambda v: base64.b64encode(v).decode() if isinstance(v, bytes) else (v.item() if hasattr(v, "item") else v)
    doc = {"python": PY, "columns": list(frame.columns),
           "input": {c: [cell(v) for v in frame[c]] for c in frame.columns},
           "output": {c: [cell(v) for v in pred[c]] for c in pred.columns},
           "output_types": {c: str(pred[c].dtype) for c in pred.columns},
           "requirements": requirements}
    with open(os.path.join(path, "expected.json"), "w") as f:
        json.dump(doc, f)


# ---- tabular: iris --------------------------------------------------------------------------
from sklearn.datasets import load_iris  # noqa: E402 -- the tools venv has scikit-learn

iris = load_iris()
x = torch.tensor(iris.data, dtype=torch.float32)
y = torch.tensor(iris.target)
mlp = train(ht_models.TabularMlp(), x, y)
tab = pd.DataFrame(iris.data, columns=ht_models.TABULAR_FEATURES)
# every 5th row, plus values outside the training range (a net extrapolates; the API must not care)
frame = pd.concat([tab.iloc[::5], pd.DataFrame([[0.0, 0.0, 0.0, 0.0], [12.5, -3.25, 1e-7, 40.0]],
                                                 columns=ht_models.TABULAR_FEATURES)], ignore_index=True)
save("ht_tabular", "tabular", mlp, frame, tab.iloc[:5], REQS)
save("ht_conflict", "tabular", mlp, frame, tab.iloc[:5], [r for r in REQS if not r.startswith("torch")] + ["torch==2.1.0"])

# ---- image: bright stripe at the top (0) or the bottom (1) of an 8x8 picture ----------------
side = ht_models.IMAGE_SIDE


def picture(bottom, rng):
    img = rng.integers(0, 60, size=(side, side), dtype=np.uint8)
    rows = slice(side - 3, side) if bottom else slice(0, 3)
    img[rows, :] = rng.integers(180, 256, size=(3, side), dtype=np.uint8)
    return img.tobytes()


rng = np.random.default_rng(7)
labels = rng.integers(0, 2, size=200)
images = [picture(b, rng) for b in labels]
cnn = train(ht_models.TinyCnn(), ht_models.image_batch(images), torch.tensor(labels), steps=150)
img_frame = pd.DataFrame({"image": images[:24] + [bytes(side * side), bytes([255]) * (side * side)]})
save("ht_image", "image", cnn, img_frame, img_frame.head(3), REQS)

with open(os.path.join(OUT, "fixtures.json"), "w") as f:
    json.dump({"python": PY, "torch": torch.__version__, "models": ["ht_tabular", "ht_image", "ht_conflict"]}, f)
print("torch fixtures for Python %s written to %s" % (PY, OUT))
