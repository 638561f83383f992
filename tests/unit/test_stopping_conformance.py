"""What every registered early-termination rule promises (the StoppingRule interface of
controller/stopping/base.py), checked for each one the registry holds over many random
sweeps: a rule added with `register` is tested here without a line more. Each rule's own decisions are tested
by tables in test_stopping.py."""

from __future__ import annotations

import copy
import math
import random

import pytest

import sweepd.controller.stopping  # noqa: F401  (fills the registry)
from sweepd.config import EARLY_TERMINATE_KEYS, parse_config
from sweepd.controller.stopping.base import (
    StopDecision, StoppingRule, UnknownStoppingRule, get_stopping_rule, register, stopping_rules,
)
from sweepd.domain import Run, RunState

RULES = stopping_rules()
STATES = [RunState.RUNNING] * 4 + [RunState.FINISHED, RunState.CRASHED, RunState.FAILED,
                                    RunState.STOPPED, RunState.PENDING]


def config(kind: str, goal: str):
    early = {"type": kind}
    if "min_iter" in EARLY_TERMINATE_KEYS[kind]:
        early["min_iter"] = 1
    return parse_config({"method": "random", "metric": {"name": "loss", "goal": goal},
                         "parameters": {"x": {"values": [1, 2]}}, "early_terminate": early})


def random_runs(rng: random.Random) -> list[Run]:
    runs = []
    for i in range(rng.randint(0, 14)):
        state = rng.choice(STATES)
        length = 0 if state is RunState.PENDING else rng.randint(0, 12)
        history = [rng.choice([rng.uniform(0, 10), math.nan, math.inf]) if rng.random() < 0.05
                   else rng.uniform(0, 10) for _ in range(length)]
        runs.append(Run(id=f"r{i}", sweep_id="s", state=state, config={"x": 1}, history=history,
                        should_stop=state is RunState.RUNNING and rng.random() < 0.15))
    return runs


def test_the_registry_holds_every_rule_the_config_accepts():
    assert set(RULES) == set(EARLY_TERMINATE_KEYS)


@pytest.mark.parametrize("kind", RULES)
@pytest.mark.parametrize("goal", ["minimize", "maximize"])
def test_only_running_runs_not_yet_asked_are_stopped_each_once_with_a_finite_reason(kind, goal):
    rule, cfg, rng = get_stopping_rule(kind), config(kind, goal), random.Random(kind + goal)
    for _ in range(300):
        runs = random_runs(rng)
        before = copy.deepcopy(runs)
        decisions = rule.decide(cfg, runs)
        assert runs == before  # the runs are not changed
        stoppable = {r.id for r in runs if r.state is RunState.RUNNING and not r.should_stop}
        ids = [d.run_id for d in decisions]
        assert len(ids) == len(set(ids)) and set(ids) <= stoppable
        for d in decisions:
            assert isinstance(d, StopDecision) and d.band >= 1
            assert math.isfinite(d.value) and math.isfinite(d.threshold)
            assert d.message.startswith(kind)
            worse = d.value < d.threshold if goal == "maximize" else d.value > d.threshold
            assert worse, d


@pytest.mark.parametrize("kind", RULES)
def test_no_runs_or_no_values_stop_nothing(kind):
    rule, cfg = get_stopping_rule(kind), config(kind, "minimize")
    assert rule.decide(cfg, []) == []
    quiet = [Run(id=f"r{i}", sweep_id="s", state=RunState.RUNNING, config={}, history=[])
             for i in range(5)]
    assert rule.decide(cfg, quiet) == []


def _checkpoints(kind: str, up_to: int = 100) -> list[int] | None:
    return get_stopping_rule(kind).checkpoints(config(kind, "minimize").early_terminate, up_to)


WITH_CHECKPOINTS = [k for k in RULES if _checkpoints(k) is not None]


@pytest.mark.parametrize("kind", RULES)
def test_every_rule_implements_the_interface_under_its_own_name(kind):
    rule = get_stopping_rule(kind)
    assert isinstance(rule, StoppingRule) and rule.name == kind


def test_hyperband_and_asha_declare_checkpoints_and_median_decides_at_every_value():
    assert {"hyperband", "asha"} <= set(WITH_CHECKPOINTS)
    assert "median" not in WITH_CHECKPOINTS


@pytest.mark.parametrize("kind", WITH_CHECKPOINTS)
def test_checkpoints_are_ascending_distinct_and_within_the_bound(kind):
    for up_to in (0, 1, 5, 50, 1000):
        marks = _checkpoints(kind, up_to)
        assert marks == sorted(set(marks)) and all(1 <= c <= up_to for c in marks)


@pytest.mark.parametrize("kind", RULES)
def test_a_rule_may_decide_exactly_when_a_count_reaches_a_checkpoint(kind):
    rule, et = get_stopping_rule(kind), config(kind, "minimize").early_terminate
    marks = _checkpoints(kind, 60)
    for before in range(0, 40):
        for after in range(before + 1, before + 20):
            reaches = marks is None or any(before < c <= after for c in marks)
            assert rule.may_decide(et, before, after) == reaches


def test_an_unknown_rule_is_refused_naming_the_field_and_the_known_rules():
    with pytest.raises(UnknownStoppingRule) as caught:
        get_stopping_rule("nope")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == ("early_terminate.type: no stopping rule 'nope' is registered; "
                                 f"known: {', '.join(RULES)}")


def test_only_a_stopping_rule_class_can_be_registered_and_a_name_only_once():
    def plain_function(config, runs):
        return []

    with pytest.raises(TypeError, match="not a StoppingRule subclass"):
        register("toy")(plain_function)

    class Toy(StoppingRule):
        def decide(self, config, runs):
            return []

    with pytest.raises(ValueError, match="'median' is registered already"):
        register("median")(Toy)
    assert stopping_rules() == RULES and type(get_stopping_rule("median")).__name__ == "Median"


