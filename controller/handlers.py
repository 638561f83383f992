"""Registers servicers with request decoding done by us, not by gRPC.

gRPC's own deserializer turns a corrupt request into UNKNOWN with a Python exception
name in the message. Decoding inside the handler lets a malformed request get
INVALID_ARGUMENT naming the message type, like any other bad input. Every service the
controller serves is registered here: sweepd's own, and gRPC's health and
reflection servicers.
"""

from __future__ import annotations

import inspect
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from google.protobuf.message_factory import GetMessageClass


async def _decode(cls: Any, raw: bytes, context: grpc.aio.ServicerContext) -> Any:
    try:
        return cls.FromString(raw)
    except DecodeError as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                            f"malformed {cls.DESCRIPTOR.full_name}: {exc}")


def _unary(method: Any, cls: Any):
    async def handler(raw: bytes, context):
        return await method(await _decode(cls, raw, context), context)

    return handler


def _unary_stream(method: Any, cls: Any):
    if inspect.isasyncgenfunction(method):
        async def generating(raw: bytes, context):
            async for reply in method(await _decode(cls, raw, context), context):
                yield reply

        return generating

    async def writing(raw: bytes, context):
        return await method(await _decode(cls, raw, context), context)

    return writing


def _stream_of(cls: Any, raw_iterator: Any, context):
    async def decoded():
        async for raw in raw_iterator:
            yield await _decode(cls, raw, context)

    return decoded()


def _stream(method: Any, cls: Any):
    if inspect.isasyncgenfunction(method):
        async def generating(raw_iterator, context):
            async for reply in method(_stream_of(cls, raw_iterator, context), context):
                yield reply

        return generating

    async def writing(raw_iterator, context):
        return await method(_stream_of(cls, raw_iterator, context), context)

    return writing


def _unimplemented(method: Any):
    """What answers a method the servicer leaves to its generated base class (which
    would raise, and have gRPC log a traceback): UNIMPLEMENTED."""
    async def answer(request: Any, context):
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method.full_name} is not implemented")

    return answer


def _implemented(servicer: Any, name: str) -> bool:
    found = getattr(type(servicer), name, None)
    return found is not None and not getattr(found, "__module__", "").endswith("_pb2_grpc")


def add_servicer(server: grpc.aio.Server, servicer: Any, service: Any) -> None:
    """Adds every method of `service` (a ServiceDescriptor) as implemented by `servicer`."""
    handlers = {}
    for method in service.methods:
        behaviour = getattr(servicer, method.name) if _implemented(servicer, method.name) else None
        if behaviour is None:
            kind = ("stream" if method.client_streaming else "unary") + "_" + (
                "stream" if method.server_streaming else "unary")
            handlers[method.name] = getattr(grpc, f"{kind}_rpc_method_handler")(_unimplemented(method))
            continue
        request_cls = GetMessageClass(method.input_type)
        serialize = GetMessageClass(method.output_type).SerializeToString
        if method.client_streaming and method.server_streaming:
            handlers[method.name] = grpc.stream_stream_rpc_method_handler(
                _stream(behaviour, request_cls), response_serializer=serialize)
        elif not method.client_streaming and not method.server_streaming:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(
                _unary(behaviour, request_cls), response_serializer=serialize)
        elif method.server_streaming:
            handlers[method.name] = grpc.unary_stream_rpc_method_handler(
                _unary_stream(behaviour, request_cls), response_serializer=serialize)
        else:
            raise NotImplementedError(f"{method.full_name}: no client-streaming-only methods are used")
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))
