"""The one interface every search method implements, and the registry that picks one.

A search method is a pure function of (config, runs, n, rng): it keeps no state of
its own, so any controller replica can ask it at any time and get an answer that
only depends on what Redis holds. Exhaustion (a grid with every combination taken)
is reported as an empty list together with `exhausted=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class SearchResult:
    suggestions: list[Suggestion] = field(default_factory=list)
    exhausted: bool = False  # no config will ever be suggested again


class SearchMethod(Protocol):
    def __call__(
        self, config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
    ) -> SearchResult: ...


_REGISTRY: dict[str, SearchMethod] = {}


def register(name: str) -> Callable[[SearchMethod], SearchMethod]:
    def add(fn: SearchMethod) -> SearchMethod:
        _REGISTRY[name] = fn
        return fn

    return add


def get_search_method(name: str) -> SearchMethod:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no search method {name!r}; known: {sorted(_REGISTRY)}") from None


def search_methods() -> list[str]:
    return sorted(_REGISTRY)
