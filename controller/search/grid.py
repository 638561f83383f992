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

With `when` conditions or `constraints`, only *valid* combinations are handed out:
those whose inactive parameters all sit at their first value (so each distinct run
config has exactly one index) and that satisfy every constraint: optimizer [sgd,
adam], momentum [0.8, 0.9] when sgd, beta2 [0.99, 0.999] when adam and two lrs give
4 + 4 = 8 runs, not the product's 16. Their claim keys stay the product index, so
keys are unique, and stable across replicas and restarts. Counting the valid ones is
a scan of the product, done (once per config object) only up to `COUNT_LIMIT`
combinations.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Sequence

import numpy as np

from sweepd.config import ParameterSpec, SweepConfig, iter_leaves, nest
from sweepd.controller.search.base import History, SearchResult, Suggestion, register
from sweepd.domain import Run
from sweepd.sampling import decimals_of
from sweepd.space import Structure, structure_of

# valid combinations are counted (for the runs' notes) up to this product size
COUNT_LIMIT = 20_000


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
    """How many combinations the full product of the axes has (valid or not)."""
    return math.prod(len(values) for _, values in grid_axes(cfg))


def _combination(axes, index: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Flat values and axis digits of product index `index` (last axis fastest)."""
    flat: dict[str, Any] = {}
    digits: dict[str, int] = {}
    for path, values in reversed(axes):
        index, digit = divmod(index, len(values))
        name = ".".join(path)
        flat[name], digits[name] = values[digit], digit
    return {".".join(p): flat[".".join(p)] for p, _ in axes}, digits


def _valid(structure: Structure, axes, index: int) -> dict[str, Any] | None:
    """The flat config of product index `index` when it is a valid combination: each
    inactive parameter at its first value (so every valid config has exactly one
    index) and every constraint holding; None otherwise."""
    flat, digits = _combination(axes, index)
    if structure.conditional:
        active = structure.active(flat)
        if any(digits[name] for name in flat if name not in active):
            return None
        flat = {k: v for k, v in flat.items() if k in active}
    return flat if structure.feasible(flat) else None


def grid_claim_keys(cfg: SweepConfig) -> int:
    """How many claim keys the grid hands out in all: every combination, or with
    conditions or constraints the valid ones; 0 (never runs out: the search reports
    exhaustion itself) when there are too many to count."""
    if structure_of(cfg).trivial:
        return grid_size(cfg)
    return _cached_count(cfg) or 0


def grid_feasible_count(cfg: SweepConfig, limit: int) -> int | None:
    """How many valid combinations the grid has; None when the product is over `limit`
    (too big to enumerate now)."""
    axes = grid_axes(cfg)
    size = math.prod(len(values) for _, values in axes)
    if size > limit:
        return None
    structure = structure_of(cfg)
    if structure.trivial:
        return size
    return sum(1 for i in range(size) if _valid(structure, axes, i) is not None)


def grid_point(cfg: SweepConfig, index: int) -> dict[str, Any]:
    """The nested run config of combination `index` (0 <= index < grid_size); with
    conditions, only its active parameters."""
    axes = grid_axes(cfg)
    size = math.prod(len(values) for _, values in axes)
    if not 0 <= index < size:
        raise IndexError(f"grid index {index} out of range 0..{size - 1}")
    flat, _ = _combination(axes, index)
    structure = structure_of(cfg)
    if structure.conditional:
        flat = structure.prune(flat)
    return nest({k: copy.deepcopy(v) for k, v in flat.items()}, cfg)


@register("grid", history=History.CURSOR, size=lambda cfg: grid_claim_keys(cfg))
def grid_search(
    config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator,
    start: int = 0,
) -> SearchResult:
    """The first `n` valid combinations from index `start` on whose claim key no run in
    `runs` holds; exhausted when none is left. The controller keeps a cursor (no index
    below it has anything left to hand out) and passes it as `start`, so a suggestion
    costs the same at the end of a 100,000-point grid as at its start."""
    structure = structure_of(config)
    if not structure.trivial:
        return _constrained_grid(config, structure, runs, n, start)
    taken = {run.claim_key for run in runs}
    size = grid_size(config)
    suggestions: list[Suggestion] = []
    index = scan_from = max(0, start)
    while index < size and len(suggestions) < max(n, 1):
        key = str(index)
        if key not in taken:
            if n <= 0:  # asked only whether anything is left
                return SearchResult()
            suggestions.append(
                Suggestion(
                    config=grid_point(config, index),
                    claim_key=key,
                    note=f"grid point {index + 1} of {size}",
                    scanned_from=scan_from,
                )
            )
            scan_from = index + 1
        index += 1
    return SearchResult(suggestions=suggestions, exhausted=not suggestions)


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
def _constrained_grid(
    config: SweepConfig, structure: Structure, runs: Sequence[Run], n: int, start: int
) -> SearchResult:
    """The grid with conditions or constraints: the product is scanned in order from
    `start` and only valid combinations are handed out, each keyed by its product
    index."""
    taken = {run.claim_key for run in runs}
    axes = grid_axes(config)
    size = math.prod(len(values) for _, values in axes)
    total = _cached_count(config)
    valid = f"{total} valid" if total is not None else "valid ones not counted"
    suggestions: list[Suggestion] = []
    index = scan_from = max(0, start)
    while len(suggestions) < n and index < size:
        if str(index) not in taken:
            flat = _valid(structure, axes, index)
            if flat is not None:
                suggestions.append(Suggestion(
                    config=nest({k: copy.deepcopy(v) for k, v in flat.items()}, config),
                    claim_key=str(index),
                    note=f"grid combination {index + 1} of {size} ({valid})",
                    scanned_from=scan_from,
                ))
                scan_from = index + 1
        index += 1
    if suggestions or n <= 0:
        return SearchResult(suggestions=suggestions)
    if total == 0:
        return SearchResult(exhausted=True, message=NO_VALID_POINT)
    return SearchResult(exhausted=True)


NO_VALID_POINT = "no combination of the grid satisfies every condition and constraint"
_counts: dict[int, tuple[SweepConfig, int | None]] = {}


def _cached_count(config: SweepConfig) -> int | None:
    hit = _counts.get(id(config))
    if hit is None or hit[0] is not config:
        if len(_counts) > 64:
            _counts.clear()
        hit = _counts[id(config)] = (config, grid_feasible_count(config, limit=COUNT_LIMIT))
    return hit[1]
