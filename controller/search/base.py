"""The one interface every search method implements, and the registry that picks one.

A search method is a pure function of (config, runs, n, rng): it keeps no state of
its own, so any controller replica can ask it at any time and get an answer that
only depends on what Redis holds. Exhaustion (a grid with every combination taken)
is reported as an empty list together with `exhausted=True`, and a space in which no
config satisfying the constraints can be found as the same with a `message`; a method
with a finite space also registers its size, so the controller knows the space is
used up as soon as the last configuration is handed out (no agent has to ask again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from sweepd.config import SweepConfig
from sweepd.domain import Run


@dataclass(frozen=True)
class Suggestion:
    """A config to run next. `claim_key`, when set, must be unique within the sweep:
    the controller claims it atomically, so two replicas never hand out the same one."""

    config: dict[str, Any]
    claim_key: str = ""
    note: str = ""
    # For a method that walks an enumeration (History.CURSOR): the index its scan for
    # this suggestion began at. Every index from there up to this suggestion's own held
    # nothing to hand out, so the controller may move its cursor past all of them.
    scanned_from: int | None = None


@dataclass(frozen=True)
class SearchResult:
    suggestions: list[Suggestion] = field(default_factory=list)
    exhausted: bool = False  # no config will ever be suggested again
    # why, when it is not simply that every config was handed out (e.g. constraints
    # that no sampled config satisfies); the controller ends the sweep with it
    message: str = ""


class SearchMethod(Protocol):
    def __call__(
        self, config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
    ) -> SearchResult: ...


class History(str, Enum):
    """What a method needs to see of the sweep's runs, so the controller reads no more
    from Redis than that, and no more per suggestion as the sweep grows."""

    NONE = "none"  # nothing: each suggestion is independent of the runs
    # an enumeration walked in order, each point claimed once (grid): the method is
    # called with a keyword `start`, the sweep's cursor (no index below it has anything
    # left to hand out), and `runs` empty; only when the cursor is unknown (a new
    # sweep, or an update re-keyed the claims) with start=0 and runs that carry just
    # their claim keys
    CURSOR = "cursor"
    FULL = "full"  # every run the search can see, with its objective history


_REGISTRY: dict[str, SearchMethod] = {}
_HISTORY: dict[str, History] = {}
_SIZE: dict[str, Callable[[SweepConfig], int]] = {}


def register(
    name: str, history: History | str = History.FULL,
    size: Callable[[SweepConfig], int] | None = None,
) -> Callable[[SearchMethod], SearchMethod]:
    """`size`: for a method whose suggestions are claimed (each claim key handed out
    once), how many claim keys its space has."""
    try:
        kind = History(history)
    except ValueError:
        raise ValueError(f"history must be one of {[h.value for h in History]}") from None

    def add(fn: SearchMethod) -> SearchMethod:
        _REGISTRY[name] = fn
        _HISTORY[name] = kind
        if size is not None:
            _SIZE[name] = size
        return fn

    return add


def space_size(config: SweepConfig) -> int:
    """How many claimed configurations the sweep's search can ever hand out; 0 when
    its space never runs out."""
    size = _SIZE.get(config.method)
    return size(config) if size is not None else 0


def history_needed(name: str) -> History:
    return _HISTORY.get(name, History.FULL)


def get_search_method(name: str) -> SearchMethod:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no search method {name!r}; known: {sorted(_REGISTRY)}") from None


def search_methods() -> list[str]:
    return sorted(_REGISTRY)
