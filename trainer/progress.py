"""A progress bar for interactive runs, and silence for everything else.

This module owns deciding whether to draw progress (only when stderr is a
terminal, unless told) and drawing it: with tqdm when it is installed, else a
plain carriage-return line.
"""

from __future__ import annotations

import sys
import time


class _Quiet:
    def update(self, n: int = 1) -> None:
        pass

    def set_loss(self, loss: float) -> None:
        pass

    def close(self) -> None:
        pass


class _Line:
    """Fallback bar: one line on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.done, self.loss, self._last = total, desc, 0, None, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done >= self.total:
            self._last = now
            loss = "" if self.loss is None else f" loss={self.loss:.4f}"
            sys.stderr.write(f"\r{self.desc} {self.done}/{self.total}{loss}")
            sys.stderr.flush()

    def set_loss(self, loss: float) -> None:
        self.loss = loss

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


class _Tqdm:
    def __init__(self, tqdm, total: int, desc: str) -> None:
        self._bar = tqdm(total=total, desc=desc, unit="batch", leave=False)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def set_loss(self, loss: float) -> None:
        self._bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def close(self) -> None:
        self._bar.close()


def progress_bar(total: int, desc: str, enabled: bool | None = None):
    """A bar with ``update(n)``, ``set_loss(x)`` and ``close()``.

    ``enabled=None`` means: only if stderr is a terminal.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return _Quiet()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Line(total, desc)
    return _Tqdm(tqdm, total, desc)
