"""The runs a search sees after its sweep's config changed (UpdateSweep).

Runs made under an earlier config version are fed to search when they fit the
current space: a parameter added since is filled with its `default`, and a run
whose value lies outside a narrowed range, or is a value no longer listed, is left
out — not clipped to the boundary, since its metric belongs to the point it ran,
and moving it would teach the model a value at a point that was never tried.
Runs that fit are passed on unchanged otherwise. In a conditional space only the
parameters active under the run's own values are required (a run of `adam` lacks
`momentum: {when: {optimizer: sgd}}` and still fits), and a run must satisfy the
current constraints.
"""

from __future__ import annotations

from typing import Any, Sequence

from sweepd.config import ParameterSpec, SweepConfig, flat_parameters, flatten, nest
from sweepd.domain import Run, finite_number
from sweepd.sampling import _uniform_scale
from sweepd.space import structure_of

_UNBOUNDED = frozenset({"normal", "q_normal", "log_normal", "q_log_normal"})


# the note of a run a user requeued (RequeueRun)
REQUEUED_NOTE = "requeued from run "


def runs_in_space(config: SweepConfig, runs: Sequence[Run], version: int = 0) -> list[Run]:
    """The runs that fit `config`'s parameters, with defaults filled in. Runs made
    under `version` (the config's own) are passed on unchecked, as they were drawn from
    it, but for a retry or a requeued run: its config may come from an earlier version
    (it records the version current when it was handed out again)."""
    leaves = flat_parameters(config)
    structure = structure_of(config)
    out = []
    for run in runs:
        if version and run.config_version == version and not _again(run):
            out.append(run)
            continue
        flat = flatten(run.config, config)
        if not all(fits(leaves[k], v) for k, v in flat.items() if k in leaves):
            continue
        missing = [k for k in _required(structure, leaves, flat) if k not in flat]
        if any(leaves[k].default is None for k in missing):
            continue
        if missing:
            flat.update({k: leaves[k].default for k in missing})
        if structure.constraints and not structure.feasible(structure.prune(flat)):
            continue
        if missing:
            run = _with_config(run, nest(flat, config))
        out.append(run)
    return out


def _again(run: Run) -> bool:
    """A crashed run's retry, or a run a user requeued: an earlier run's config."""
    return run.attempt > 1 or run.note.startswith(REQUEUED_NOTE)


def _required(structure, leaves: dict[str, ParameterSpec], flat: dict[str, Any]) -> list[str]:
    """The leaves a run must hold: all of them, or in a conditional space those active
    under its values (a missing parent takes its default first, in parent-first order)."""
    if not structure.conditional:
        return list(leaves)
    values = dict(flat)
    active: set[str] = set()
    for name in structure.order:
        if structure.is_active(name, values, active):
            active.add(name)
            if name not in values and leaves[name].default is not None:
                values[name] = leaves[name].default
    return [k for k in leaves if k in active]


def fits(spec: ParameterSpec, value: Any) -> bool:
    """Whether `value` lies in the space of one leaf parameter."""
    d = spec.distribution
    if d == "constant":
        return type(value) is type(spec.value) and value == spec.value
    if d.startswith("categorical"):
        return any(type(v) is type(value) and v == value for v in spec.values or ())
    if not finite_number(value):
        return False
    if d == "int_uniform":
        return spec.min <= value <= spec.max
    if d in _UNBOUNDED:
        return value > 0 or "log" not in d
    if d in ("beta", "q_beta"):
        return 0 <= value <= 1
    lo, hi, _, from_coordinate = _uniform_scale(spec)
    low, high = sorted((from_coordinate(lo), from_coordinate(hi)))
    # a quantised value may lie up to half a step beyond a bound it was rounded from
    slack = abs(spec.q) / 2 if d.startswith("q_") else 1e-9 * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


def _with_config(run: Run, config: dict[str, Any]) -> Run:
    from dataclasses import replace

    return replace(run, config=config)
