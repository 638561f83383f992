"""The end of what a program run writes: its stdout and stderr, passed through and tailed.

The agent starts a program with both streams on pipes; one `OutputTail` per pipe
copies every chunk to the agent's own file descriptor (1 or 2, where the program's
output went before it was tailed) and keeps the last OUTPUT_TAIL_BYTES bytes and a
count of all of them. `program_output` turns the two into the `RunOutput` FinishRun
carries.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import IO

from sweepd.domain import OUTPUT_TAIL_BYTES, RunOutput, utf8_tail

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class OutputTail:
    """Reads `pipe` to its end in a daemon thread, writing each chunk to file descriptor
    `echo_fd` (None: nowhere) and keeping the last `limit` bytes."""

    def __init__(self, pipe: IO[bytes], echo_fd: int | None, limit: int = OUTPUT_TAIL_BYTES,
                 name: str = "output"):
        self.limit = limit
        self.total = 0
        self._pipe = pipe
        self._echo_fd = echo_fd
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, name=f"sweepd-{name}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        fd = self._pipe.fileno()
        try:
            while chunk := os.read(fd, CHUNK):
                self._echo(chunk)
                with self._lock:
                    self.total += len(chunk)
                    self._buffer += chunk
                    if len(self._buffer) > 2 * self.limit:
                        del self._buffer[:-self.limit]
        except OSError as exc:  # the pipe was closed under us: keep what was read
            log.debug("output pipe: %s", exc)
        finally:
            self._pipe.close()

    def _echo(self, chunk: bytes) -> None:
        if self._echo_fd is None:
            return
        try:
            view = memoryview(chunk)
            while view:
                view = view[os.write(self._echo_fd, view):]
        except OSError:  # the agent's own stream is gone: tailing goes on
            self._echo_fd = None

    def wait(self, timeout: float) -> None:
        """Waits up to `timeout` s for the end of the pipe (a process the program left
        behind may hold it open: what was read so far is then the tail)."""
        self._thread.join(timeout)

    def tail(self) -> tuple[bytes, int]:
        """(the last `limit` bytes read, how many were read in all)."""
        with self._lock:
            return bytes(self._buffer[-self.limit:]), self.total


def program_output(stdout: OutputTail, stderr: OutputTail, timeout: float = 5.0) -> RunOutput:
    """The RunOutput of a program whose streams the two tails read."""
    for tail in (stdout, stderr):
        tail.wait(timeout)
    out, out_total = stdout.tail()
    err, err_total = stderr.tail()
    return RunOutput(stdout=utf8_tail(out), stderr=utf8_tail(err),
                     stdout_bytes=out_total, stderr_bytes=err_total)


def traceback_output(text: str) -> RunOutput:
    """The RunOutput of a function run that raised: the end of its traceback."""
    return RunOutput(traceback=utf8_tail(text))


__all__ = ["OutputTail", "program_output", "traceback_output"]
