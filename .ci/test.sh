#!/usr/bin/env bash
# Builds scorehost twice (release, then ASan+UBSan) and runs the whole test suite in each.
# This is the README's test command; CI's .ci/run calls it. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
# Optional parts install their own prerequisites (Python toolchains, packaging tools).
for extra in .ci/python-deps.sh .ci/packaging-deps.sh; do
  if [[ -f $extra ]]; then bash "$extra"; fi
done
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# The sanitizer run: every test again, with ASan + UBSan (leaks included) on every binary and plugin.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSCOREHOST_SANITIZE=ON
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
