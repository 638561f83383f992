#!/usr/bin/env bash
# The demo (README's first command): sets up, then `sweepd demo` starts a private Redis,
# the controller, the dashboard and two agents training MNIST. Arguments go to
# `sweepd demo` (see `sweepd demo --help`); Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(scripts/setup.sh | tail -n 1)
exec "$venv/bin/sweepd" demo "$@"
