"""The sweepd controller: gRPC servicers over sweep rules over Redis storage."""
