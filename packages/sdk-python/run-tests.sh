#!/usr/bin/env bash
# The Python SDK's tests, the same way everywhere: Debian's python3 (/usr/bin/python3, 3.11) and
# its python3-pytest, whatever python3 comes first on PATH. The SDK is installed with pip into a
# throw-away virtual environment (as `pip install ./packages/sdk-python` would), so the tests use
# the installed package. Needs: apt-get install -y python3-pytest python3-venv (.ci/run does it).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=/usr/bin/python3
if ! "$PYTHON" -c 'import pytest, venv, ensurepip' 2>/dev/null; then
  echo "Needs Debian's python3-pytest and python3-venv: apt-get install -y python3-pytest python3-venv" >&2
  exit 1
fi
env_dir="$(mktemp -d)"
trap 'rm -rf "$env_dir"' EXIT
"$PYTHON" -m venv --system-site-packages "$env_dir"
# pip builds the package with setuptools; without a package index, use the system's setuptools.
"$env_dir/bin/pip" install --quiet . 2>/dev/null || "$env_dir/bin/pip" install --quiet --no-build-isolation .
rm -rf build trellis_sdk.egg-info
# Run from tests/ so `import trellis` finds the installed package, not the source folder.
cd tests
"$env_dir/bin/python" -m pytest -p no:cacheprovider --rootdir=. "$@" .
