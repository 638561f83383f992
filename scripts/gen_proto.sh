#!/usr/bin/env bash
# Regenerates the committed Python stubs from proto/ (the one documented command).
# Usage: scripts/gen_proto.sh [PYTHON]   (PYTHON defaults to the one on PATH; it needs grpcio-tools)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${1:-python3}
out=clients/python
rm -f "$out"/sweepd/v1/*_pb2*.py "$out"/sweepd/v1/*_pb2*.pyi
"$py" -m grpc_tools.protoc -I proto \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" \
  proto/sweepd/v1/*.proto
echo '"""Generated protobuf and gRPC code for sweepd.v1 (scripts/gen_proto.sh; never edit by hand)."""' > "$out/sweepd/v1/__init__.py"
