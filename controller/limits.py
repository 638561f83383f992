"""What one client may ask of the controller: the bounds that keep one caller from
stalling or exhausting a replica that serves everyone.

Every limit the controller enforces lives here, so docs/security.md and the proto
comments can quote one place. A request past a limit is refused with a status that
names the field and the limit; it is never clamped silently.
"""

from __future__ import annotations

import math

from sweepd.domain import InvalidArgument

# gRPC's own cap on one received message.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024

# RunRequest.count: runs one request may ask for, and runs one agent stream may have
# asked for but not yet finished (requested and held together). An agent asks for
# one run per free slot, so these are far above any real agent's `--parallel`. A
# hello's or heartbeat's held_runs may list at most MAX_OUTSTANDING_RUNS runs too.
MAX_RUNS_PER_REQUEST = 64
MAX_OUTSTANDING_RUNS = 256

# A Connect stream must send its AgentHello within HELLO_TIMEOUT_S of opening (with
# --auth, its key is checked before that, when the stream opens), and one peer address
# may have at most MAX_STREAMS_WITHOUT_HELLO streams waiting to send theirs.
HELLO_TIMEOUT_S = 10.0
MAX_STREAMS_WITHOUT_HELLO = 32

# Suggestions are drawn at most this many at a time, however many runs are wanted,
# so that no single draw holds the controller for long or builds a huge list.
SUGGESTION_CHUNK = 16

# A sweep config (CreateSweep, ValidateSweep), as its serialized message. A real one
# is a few KiB; a grid of thousands of values fits. Bigger is refused
# (INVALID_ARGUMENT naming `config`) before it is parsed.
MAX_CONFIG_BYTES = 256 * 1024

# One metric point.
MAX_KEYS_PER_POINT = 10_000

# --lease-seconds: agents heartbeat every max(0.2 s, lease / 6) (announced in Welcome),
# so a lease must span a few of the shortest heartbeat intervals; past a week a
# vanished agent's runs would hold their configurations for good.
MIN_LEASE_SECONDS = 0.5
MAX_LEASE_SECONDS = 7 * 24 * 3600.0


def check_lease_seconds(value: float) -> float:
    """The lease, when within bounds; InvalidArgument naming --lease-seconds otherwise."""
    if not (isinstance(value, (int, float)) and math.isfinite(value)
            and MIN_LEASE_SECONDS <= value <= MAX_LEASE_SECONDS):
        raise InvalidArgument(
            f"--lease-seconds: {value!r} is out of range; a lease is {MIN_LEASE_SECONDS:g} to "
            f"{MAX_LEASE_SECONDS:g} seconds (agents heartbeat every max(0.2, lease / 6) s)",
            [("lease_seconds", f"must be {MIN_LEASE_SECONDS:g} to {MAX_LEASE_SECONDS:g}")])
    return float(value)
