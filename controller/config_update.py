"""What an update of a live sweep's config may change (UpdateSweep), as pure functions.

`merge` applies an AIP-134 update mask to the stored config's dict; `compare` says
which field paths the merged config changes and which of those changes cannot be
honoured (each with its reason), all at once.

Allowed: `run_cap`, `early_terminate`, `metric.target`, `name`, `description`; in
`parameters`: values added to a categorical, bounds and shape keys of a range or
distribution changed (widened or narrowed), a parameter added with `default:` (the
value runs made before are taken to have had; it may have a `when`), a `default`
changed; `constraints` added, removed or changed (earlier runs that break one are
left out of search). Refused: the method, the metric's name and goal, `metrics`, program,
command, project, entity and retry (runs already made, or agents already connected,
depend on them); removing a parameter or a categorical value (runs already made hold
it; a grid's claimed point would vanish), changing a parameter's distribution, its
`when` or a constant's value.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

from sweepd.config import FieldError, ParameterSpec, SweepConfig, flat_parameters

# Mask paths accepted besides "parameters.<name>".
EDITABLE = ("run_cap", "parameters", "constraints", "early_terminate", "metric.target", "name",
            "description")
FIXED = {
    "method": "the search method cannot change: earlier runs were chosen by it; "
              "create a new sweep (with --prior-runs) instead",
    "metric.name": "the metric cannot change: earlier runs were judged by it",
    "metric.goal": "the goal cannot change: earlier runs were judged by it",
    "metrics": "the objectives cannot change: earlier runs were ranked by them",
    "program": "the program cannot change: connected agents launch it",
    "command": "the command cannot change: connected agents launch it",
    "project": "the project cannot change: access to the sweep depends on it",
    "entity": "the entity cannot change",
    "retry": "the retry policy cannot change: runs waiting for a retry were counted by it",
}
MASK_PATHS = (*EDITABLE, *FIXED, "metric", "*")
# proto3 strings cannot be told apart from unset: under "*" these keep their old value when empty
_KEEP_WHEN_EMPTY = ("name", "description", "project", "entity")
_SPEC_FIELDS = ("value", "values", "probabilities", "min", "max", "q", "mu", "sigma", "a", "b",
                "default")


def merge(
    old: Mapping[str, Any], new: Mapping[str, Any], mask: Sequence[str]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The old config dict with the masked fields taken from `new` (absent in `new`:
    cleared), and the mask paths that name no field. An empty mask means "*"."""
    out = copy.deepcopy(dict(old))
    bad: list[FieldError] = []
    for path in mask or ["*"]:
        if path == "*":
            for key in set(out) | set(new):
                keep = key in _KEEP_WHEN_EMPTY and not new.get(key)
                if not keep:
                    _set(out, key, new.get(key))
        elif path.startswith("parameters.") and len(path) > len("parameters."):
            if not _merge_parameter(out, new, path[len("parameters."):]):
                bad.append(FieldError(f"update_mask.{path}", "no such parameter in either config"))
        elif path in MASK_PATHS:
            head, _, tail = path.partition(".")
            if tail:
                out.setdefault(head, {})
                _set(out[head], tail, (new.get(head) or {}).get(tail))
            else:
                _set(out, head, new.get(head))
        else:
            bad.append(FieldError(f"update_mask.{path}", "unknown path; one of "
                                  + ", ".join(MASK_PATHS) + " or parameters.<name>"))
    return out, bad


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = copy.deepcopy(value)


def _merge_parameter(out: dict[str, Any], new: Mapping[str, Any], name: str) -> bool:
    """Copies parameter `name` (a top-level name, or a dotted path into nested
    parameters) from `new` into `out`; False when neither config has it."""
    old_params = out.setdefault("parameters", {})
    new_params = new.get("parameters") or {}
    while name not in old_params and name not in new_params:
        parent = next((k for k in {*old_params, *new_params} if name.startswith(k + ".")), None)
        if parent is None:
            return False
        name = name[len(parent) + 1:]
        old_params = old_params.setdefault(parent, {}).setdefault("parameters", {})
        new_params = (new_params.get(parent) or {}).get("parameters") or {}
    _set(old_params, name, new_params.get(name))
    return True


def compare(old: SweepConfig, new: SweepConfig) -> tuple[list[str], list[FieldError]]:
    """(the field paths `new` changes, the changes refused with their reasons)."""
    changed: list[str] = []
    refused: list[FieldError] = []
    scalar = {
        "method": (old.method, new.method),
        "metric.name": (old.metric.name, new.metric.name),
        "metric.goal": (old.metric.goal, new.metric.goal),
        "metric.target": (old.metric.target, new.metric.target),
        "metrics": (old.metrics, new.metrics),
        "program": (old.program, new.program),
        "command": (old.command, new.command),
        "project": (old.project, new.project),
        "entity": (old.entity, new.entity),
        "retry": (old.retry, new.retry),
        "run_cap": (old.run_cap or 0, new.run_cap or 0),
        "constraints": (tuple(old.constraints), tuple(new.constraints)),
        "early_terminate": (old.early_terminate, new.early_terminate),
        "name": (old.name, new.name),
        "description": (old.description, new.description),
    }
    for path, (before, after) in scalar.items():
        if before != after:
            changed.append(path)
            if path in FIXED:
                refused.append(FieldError(path, FIXED[path]))
    params_changed, params_refused = _compare_parameters(flat_parameters(old), flat_parameters(new))
    return changed + params_changed, refused + params_refused


def _compare_parameters(
    old: Mapping[str, ParameterSpec], new: Mapping[str, ParameterSpec]
) -> tuple[list[str], list[FieldError]]:
    changed: list[str] = []
    refused: list[FieldError] = []
    for name, before in old.items():
        path = f"parameters.{name}"
        after = new.get(name)
        if after is None:
            changed.append(path)
            refused.append(FieldError(path, "a parameter cannot be removed: earlier runs hold it"))
            continue
        if before.distribution != after.distribution:
            changed.append(f"{path}.distribution")
            refused.append(FieldError(f"{path}.distribution", f"cannot change from "
                                      f"{before.distribution} to {after.distribution}"))
            continue
        for key in _SPEC_FIELDS:
            if getattr(before, key) != getattr(after, key):
                changed.append(f"{path}.{key}")
        if before.when != after.when:
            changed.append(f"{path}.when")
            refused.append(FieldError(f"{path}.when", "a parameter's conditions cannot change: "
                                      "earlier runs hold it or lack it by them"))
        if before.distribution == "constant" and before.value != after.value:
            refused.append(FieldError(f"{path}.value", "a constant cannot change: earlier runs "
                                      "hold its value (make a new sweep, or keep it)"))
        gone = [v for v in before.values or () if not _contains(after.values or (), v)]
        if gone:
            refused.append(FieldError(f"{path}.values", "values can be added, not removed "
                                      f"(earlier runs hold them): {gone!r} removed"))
    for name, after in new.items():
        if name not in old:
            changed.append(f"parameters.{name}")
            if after.default is None:
                refused.append(FieldError(f"parameters.{name}.default", "required for an added "
                                          "parameter: the value earlier runs are taken to have had"))
    return changed, refused


def _contains(values: Sequence[Any], value: Any) -> bool:
    """`value in values`, telling 1 from 1.0 from True apart (a config keeps them apart)."""
    return any(type(v) is type(value) and v == value for v in values)
