"""The code of the Hydrogen-Torch-like test models (shipped inside each model via code_paths, as
Hydrogen Torch ships its own package): two small torch networks and the MLflow PythonModel that
serves them the way HT's scoring pipeline does — weights from an artifact, the device chosen by
torch.cuda.is_available() at load, a DataFrame of predictions out.
"""
import base64  # noqa: F401 -- documented input form: binary columns arrive as bytes

import mlflow.pyfunc
import numpy as np
import pandas as pd
import torch
from torch import nn

TABULAR_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
TABULAR_LABELS = ["setosa", "versicolor", "virginica"]
IMAGE_SIDE = 8  # images are 8x8 grayscale, one byte per pixel, sent as base64 over REST


class TabularMlp(nn.Module):
    """2-layer MLP on the four iris measurements."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return self.net(x)


class TinyCnn(nn.Module):
    """One convolution + a linear head: is the bright stripe at the top or the bottom?"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.head = nn.Linear(4 * IMAGE_SIDE * IMAGE_SIDE, 2)

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).flatten(1))


def image_batch(values):
    """bytes per row -> float tensor [n, 1, 8, 8] in [0, 1]."""
    arr = np.stack([np.frombuffer(bytes(v), dtype=np.uint8) for v in values]).astype(np.float32) / 255.0
    return torch.from_numpy(arr.reshape(-1, 1, IMAGE_SIDE, IMAGE_SIDE))


class HtTorchModel(mlflow.pyfunc.PythonModel):
    """kind "tabular" or "image"; weights in the "weights" artifact (a state_dict)."""

    def __init__(self, kind):
        self.kind = kind

    def load_context(self, context):
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.net = TabularMlp() if self.kind == "tabular" else TinyCnn()
        self.net.load_state_dict(torch.load(context.artifacts["weights"], map_location="cpu"))
        self.net.to(self.device).eval()

    def predict(self, context, model_input, params=None):
        with torch.no_grad():
            if self.kind == "tabular":
                x = torch.tensor(model_input[TABULAR_FEATURES].to_numpy(dtype=np.float32), device=self.device)
                probs = torch.softmax(self.net(x), dim=1).cpu().numpy()
                out = pd.DataFrame({"pred_label": [TABULAR_LABELS[i] for i in probs.argmax(axis=1)]})
                for j, label in enumerate(TABULAR_LABELS):
                    out["probability_" + label] = probs[:, j]  # float32, as torch computes it
                return out
            x = image_batch(model_input["image"]).to(self.device)
            logits = self.net(x)
            probs = torch.softmax(logits, dim=1).cpu().numpy()
            return pd.DataFrame({"label": probs.argmax(axis=1).astype(np.int64), "score_bottom": probs[:, 1].astype(np.float64)})
