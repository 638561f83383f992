"""controller.sweep_messages: a sweep's reply message is the one convert builds,
whether its config message was built now (off the loop) or reused from the cache."""

from __future__ import annotations

import asyncio
import dataclasses

from sweepd import convert
from sweepd.config import parse_config
from sweepd.controller.sweep_messages import INLINE_BYTES, SweepMessages
from sweepd.domain import Sweep, SweepState


def _sweep(sweep_id: str, values: int) -> Sweep:
    config = parse_config({"method": "grid",
                           "parameters": {"x": {"values": [f"v{i:07d}" for i in range(values)]}}})
    return Sweep(id=sweep_id, config=config, state=SweepState.RUNNING, created_at=1.0)


def test_replies_match_convert_whether_built_or_reused():
    messages = SweepMessages()
    small, big = _sweep("small", 3), _sweep("big", 8_000)
    assert convert.config_to_proto(big.config).ByteSize() > INLINE_BYTES  # the threaded path
    expected = [convert.sweep_to_proto(s) for s in (small, big)]
    first = asyncio.run(messages.many([small, big]))  # built
    again = asyncio.run(messages.many([small, big]))  # reused
    alone = asyncio.run(messages.one(small))  # reused, small enough to answer inline
    assert first == expected and again == expected and alone == expected[0]


def test_a_sweep_registered_again_under_its_id_gets_its_own_config():
    messages = SweepMessages()
    old = _sweep("s1", 3)
    new = dataclasses.replace(_sweep("s1", 5), created_at=2.0)
    asyncio.run(messages.one(old))
    assert asyncio.run(messages.one(new)) == convert.sweep_to_proto(new)
