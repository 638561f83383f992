"""The shape of a search space beyond its parameters: conditions and constraints.

A parameter (or a nested group) with `when: {parent: values}` is *active* only while
every named parent is active and holds one of the given values; a group's condition
applies to every leaf under it. A run config holds only its active parameters.
`Structure` is the parsed form of a config's conditions and constraints: the leaves
in an order where every parent comes before its children, which leaves are active
for given values, and whether a (flat) config satisfies every constraint.

`check_space` is the part of config validation that needs the whole tree: unknown
parents, values a parent cannot take, cycles, a `when` naming the parameter itself
(or, for a group, one of its own leaves), and constraints' syntax and names.
"""

from __future__ import annotations

import collections
import difflib
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sweepd.config import ParameterSpec, SweepConfig, iter_leaves
from sweepd.expressions import Expression, ExpressionError, parse_expression

# distributions a `when` parent may have: each value it takes has a real probability
PARENT_DISTRIBUTIONS = frozenset(
    {"constant", "categorical", "categorical_w_probabilities", "int_uniform"}
)
_CACHE_SIZE = 64

Condition = tuple[str, tuple]  # (parent's dotted name, the values that activate)


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps True apart from 1 (and 1 from "1"), but 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b
    return type(a) is type(b) and a == b


def parent_can_take(spec: ParameterSpec, value: Any) -> bool:
    """Whether a discrete parameter ever takes `value`."""
    d = spec.distribution
    if d == "constant":
        return same_value(spec.value, value)
    if d in ("categorical", "categorical_w_probabilities"):
        return any(same_value(v, value) for v in spec.values)
    if d == "int_uniform":
        return (
            isinstance(value, numbers.Integral) and not isinstance(value, bool)
            and spec.min <= value <= spec.max
        )
    return False


@dataclass(frozen=True)
class Structure:
    """Conditions and constraints of one config, ready to use."""

    leaves: dict[str, ParameterSpec]  # dotted name -> spec, config order
    conditions: dict[str, tuple[Condition, ...]]  # leaf -> its own and its groups'
    order: tuple[str, ...]  # leaves with every parent before its children
    constraints: tuple[Expression, ...]

    @property
    def conditional(self) -> bool:
        return any(self.conditions.values())

    @property
    def trivial(self) -> bool:
        """No conditions and no constraints: every combination is a valid config."""
        return not self.conditional and not self.constraints

    def is_active(self, name: str, flat: Mapping[str, Any], active: set[str]) -> bool:
        """Whether leaf `name` is active, given the parents' values and which parents
        are active (parents come earlier in `order`)."""
        for parent, allowed in self.conditions.get(name, ()):
            if parent not in active or parent not in flat:
                return False
            if not any(same_value(flat[parent], a) for a in allowed):
                return False
        return True

    def active(self, flat: Mapping[str, Any]) -> set[str]:
        """The leaves active under the values in `flat` (which may hold inactive ones)."""
        out: set[str] = set()
        for name in self.order:
            if self.is_active(name, flat, out):
                out.add(name)
        return out

    def prune(self, flat: Mapping[str, Any]) -> dict[str, Any]:
        """Only the active parameters of `flat`, in config order."""
        active = self.active(flat) if self.conditional else set(self.leaves)
        return {k: flat[k] for k in self.leaves if k in active and k in flat}

    def violated(self, flat: Mapping[str, Any]) -> list[int]:
        """Indices of the constraints that do not hold for a flat config."""
        return [i for i, c in enumerate(self.constraints) if not c.holds(flat)]

    def feasible(self, flat: Mapping[str, Any]) -> bool:
        return all(c.holds(flat) for c in self.constraints)


_cache: collections.OrderedDict[int, tuple[SweepConfig, Structure]] = collections.OrderedDict()


def structure_of(cfg: SweepConfig) -> Structure:
    """The Structure of a parsed (valid) config, cached per config object."""
    hit = _cache.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        _cache.move_to_end(id(cfg))
        return hit[1]
    leaves: dict[str, ParameterSpec] = {}
    conditions: dict[str, tuple[Condition, ...]] = {}
    for name, spec, conds in _walk(cfg.parameters, "", ()):
        leaves[name] = spec
        conditions[name] = conds
    order = _topological(leaves, conditions)
    constraints = tuple(parse_expression(text) for text in cfg.constraints)
    structure = Structure(leaves, conditions, tuple(order or leaves), constraints)
    _cache[id(cfg)] = (cfg, structure)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return structure


def _walk(
    params: Mapping[str, ParameterSpec], prefix: str, inherited: tuple[Condition, ...]
) -> Iterable[tuple[str, ParameterSpec, tuple[Condition, ...]]]:
    for name, spec in params.items():
        conds = inherited + tuple(spec.when or ())
        if spec.nested:
            yield from _walk(spec.parameters or {}, f"{prefix}{name}.", conds)
        else:
            yield f"{prefix}{name}", spec, conds


