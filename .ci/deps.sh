#!/usr/bin/env bash
# Installs everything scorehost needs to build and test on Debian 12 (run as root). Idempotent.
set -euo pipefail
packages=(
  build-essential cmake pkg-config python3
  libpistache-dev libsimdjson-dev libboost-dev libboost-filesystem-dev libboost-test-dev
  libzip-dev libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  curl wrk
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
