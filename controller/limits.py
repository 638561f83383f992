"""What one client may ask of the controller: the bounds that keep one caller from
stalling or exhausting a replica that serves everyone.

Every limit the controller enforces lives here, so docs/security.md and the proto
comments can quote one place. A request past a limit is refused with a status that
names the field and the limit; it is never clamped silently. The one exception is a
page size, which AIP-158 says to coerce: a larger one is served as the maximum.
"""

from __future__ import annotations

import math

from sweepd.domain import ERROR_MAX_CHARS, OUTPUT_TAIL_BYTES, InvalidArgument, RunOutput

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

# AgentHello: the agent's id (kept in every run it holds) and its hostname (only
# logged). Both are shown escaped and cut short wherever they are logged.
MAX_AGENT_ID_CHARS = 128
MAX_HOSTNAME_CHARS = 255

# Suggestions are drawn at most this many at a time, however many runs are wanted,
# so that no single draw holds the controller for long or builds a huge list.
SUGGESTION_CHUNK = 16

# A sweep config (CreateSweep, ValidateSweep), as its serialized message. A real one
# is a few KiB; a grid of thousands of values fits. Bigger is refused
# (INVALID_ARGUMENT naming `config`) before it is parsed.
MAX_CONFIG_BYTES = 256 * 1024

# What one error status carries back. gRPC refuses a reply whose metadata passes
# 8-16 KiB (the caller then sees RESOURCE_EXHAUSTED instead of the error). The
# message travels in it percent-encoded (up to 3 bytes a byte) and again inside the
# google.rpc.Status, and the FieldViolations twice (BadRequest in that Status, and the
# sweepd-violations-bin copy): at most 3 + 1 + 1 + 1 KiB, with room to spare under 8.
# The message (UTF-8 bytes) and each copy of the violations (serialized bytes) are
# kept under these, each violation's field and description cut to the lengths below,
# and what does not fit is counted ("… and 120 more"). ValidateSweepResponse lists up
# to MAX_VIOLATIONS.
MAX_STATUS_MESSAGE_BYTES = 1024
MAX_STATUS_VIOLATIONS_BYTES = 1024
MAX_VIOLATION_FIELD_CHARS = 256
MAX_VIOLATION_DESCRIPTION_CHARS = 512
MAX_VIOLATIONS = 1000

# One metric batch: its points (the reference agents send at most 500), and the keys
# of one point. A batch with many values in all is decoded and encoded off the event
# loop, so that it slows other clients' calls without stalling them.
MAX_POINTS_PER_BATCH = 10_000
MAX_KEYS_PER_POINT = 10_000

# MetricPoint.wall_time, in seconds since the epoch: from 1970-01-01T00:00:00Z (an
# unset wall_time is 0) to the end of the year 9999, google.protobuf.Timestamp's own
# upper bound. Milliseconds sent as seconds land far past it.
MIN_WALL_TIME_S = 0
MAX_WALL_TIME_S = 253_402_300_799

# MetricBatch.seq: 1 to 2^53 - 1, the integers a Redis Lua script (whose numbers are
# doubles) compares exactly. A run would need 2^53 batches to reach it.
MAX_SEQ = 2**53 - 1

# FinishRunRequest.error: at most this many characters (more is refused, INVALID_ARGUMENT
# naming `error`; the SDKs send the end of a longer message, which the traceback's last
# line is in).
MAX_ERROR_CHARS = ERROR_MAX_CHARS

# FinishRunRequest.output: each text (a program's stdout and stderr tails, a function's
# traceback) at most this many bytes of UTF-8, what an agent keeps of each; the byte
# counts 0 or more. More is refused (INVALID_ARGUMENT naming the field), never cut here.
MAX_OUTPUT_BYTES = OUTPUT_TAIL_BYTES


def check_run_output(output: RunOutput, field: str = "output") -> RunOutput:
    """The output, when within bounds; InvalidArgument naming each field past them."""
    errors = []
    for name, text in (("stdout_tail", output.stdout), ("stderr_tail", output.stderr),
                       ("traceback", output.traceback)):
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_OUTPUT_BYTES:
            errors.append((f"{field}.{name}", f"{size:,} bytes; at most {MAX_OUTPUT_BYTES:,} "
                                              "(send the end of the output)"))
    for name, count in (("stdout_bytes", output.stdout_bytes), ("stderr_bytes", output.stderr_bytes)):
        if count < 0:
            errors.append((f"{field}.{name}", f"{count} is negative"))
    if errors:
        raise InvalidArgument("; ".join(f"{path}: {why}" for path, why in errors), errors)
    return output


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

# ListSweeps, ListRuns and GetRunMetrics pages: items read for one page when the request gives no
# page_size, and the most read whatever it asks (a larger page_size is served as this).
DEFAULT_PAGE_SIZE = 1_000
MAX_PAGE_SIZE = 10_000
# A page ends before its reply message passes this size (it always holds at least one
# item), so a client that keeps gRPC's default receive limit can read every page.
MAX_PAGE_BYTES = 3 * 1024 * 1024

# CreateSweepRequest.prior_runs: runs done elsewhere one CreateSweep may carry (the
# request also stays within MAX_MESSAGE_BYTES). More is refused (INVALID_ARGUMENT
# naming `prior_runs`). Prior runs left out are each named in a warning, up to
# MAX_PRIOR_WARNINGS, then one line counts the rest.
MAX_PRIOR_RUNS = 10_000
MAX_PRIOR_WARNINGS = 50
# Config versions one sweep may have (UpdateSweep); each keeps its whole config.
MAX_CONFIG_VERSIONS = 1000
