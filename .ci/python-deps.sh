#!/usr/bin/env bash
# Prerequisites of the Python runtime tests (plugins/python, tests/python): one "tools" virtualenv
# per Python minor found under pyenv (3.10, 3.11, 3.12), holding real MLflow and what the fixture
# script needs to save MLflow models. Idempotent and cheap when already done: a venv is rebuilt only
# when tests/python/fixture-requirements.txt changes (its hash is stored in the venv).
# The 3.10 and 3.12 venvs also get torch (tests/python/torch-fixture-requirements.txt) for the
# Hydrogen Torch fixtures: PyPI's Linux torch with its CUDA libraries, ~2.5 GB of wheels downloaded
# once per machine into pip's cache (about 2-3 minutes here) and unpacked per venv (~1-2 minutes).
# Everything goes to SCOREHOST_PY_TOOLS_DIR (default ~/.cache/scorehost/py-tools); pip's wheel cache
# (~/.cache/pip) makes the model envs the tests build later install without downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${SCOREHOST_PY_TOOLS_DIR:-$HOME/.cache/scorehost/py-tools}
reqs=tests/python/fixture-requirements.txt
torch_reqs=tests/python/torch-fixture-requirements.txt
pyroot=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
mkdir -p "$root"
for minor in 3.10 3.11 3.12; do
  py=$(ls -d "$pyroot"/versions/"$minor".*/bin/python"$minor" 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z $py ]]; then echo "python-deps: Python $minor not found under $pyroot/versions, skipping"; continue; fi
  venv=$root/py$minor
  with_torch=0
  if [[ $minor == 3.10 || $minor == 3.12 ]]; then with_torch=1; fi
  if ((with_torch)); then want=$(cat "$reqs" "$torch_reqs" | sha256sum | cut -c1-16); else want=$(sha256sum "$reqs" | cut -c1-16); fi
  if [[ -f $venv/.reqs-hash && $(cat "$venv/.reqs-hash") == "$want" ]]; then
    echo "python-deps: $venv is up to date"; continue
  fi
  echo "python-deps: building $venv with $py"
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs"
  # Python 3.12 venvs come without setuptools, and mlflow 2.14 still imports pkg_resources.
  if [[ $minor == 3.12 ]]; then "$venv/bin/python" -m pip install -q --disable-pip-version-check setuptools==70.0.0; fi
  if ((with_torch)); then "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$torch_reqs"; fi
  echo "$want" > "$venv/.reqs-hash"
done
# The daimojo venv of the dai-mojo-scorer's Python-side tests (tests/python/dai_mojo_metadata_test.py):
# daimojo 2.9.2 + datatable + protobuf, ~1.1 GB, pins from registry/dai-mojo-requirements.txt.
SCOREHOST_DAI_VENV=$root/dai bash tests/python/make_dai_venv.sh || echo "python-deps: daimojo venv not built; its tests skip"
