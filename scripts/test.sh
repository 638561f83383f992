#!/usr/bin/env bash
# The test command (README, .ci/run): sets everything up, then runs every test suite
# (unit, integration with real Redis + gRPC, browser, TypeScript) and checks that the
# committed protobuf stubs match proto/. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(scripts/setup.sh | tail -n 1)
export PATH="$venv/bin:$PATH"

echo "[test] checking generated stubs are up to date"
scripts/gen_proto.sh "$venv/bin/python" >/dev/null 2>&1
if ! git diff --quiet -- clients/python/sweepd/v1 || [ -n "$(git status --porcelain -- clients/python/sweepd/v1)" ]; then
  git status --short -- clients/python/sweepd/v1
  echo "[test] FAIL: proto/ and the committed stubs differ; run scripts/gen_proto.sh and commit" >&2
  exit 1
fi

exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
