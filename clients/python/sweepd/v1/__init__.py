"""Generated protobuf and gRPC code for sweepd.v1 (scripts/gen_proto.sh; never edit by hand)."""
