#!/usr/bin/env bash
# The daimojo virtualenv that the dai-mojo-scorer's Python side (plugins/python/glue/
# scorehost_dai_mojo.py) and its tests (tests/python/dai_mojo_metadata_test.py) run in.
#
#   tests/python/make_dai_venv.sh [VENV_DIR]      default: $SCOREHOST_DAI_VENV, else ~/.cache/scorehost/py-tools/dai
#
# daimojo 2.9.2 has wheels only for cp310/cp311/cp312 on manylinux_2_28_x86_64 (no sdist, no
# aarch64/macOS/Windows, no cp39/cp313), so the newest of those minors found under pyenv is used
# (SCOREHOST_DAI_PYTHON overrides). Idempotent: the venv is rebuilt only when the pinned
# requirements below change (their hash is kept in the venv), like .ci/python-deps.sh.
# Cold build on the development machine: ~50 s with a warm network, 1.1 GB on disk (the wheel is
# 241 MB: it bundles libtensorflow and libtorch for NLP pipelines).
set -euo pipefail
venv=${1:-${SCOREHOST_DAI_VENV:-$HOME/.cache/scorehost/py-tools/dai}}
# Pins: the dai-mojo-scorer's own (registry/dai-mojo-requirements.txt), so the tests run the module
# in the same environment the runtime builds.
reqs=$(grep -v '^[[:space:]]*#' "$(dirname "$0")/../../registry/dai-mojo-requirements.txt" | grep -v '^[[:space:]]*$')
want=$(printf '%s\n' "$reqs" | sha256sum | cut -c1-16)

if [[ -f $venv/.reqs-hash && $(cat "$venv/.reqs-hash") == "$want" ]]; then
  echo "make_dai_venv: $venv is up to date"; exit 0
fi

py=${SCOREHOST_DAI_PYTHON:-}
if [[ -z $py ]]; then
  pyroot=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for minor in 3.12 3.11 3.10; do
    py=$(ls -d "$pyroot"/versions/"$minor".*/bin/python"$minor" 2>/dev/null | sort -V | tail -1 || true)
    [[ -z $py ]] && py=$(command -v python"$minor" || true)
    [[ -n $py ]] && break
  done
fi
if [[ -z $py ]]; then
  echo "make_dai_venv: no Python 3.10/3.11/3.12 found (daimojo 2.9.2 has wheels for those only)" >&2
  exit 1
fi
if [[ $(uname -m) != x86_64 ]]; then
  echo "make_dai_venv: daimojo 2.9.2 has wheels for x86_64 Linux only, this is $(uname -m)" >&2
  exit 1
fi

echo "make_dai_venv: building $venv with $py"
rm -rf "$venv"
"$py" -m venv "$venv"
printf '%s\n' "$reqs" > "$venv/requirements.txt"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: \
  -r "$venv/requirements.txt"
# Fail here, not in the tests, if the wheel does not import (e.g. glibc < 2.28).
"$venv/bin/python" -c "import daimojo, datatable; print('make_dai_venv: daimojo', daimojo.__version__)"
echo "$want" > "$venv/.reqs-hash"