@pytest.mark.parametrize("kind", WITH_CHECKPOINTS)
@pytest.mark.parametrize("strict", [True, False])
def test_a_value_that_reaches_no_checkpoint_stops_nothing_new(kind, strict):
    """The controller evaluates a rule that declares checkpoints only when some run
    reaches one (StoppingRule.may_decide): a value that reaches none must not make the rule
    stop a run it did not stop before, or that stop would be missed."""
    rule = get_stopping_rule(kind)
    cfg = parse_config({"method": "random", "metric": {"name": "loss"},
                        "parameters": {"x": {"values": [1, 2]}},
                        "early_terminate": {"type": kind, "min_iter": 1, "eta": 2,
                                            "strict": strict}})
    rng = random.Random(f"{kind}{strict}")
    checked = 0
    for _ in range(400):
        runs = [r for r in random_runs(rng) if r.state is not RunState.PENDING]
        movers = [r for r in runs if r.state is RunState.RUNNING]
        if not movers:
            continue
        mover = rng.choice(movers)
        after = len([v for v in mover.history if math.isfinite(v)]) + 1
        if after in rule.checkpoints(cfg.early_terminate, after):
            continue  # that value reaches a checkpoint: the controller decides again
        before = {d.run_id for d in rule.decide(cfg, runs)}
        grown = [Run(**{**r.__dict__, "history": r.history + [rng.uniform(0, 10)]})
                 if r is mover else r for r in runs]
        assert {d.run_id for d in rule.decide(cfg, grown)} <= before
        checked += 1
    assert checked > 100


# ---------------------------------------------------------------- several objectives


def mo_config(kind: str, goals: tuple[str, str], **early):
    early = {"type": kind, **early}
    if "min_iter" in EARLY_TERMINATE_KEYS[kind]:
        early.setdefault("min_iter", 1)
    return parse_config({"method": "random", "parameters": {"x": {"values": [1, 2]}},
                         "metrics": [{"name": "a", "goal": goals[0]},
                                     {"name": "b", "goal": goals[1]}],
                         "early_terminate": early})


def random_vector_runs(rng: random.Random) -> list[Run]:
    """Runs with objective vectors on a coarse grid, so that ties and duplicates occur."""
    runs = []
    for i in range(rng.randint(0, 14)):
        state = rng.choice(STATES)
        length = 0 if state is RunState.PENDING else rng.randint(0, 12)
        vectors = [(float(rng.randint(0, 6)), float(rng.randint(0, 6))) for _ in range(length)]
        runs.append(Run(id=f"r{i}", sweep_id="s", state=state, config={"x": 1},
                        objective_history=vectors,
                        should_stop=state is RunState.RUNNING and rng.random() < 0.15))
    return runs


@pytest.mark.parametrize("kind", RULES)
@pytest.mark.parametrize("goals", [("minimize", "minimize"), ("maximize", "minimize")])
def test_with_several_objectives_only_running_runs_are_stopped_each_once(kind, goals):
    rule, cfg = get_stopping_rule(kind), mo_config(kind, goals)
    rng = random.Random(kind + "".join(goals))
    stops = 0
    for _ in range(300):
        runs = random_vector_runs(rng)
        before = copy.deepcopy(runs)
        decisions = rule.decide(cfg, runs)
        assert runs == before
        stoppable = {r.id for r in runs if r.state is RunState.RUNNING and not r.should_stop}
        ids = [d.run_id for d in decisions]
        assert len(ids) == len(set(ids)) and set(ids) <= stoppable
        for d in decisions:
            assert isinstance(d, StopDecision) and d.band >= 1
            assert d.value is None and d.threshold is None  # no one number: see the message
            assert d.message.startswith(kind)
        stops += len(decisions)
    assert stops > 0


@pytest.mark.parametrize("kind", RULES)
def test_with_several_objectives_no_runs_or_no_vectors_stop_nothing(kind):
    rule, cfg = get_stopping_rule(kind), mo_config(kind, ("minimize", "minimize"))
    assert rule.decide(cfg, []) == []
    quiet = [Run(id=f"r{i}", sweep_id="s", state=RunState.RUNNING, config={}) for i in range(5)]
    assert rule.decide(cfg, quiet) == []


@pytest.mark.parametrize("kind", WITH_CHECKPOINTS)
@pytest.mark.parametrize("strict", [True, False])
def test_with_several_objectives_a_vector_that_reaches_no_checkpoint_stops_nothing_new(
        kind, strict):
    rule = get_stopping_rule(kind)
    cfg = mo_config(kind, ("minimize", "maximize"), eta=2, strict=strict)
    rng = random.Random(f"mo{kind}{strict}")
    checked = 0
    for _ in range(400):
        runs = [r for r in random_vector_runs(rng) if r.state is not RunState.PENDING]
        movers = [r for r in runs if r.state is RunState.RUNNING]
        if not movers:
            continue
        mover = rng.choice(movers)
        after = len(mover.objective_history) + 1
        if after in rule.checkpoints(cfg.early_terminate, after):
            continue
        before = {d.run_id for d in rule.decide(cfg, runs)}
        grown_history = mover.objective_history + [(float(rng.randint(0, 6)),) * 2]
        grown = [Run(**{**r.__dict__, "objective_history": grown_history})
                 if r is mover else r for r in runs]
        assert {d.run_id for d in rule.decide(cfg, grown)} <= before
        checked += 1
    assert checked > 100
