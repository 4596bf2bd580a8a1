"""CTest fixture setup: builds the MLflow test models for one Python version (see make_fixtures.py).

Usage: fixtures_setup.py <tools venv python> <out dir> [script, default make_fixtures.py]
Exits 77 (CTest "skipped") when the tools venv is missing, i.e. .ci/python-deps.sh has not run.
"""
import os
import subprocess
import sys

tools_python, out = sys.argv[1], sys.argv[2]
if not os.path.exists(tools_python):
    print("skipped: %s is missing; run .ci/python-deps.sh first" % tools_python)
    sys.exit(77)
os.makedirs(out, exist_ok=True)
marker = os.path.join(out, "fixtures.json")
if os.path.exists(marker):
    os.remove(marker)
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, PYTHONWARNINGS="ignore", MLFLOW_TRACKING_URI="file://" + os.path.join(out, "_mlruns"))
script = sys.argv[3] if len(sys.argv) > 3 else "make_fixtures.py"
sys.exit(subprocess.call([tools_python, os.path.join(here, script), out], env=env))
