#!/usr/bin/env bash
# Installs the given Debian packages that are not installed yet (run as root). Idempotent and
# cheap when everything is present: apt-get only runs when something is missing.
#   bash .ci/apt-install-missing.sh PACKAGE...
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
