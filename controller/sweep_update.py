"""UpdateSweep's rules: a new config version of a live or finished sweep.

The mask is applied to the current config (`config_update.merge`), the result is
validated as a whole, every change that cannot be honoured is refused at once
(`config_update.compare`), and the new version is stored by one script that also
re-keys a grid's claims and moves the sweep's state for a changed run_cap. The
script refuses when the config (or a grid's claims) changed since they were read;
the update is then worked out again from what is stored.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from sweepd.config import (
    ConfigError,
    SweepConfig,
    config_to_dict,
    flat_parameters,
    flatten,
    parse_config,
)
from sweepd.domain import ConfigVersion, Sweep, SweepState
from sweepd.errors import InvalidArgument, InvalidState, RefusedChange, ResourceExhausted
from sweepd.space import structure_of

from .config_update import compare, merge
from .limits import MAX_CONFIG_VERSIONS
from .search.grid import grid_axes, grid_index, grid_point
from .service import SweepRules
from .storage.records import encode_config, encode_version
from .storage.replies import Stale

log = logging.getLogger(__name__)

ATTEMPTS = 8  # reads before giving up when other writers keep changing the sweep


@dataclass(frozen=True)
class UpdateOutcome:
    sweep: Sweep
    version: ConfigVersion
    changed: bool


async def update_sweep(
    rules: SweepRules, sweep_id: str, new: Mapping[str, Any], mask: Sequence[str],
    expected_version: int = 0,
) -> UpdateOutcome:
    for _ in range(ATTEMPTS):
        config, version = await rules.versioned_config(sweep_id, fresh=True)
        if expected_version and expected_version != version:
            raise RefusedChange(
                f"sweep {sweep_id} is at config version {version}, not {expected_version}",
                [("expected_version", f"the sweep is at version {version}")])
        parsed, changed = await _checked(sweep_id, config, new, mask)
        if not changed:
            sweep = await rules.get_sweep(sweep_id)
            return UpdateOutcome(sweep, await _version(rules, sweep_id, version), False)
        if version >= MAX_CONFIG_VERSIONS:
            raise ResourceExhausted(f"sweep {sweep_id} has {version} config versions; at most "
                                    f"{MAX_CONFIG_VERSIONS}", [("config", "too many versions")])
        if isinstance(await _store(rules, sweep_id, config, version, parsed, changed), Stale):
            continue
        log.info("sweep %s: config version %d (%s)", sweep_id, version + 1, ", ".join(changed))
        if "early_terminate" in changed:  # the stopping index of the new rule
            rules.stopping.start_build(sweep_id, parsed, version + 1)
        sweep = await rules.get_sweep(sweep_id)
        return UpdateOutcome(sweep, await _version(rules, sweep_id, version + 1), True)
    raise InvalidState(f"sweep {sweep_id} kept changing while it was being updated; try again")


async def _checked(
    sweep_id: str, config: SweepConfig, new: Mapping[str, Any], mask: Sequence[str],
) -> tuple[SweepConfig, list[str]]:
    """The merged config and the paths it changes; InvalidArgument for a bad mask or
    an invalid result, RefusedChange for changes that cannot be honoured."""
    merged, bad = merge(config_to_dict(config), new, mask)
    if bad:
        raise InvalidArgument("update_mask: " + "; ".join(f"{e.path}: {e.message}" for e in bad),
                              [(e.path, e.message) for e in bad])
    try:
        parsed = await asyncio.to_thread(parse_config, merged)
    except ConfigError as exc:
        raise InvalidArgument(
            "the updated sweep config is invalid:\n" + "\n".join(str(e) for e in exc.errors),
            [(e.path, e.message) for e in exc.errors],
        ) from None
    changed, refused = compare(config, parsed)
    if refused:
        raise RefusedChange(
            f"cannot update sweep {sweep_id}:\n" + "\n".join(f"{e.path}: {e.message}" for e in refused),
            [(e.path, e.message) for e in refused])
    return parsed, changed


async def _store(rules: SweepRules, sweep_id: str, old: SweepConfig, version: int,
                 new: SweepConfig, changed: list[str]) -> SweepState | Stale:
    """Stores the new version (NotFound; RefusedChange for a cancelled sweep); Stale
    when the sweep changed since `version` was read."""
    store = rules.store
    first = ""
    if version == 1:
        stored = await store.sweep_config_json(sweep_id)
        if stored is not None:
            first = encode_version(1, int(stored[1]), stored[0], [])
    claims = None
    if new.method == "grid" and any(p.startswith("parameters.") for p in changed):
        read = await store.claims(sweep_id)
        claims = (len(read), await asyncio.to_thread(rekey_claims, old, new, read, version))
    before, after = old.run_cap or 0, new.run_cap or 0
    if before and (not after or after > before):
        grew = "cap"
    elif any(p.startswith("parameters.") or p == "constraints" for p in changed):
        grew = "space"
    else:
        grew = ""
    config_json = await asyncio.to_thread(encode_config, new)
    state = await store.update_sweep(
        sweep_id, read_version=version, config=new, config_json=config_json, changed=changed,
        first_entry=first, now_ms=rules._now_ms(), grew=grew, claims=claims)
    if not isinstance(state, Stale):
        rules.forget_config(sweep_id)  # other replicas forget it on the event
        await rules.announce_state(sweep_id, state)  # waiting agents look again
    return state


def rekey_claims(old: SweepConfig, new: SweepConfig, claims: Mapping[str, str],
                 version: int) -> dict[str, str]:
    """A grid's claims (combination index -> run id) for the new config's axes: each
    claimed point keeps its claim under its index in the new grid (a parameter added
    since takes its default; in a conditional grid an inactive parameter sits at its
    first value, as the grid keys it); a point the new grid no longer has keeps its claim under
    "v<version>:<old index>", which no grid index equals."""
    out: dict[str, str] = {}
    axes = dict((".".join(path), values) for path, values in grid_axes(new))
    for key, run_id in claims.items():
        if not key.isdigit():
            out[key] = run_id
            continue
        flat = flatten(grid_point(old, int(key)), old)
        for path, spec in flat_parameters(new).items():
            if path not in flat and spec.default is not None:
                flat[path] = spec.default
        index = grid_index(new, _at_first_when_inactive(new, axes, flat))
        out[str(index) if index is not None else f"v{version}:{key}"] = run_id
    return out


def _at_first_when_inactive(cfg: SweepConfig, axes: Mapping[str, Any],
                            flat: dict[str, Any]) -> dict[str, Any]:
    """`flat` as the conditional grid keys it: a parameter its conditions leave inactive
    at its axis's first value (a run config lacks it), so the point has one index."""
    structure = structure_of(cfg)
    if not structure.conditional:
        return flat
    active = structure.active(flat)
    out = {name: value for name, value in flat.items() if name in active}
    out.update({name: values[0] for name, values in axes.items() if name not in active})
    return out


async def _version(rules: SweepRules, sweep_id: str, version: int) -> ConfigVersion:
    found = await rules.store.config_version(sweep_id, version)
    if found is None:
        raise InvalidState(f"sweep {sweep_id}: config version {version} is not stored")
    return found