def _topological(
    leaves: Mapping[str, Any], conditions: Mapping[str, tuple[Condition, ...]]
) -> list[str] | None:
    """Leaves ordered parents first (config order where free); None on a cycle."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str) -> bool:
        if state.get(name) == 2:
            return True
        if state.get(name) == 1:
            return False
        state[name] = 1
        for parent, _ in conditions.get(name, ()):
            if parent in leaves and not visit(parent):
                return False
        state[name] = 2
        order.append(name)
        return True

    for name in leaves:
        if not visit(name):
            return None
    return order


# ---------------------------------------------------------------- validation


def check_space(
    parameters: Mapping[str, ParameterSpec], constraints: Iterable[Any], path: str = "parameters"
) -> list[tuple[str, str]]:
    """(field path, message) of every problem with `when` and `constraints`."""
    errors: list[tuple[str, str]] = []
    leaves = {".".join(p): spec for p, spec in iter_leaves(parameters)}
    groups = _groups(parameters, "")
    for owner, spec_path, when in _whens(parameters, path, ""):
        own = {owner} if owner in leaves else {k for k in leaves if k.startswith(owner + ".")}
        for parent, allowed in when:
            here = f"{spec_path}.when.{parent}"
            if parent in own:
                what = "itself" if parent == owner else f"its own parameter {parent!r}"
                errors.append((here, f"a parameter cannot depend on {what}"))
            elif parent in groups:
                errors.append((here, f"{parent!r} is a group of parameters; name one of its leaves"))
            elif parent not in leaves:
                hint = difflib.get_close_matches(parent, list(leaves), n=1)
                suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
                errors.append((here, f"unknown parent parameter {parent!r}{suffix}"))
            elif leaves[parent].distribution not in PARENT_DISTRIBUTIONS:
                errors.append((here, (
                    f"a parent must be discrete (constant, categorical or int_uniform); "
                    f"{parent!r} is {leaves[parent].distribution}")))
            else:
                for value in allowed:
                    if not parent_can_take(leaves[parent], value):
                        errors.append((here, f"{parent!r} never takes the value {value!r}"))
    errors.extend(_cycles(parameters, path))
    errors.extend(_check_constraints(constraints, set(leaves)))
    return errors


def _groups(params: Mapping[str, ParameterSpec], prefix: str) -> set[str]:
    out = set()
    for name, spec in params.items():
        if spec.nested:
            out.add(prefix + name)
            out |= _groups(spec.parameters or {}, f"{prefix}{name}.")
    return out


def _whens(params: Mapping[str, ParameterSpec], path: str, prefix: str):
    """(dotted name, field path, when) of every parameter or group with a `when`."""
    for name, spec in params.items():
        here = f"{path}.{name}"
        if spec.when:
            yield prefix + name, here, spec.when
        if spec.nested:
            yield from _whens(spec.parameters or {}, f"{here}.parameters", f"{prefix}{name}.")


def _cycles(parameters: Mapping[str, ParameterSpec], path: str) -> list[tuple[str, str]]:
    """The first cycle of conditions found, at the `when` of one of its members."""
    graph: dict[str, list[str]] = {}
    for name, _, conds in _walk(parameters, "", ()):
        graph[name] = [p for p, _ in conds]
    paths = {owner: spec_path for owner, spec_path, _ in _whens(parameters, path, "")}
    loop = _find_cycle(graph)
    if loop is None:
        return []
    owner = next((o for o in paths if loop[0] == o or loop[0].startswith(o + ".")), None)
    where = f"{paths[owner]}.when" if owner else path
    return [(where, "conditions form a cycle: " + " -> ".join(loop))]


def _find_cycle(graph: Mapping[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for parent in graph.get(name, ()):
            if state.get(parent) == 1:
                return stack[stack.index(parent):] + [parent]
            if parent in graph and parent not in state:
                found = visit(parent)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in graph:
        if name not in state:
            found = visit(name)
            if found:
                return found
    return None


def _check_constraints(constraints: Iterable[Any], names: set[str]) -> list[tuple[str, str]]:
    errors = []
    for i, text in enumerate(constraints):
        here = f"constraints[{i}]"
        if text is None:
            continue  # not a string: reported when the list was read
        try:
            expression = parse_expression(text)
        except ExpressionError as e:
            errors.append((here, str(e)))
            continue
        for name in sorted(expression.names - names):
            hint = difflib.get_close_matches(name, sorted(names), n=1)
            suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
            errors.append((here, f"unknown parameter {name!r}{suffix}"))
    return errors
