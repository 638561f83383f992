#!/usr/bin/env bash
# Regenerates the committed code made from proto/ (the one documented command): the
# Python stubs (clients/python/sweepd/v1) and the TypeScript client's message types
# (clients/typescript/src/gen, by @grpc/proto-loader's generator, with the loader options
# of clients/typescript/src/proto.ts). Never edit either by hand.
# Usage: scripts/gen_proto.sh [PYTHON]   (PYTHON defaults to the one on PATH; it needs
# grpcio-tools; the TypeScript generator comes with `npm ci` in clients/typescript)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${1:-python3}
out=clients/python
rm -f "$out"/sweepd/v1/*_pb2*.py "$out"/sweepd/v1/*_pb2*.pyi
"$py" -m grpc_tools.protoc -I proto \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  proto/sweepd/v1/*.proto
echo '"""Generated protobuf and gRPC code for sweepd.v1 (scripts/gen_proto.sh; never edit by hand)."""' > "$out/sweepd/v1/__init__.py"

ts=clients/typescript
gen=$ts/node_modules/.bin/proto-loader-gen-types
if [ ! -x "$gen" ]; then
  echo "gen_proto: $gen not found, TypeScript types NOT regenerated; run \`npm ci\` in $ts" \
       "(scripts/setup.sh does when npm is installed)" >&2
  exit 0
fi
rm -rf "$ts/src/gen"
(cd proto && "../$gen" --keepCase --longs=String --enums=String --defaults --oneofs \
  --grpcLib=@grpc/grpc-js -I . -O "../$ts/src/gen" sweepd/v1/*_service.proto >/dev/null)
