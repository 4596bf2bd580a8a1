"""Checks a model's requirements.txt against the packages installed in the Python running this.

Used by the static Hydrogen Torch 1.6 runtime, whose one pinned environment serves every model and
is never changed per model: a model may only need what that environment already has. Run with the
environment's own interpreter, so `packaging` (an MLflow dependency) applies PEP 440 exactly as pip
would, and importlib.metadata reports exactly what is installed.

Usage: python check_requirements.py REQUIREMENTS_TXT
Prints one JSON document: {"conflicts": [...], "warnings": [...]}, each entry
{"requirement": <the line>, "why": <one phrase>}. Exit 0 whenever it could judge the file.
"""
import json
import sys
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# A different version of these only warns: MLflow itself only warns when a model was saved by
# another MLflow or cloudpickle version, and loads it.
LENIENT = {"mlflow", "mlflow-skinny", "cloudpickle"}
# Installer tooling a requirements file may name; irrelevant to scoring.
IGNORED = {"pip", "setuptools", "wheel"}


def installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        if canonicalize_name(name) == "mlflow":  # mlflow-skinny provides the same loader
            return installed_version("mlflow-skinny")
        return None


def judge(line):
    """(kind, why) for one requirement line, or None when it is satisfied."""
    if line.startswith("-"):
        return "conflicts", "pip options and nested requirement files cannot be applied to the static environment"
    try:
        req = Requirement(line)
    except InvalidRequirement as exc:
        return "conflicts", "not a requirement the static environment can check (%s)" % exc
    if req.marker is not None and not req.marker.evaluate():
        return None
    name = canonicalize_name(req.name)
    if name in IGNORED:
        return None
    if req.url:
        return "conflicts", "a direct URL requirement cannot be applied to the static environment"
    have = installed_version(req.name)
    if have is None:
        return ("warnings" if name in LENIENT else "conflicts"), "the static environment does not have %s" % req.name
    if req.specifier and not req.specifier.contains(have, prereleases=True):
        return ("warnings" if name in LENIENT else "conflicts"), "the static environment has %s %s" % (req.name, have)
    return None


def main(path):
    out = {"conflicts": [], "warnings": []}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if " #" in line:
                line = line[:line.index(" #")].strip()
            if not line or line.startswith("#"):
                continue
            verdict = judge(line)
            if verdict is not None:
                out[verdict[0]].append({"requirement": line, "why": verdict[1]})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
