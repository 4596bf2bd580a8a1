#!/usr/bin/env bash
# Virtualenvs for the Python-runtime benchmark (bench/python/run.sh), built with pyenv's newest
# Python 3.11, into ${SCOREHOST_BENCH_VENVS:-~/.cache/scorehost/bench-py}:
#   mlflow-serve/  mlflow 2.14.2 (full: `mlflow models serve` needs gunicorn + flask)
#   mlserver/      mlserver + mlserver-mlflow 1.6.1 (the newest pair that accepts mlflow 2.14.2;
#                  1.7.x requires mlflow 3), uvloop 0.21.0 (uvloop >= 0.22 breaks mlserver 1.6's
#                  worker start: "There is no current event loop in thread 'MainThread'")
# Both also get the model's own pins (tests/python/fixture-requirements.txt), so the three
# servers run the same numpy / pandas / scikit-learn. Idempotent: a venv is rebuilt only when
# this file or the pins change.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REQS="$HERE/../../tests/python/fixture-requirements.txt"
ROOT="${SCOREHOST_BENCH_VENVS:-$HOME/.cache/scorehost/bench-py}"
PY=$(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.11.*/bin/python3.11 2>/dev/null | sort -V | tail -1 || true)
PY=${PY:-$(command -v python3.11)}
want=$(cat "$0" "$REQS" | sha256sum | cut -c1-16)
mkdir -p "$ROOT"
build() {  # name packages...
  local venv="$ROOT/$1"; shift
  if [[ -f $venv/.bench-hash && $(cat "$venv/.bench-hash") == "$want" ]]; then return; fi
  echo "bench setup: building $venv with $PY" >&2
  rm -rf "$venv"
  "$PY" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$@" -r "$REQS"
  echo "$want" > "$venv/.bench-hash"
}
build mlflow-serve mlflow==2.14.2
build mlserver mlserver==1.6.1 mlserver-mlflow==1.6.1 mlflow==2.14.2 uvloop==0.21.0
