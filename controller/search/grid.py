"""Grid search: every combination of the discrete parameters, each handed out once.

Axes are the leaf parameters (nested ones included) sorted by dotted path, as W&B
sorts them; the last axis varies fastest, and each axis lists its values in order:

- constant: its value (one point); categorical: its `values`;
- int_uniform: every integer min..max, max included;
- q_uniform: min, min + q, min + 2q, ... up to max, and **max included when it lies
  on that lattice**. This is where sweepd deliberately differs from W&B, whose
  `np.arange(min, max, q)` always leaves max out.

Combination `i` is decoded from `i` in mixed radix (`grid_point`), so no product is
ever materialised, and its claim key is `str(i)`: the controller claims keys
atomically, so two agents (or controller replicas) never run the same combination.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Sequence

import numpy as np

from sweepd.config import ParameterSpec, SweepConfig, iter_leaves, nest
from sweepd.controller.search.base import SearchResult, Suggestion, register
from sweepd.domain import Run
from sweepd.sampling import decimals_of


class _Lattice(Sequence):
    """min, min + q, ... (count points), without building the list."""

    def __init__(self, start: int | float, q: int | float, count: int) -> None:
        self.start, self.q, self.count = start, q, count
        self.integral = isinstance(start, int) and isinstance(q, int)
        self.decimals = max(decimals_of(float(start)), decimals_of(float(q)))

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.count))]
        if not -self.count <= i < self.count:
            raise IndexError(i)
        i %= self.count
        if self.integral:
            return self.start + i * self.q
        return round(self.start + i * self.q, self.decimals)


def axis_values(spec: ParameterSpec) -> Sequence[Any]:
    """The grid values of one leaf parameter (a lazy sequence for int/q ranges)."""
    d = spec.distribution
    if d == "constant":
        return (spec.value,)
    if d == "categorical":
        return spec.values
    if d == "int_uniform":
        return range(spec.min, spec.max + 1)
    if d == "q_uniform":
        steps = (spec.max - spec.min) / spec.q
        nearest = round(steps)
        on_lattice = abs(steps - nearest) <= 1e-9 * max(1.0, abs(steps))
        return _Lattice(spec.min, spec.q, (nearest if on_lattice else math.floor(steps)) + 1)
    raise ValueError(f"distribution {d} cannot be used in a grid")


def grid_axes(cfg: SweepConfig) -> list[tuple[tuple[str, ...], Sequence[Any]]]:
    """(path, values) of every leaf parameter, in grid order (sorted by path)."""
    leaves = sorted(iter_leaves(cfg.parameters), key=lambda leaf: leaf[0])
    return [(path, axis_values(spec)) for path, spec in leaves]


def grid_size(cfg: SweepConfig) -> int:
    """How many combinations the grid has."""
    return math.prod(len(values) for _, values in grid_axes(cfg))


def grid_point(cfg: SweepConfig, index: int) -> dict[str, Any]:
    """The nested run config of combination `index` (0 <= index < grid_size)."""
    axes = grid_axes(cfg)
    size = math.prod(len(values) for _, values in axes)
    if not 0 <= index < size:
        raise IndexError(f"grid index {index} out of range 0..{size - 1}")
    flat: dict[tuple[str, ...], Any] = {}
    for path, values in reversed(axes):
        index, digit = divmod(index, len(values))
        flat[path] = values[digit]
    ordered = {".".join(path): copy.deepcopy(flat[path]) for path, _ in axes}
    return nest(ordered, cfg)


@register("grid", history="claims", size=grid_size)
def grid_search(
    config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
) -> SearchResult:
    """The first `n` combinations whose claim key no run holds; exhausted when none is left."""
    taken = {run.claim_key for run in runs}
    size = grid_size(config)
    suggestions = []
    index = 0
    while len(suggestions) < n and index < size:
        key = str(index)
        if key not in taken:
            suggestions.append(
                Suggestion(
                    config=grid_point(config, index),
                    claim_key=key,
                    note=f"grid point {index + 1} of {size}",
                )
            )
        index += 1
    if suggestions:
        return SearchResult(suggestions=suggestions)
    left = size - sum(1 for key in taken if key.isdigit() and int(key) < size)
    return SearchResult(suggestions=[], exhausted=left <= 0)


def grid_index(cfg: SweepConfig, flat: dict[str, Any]) -> int | None:
    """The index of the combination holding the dotted-path values `flat` (the
    inverse of `grid_point`), or None when some value is not on its axis. Used to
    re-key a grid's claims when an update changes its axes."""
    index = 0
    for path, values in grid_axes(cfg):
        key = ".".join(path)
        if key not in flat:
            return None
        digit = _position(values, flat[key])
        if digit is None:
            return None
        index = index * len(values) + digit
    return index


def _position(values: Sequence[Any], value: Any) -> int | None:
    if isinstance(values, (range, _Lattice)) and isinstance(value, (int, float)) \
            and not isinstance(value, bool) and len(values):
        step = values.step if isinstance(values, range) else values.q
        start = values.start
        i = round((value - start) / step)
        return i if 0 <= i < len(values) and values[i] == value else None
    for i, v in enumerate(values):
        if type(v) is type(value) and v == value:
            return i
    return None
