"""The baseline server: a grpc.aio server that echoes bytes and does nothing else.

    /bench.Echo/Unary    one message in, the same bytes back
    /bench.Echo/Stream   a bidi stream answering each message with its own bytes

Run by bench/common.py in its own process; prints "echo listening on PORT".
"""

from __future__ import annotations

import asyncio
import signal

import grpc

SERVICE = "bench.Echo"


async def unary(request: bytes, context) -> bytes:
    return request


async def stream(request_iterator, context):
    async for message in request_iterator:
        yield message


def identity(b: bytes) -> bytes:
    return b


async def main() -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {
        "Unary": grpc.unary_unary_rpc_method_handler(
            unary, request_deserializer=identity, response_serializer=identity),
        "Stream": grpc.stream_stream_rpc_method_handler(
            stream, request_deserializer=identity, response_serializer=identity),
    }),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"echo listening on {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(0)


if __name__ == "__main__":
    asyncio.run(main())
