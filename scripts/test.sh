#!/usr/bin/env bash
# The test command (README, .ci/run): sets everything up, then runs every test suite
# (unit, integration with real Redis + gRPC, browser, TypeScript) and checks that the
# committed code generated from proto/ (Python stubs, TypeScript types) matches it.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$(scripts/setup.sh | tail -n 1)
export PATH="$venv/bin:$PATH"

echo "[test] checking the code generated from proto/ is up to date"
generated=(clients/python/sweepd/v1 clients/typescript/src/gen)
scripts/gen_proto.sh "$venv/bin/python" >/dev/null
if ! git diff --quiet -- "${generated[@]}" || [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
  git status --short -- "${generated[@]}"
  echo "[test] FAIL: proto/ and the committed generated code differ; run scripts/gen_proto.sh and commit" >&2
  exit 1
fi

exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
