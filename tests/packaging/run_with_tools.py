"""Runs a packaging test with the tools virtualenv that .ci/packaging-deps.sh builds (Helm SDK,
kubernetes-validate, hadolint). Without it: skipped (exit 77) with the reason on a developer
machine, a failure in CI (CI=true), so CI can never go green by skipping.
Usage: run_with_tools.py [--also-sanitized] TEST_SCRIPT [args]
Without --also-sanitized the test is skipped in the sanitizer build."""
import os
import sys

also_sanitized = len(sys.argv) > 1 and sys.argv[1] == "--also-sanitized"
if also_sanitized:
    del sys.argv[1]
elif os.environ.get("SCOREHOST_SANITIZE", "").lower() in ("1", "true", "on"):
    print("SKIPPED: packaging tests check files and packages, not code; they run in the release "
          "build's ctest, not again in the sanitizer build")
    sys.exit(77)
tools = os.environ.get("SCOREHOST_PKG_TOOLS_DIR") or os.path.expanduser("~/.cache/scorehost/pkg-tools")
python = os.path.join(tools, "venv", "bin", "python")
if not os.access(python, os.X_OK):
    msg = f"packaging tools not installed ({python} missing): run .ci/packaging-deps.sh"
    if os.environ.get("CI", "").lower() == "true":
        print("FAILED: " + msg)
        sys.exit(1)
    print("SKIPPED: " + msg)
    sys.exit(77)
os.execv(python, [python] + sys.argv[1:])
