#!/usr/bin/env bash
# Installs the tools a benchmark needs that this machine lacks (Debian packages, as root), so each
# bench/*/run.sh works on a fresh Debian 12 machine after the README's build command, like the
# README's own commands. Cheap when everything is there: nothing runs but `command -v`.
#   bash bench/require.sh COMMAND=PACKAGE...
set -euo pipefail
missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
((${#missing[@]})) || exit 0
echo "[bench] installing missing tools: ${missing[*]}" >&2
exec bash "$(dirname "$0")/../.ci/apt-install-missing.sh" "${missing[@]}"
