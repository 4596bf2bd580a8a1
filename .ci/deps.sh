#!/usr/bin/env bash
# Installs everything scorehost needs to build and test on Debian 12 (run as root). Idempotent.
set -euo pipefail
packages=(
  build-essential cmake pkg-config python3
  libpistache-dev libsimdjson-dev libboost-dev libboost-filesystem-dev libboost-test-dev
  libzip-dev libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  curl wrk
)
bash "$(dirname "$0")/apt-install-missing.sh" "${packages[@]}"
