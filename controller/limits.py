"""What one client may ask of the controller: the bounds that keep one caller from
stalling or exhausting a replica that serves everyone.

Every limit the controller enforces lives here, so docs/security.md and the proto
comments can quote one place. A request past a limit is refused with a status that
names the field and the limit; it is never clamped silently.
"""

from __future__ import annotations

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

# Config versions one sweep may have (UpdateSweep); each keeps its whole config.
MAX_CONFIG_VERSIONS = 1000
