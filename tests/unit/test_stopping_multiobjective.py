"""Early termination with several objectives (`metrics`): multi-objective successive
halving for asha and hyperband, and the per-objective median rule, over fixed
objective histories, table-driven like the single-objective rules."""

from __future__ import annotations

import numpy as np
import pytest

import sweepd.controller.stopping  # noqa: F401  (fills the registry)
from sweepd.config import parse_config
from sweepd.controller.stopping.base import get_stopping_rule
from sweepd.controller.stopping.pareto_halving import halving_keys
from sweepd.domain import Run, RunState

R, F, P = "running", "finished", "pending"


def config(kind: str, goals=("minimize", "minimize"), **early):
    return parse_config({
        "method": "random",
        "metrics": [{"name": f"m{i}", "goal": g} for i, g in enumerate(goals)],
        "parameters": {"x": {"values": [1, 2]}},
        "early_terminate": {"type": kind, **early},
    })


def runs_of(table, flip=()):
    """Runs from (id, state, vectors); objectives in `flip` are negated (for maximize)."""
    out = []
    for rid, state, vectors in table:
        signed = [tuple(-v if i in flip else v for i, v in enumerate(vec)) for vec in vectors]
        out.append(Run(id=rid, sweep_id="s", state=RunState(state), config={"x": 1},
                       objective_history=signed))
    return out


def decide(kind, early, table, goals=("minimize", "minimize")):
    """{run id: band} of the runs the rule stops."""
    flip = [i for i, g in enumerate(goals) if g == "maximize"]
    decisions = get_stopping_rule(kind).decide(config(kind, goals, **early), runs_of(table, flip))
    assert all(d.message.startswith(kind) for d in decisions)
    assert all(d.value is None and d.threshold is None for d in decisions)
    return {d.run_id: d.band for d in decisions}


# the worked example of pareto_halving.py
WORKED = [
    ("A", R, [(1, 5), (1, 4), (1, 3)]),
    ("B", R, [(3, 3), (3, 3), (2, 2)]),
    ("C", R, [(4, 6), (4, 6), (4, 5)]),
    ("D", R, [(5, 1)]),
    ("E", R, [(6, 6)]),
    ("F", R, [(2, 4)]),
]
# strict compares the 2nd vectors, not strict each objective's best of the first two
STRICTNESS = [("X", F, [(1, 1), (5, 5)]), ("Y", R, [(2, 2), (4, 4)])]

HALVING_TABLE = [
    # (case, rule, early_terminate keys, runs, {stopped run: band})
    ("asha worked example", "asha", dict(min_iter=1, eta=3), WORKED,
     {"C": 3, "E": 1, "F": 1}),
    ("hyperband keeps int(n/eta) + 1", "hyperband", dict(min_iter=1, eta=3), WORKED,
     {"C": 3, "E": 1, "F": 1}),
    ("asha strict judges the rung's vector", "asha", dict(min_iter=2, eta=2), STRICTNESS, {}),
    ("asha not strict judges the best of the first r", "asha",
     dict(min_iter=2, eta=2, strict=False), STRICTNESS, {"Y": 2}),
    # n = 2, eta 3: hyperband keeps int(2/3) + 1 = 1
    ("hyperband not strict as asha", "hyperband", dict(min_iter=2, eta=3, strict=False),
     STRICTNESS, {"Y": 2}),
    ("hyperband strict", "hyperband", dict(min_iter=2, eta=3), STRICTNESS, {}),
    # n = 2 at rung 1, eta 2: asha keeps 1, hyperband int(2/2) + 1 = 2
    ("asha: a dominated run is stopped", "asha", dict(min_iter=1, eta=2),
     [("G", F, [(1, 1)]), ("H", R, [(2, 2)])], {"H": 1}),
    ("hyperband keeps both of two", "hyperband", dict(min_iter=1, eta=2),
     [("G", F, [(1, 1)]), ("H", R, [(2, 2)])], {}),
    # the first run at a rung is the best of one
    ("alone at its rung", "asha", dict(min_iter=1, eta=3), [("G", R, [(9, 9)])], {}),
    ("no complete vector yet: not judged", "asha", dict(min_iter=1, eta=2),
     [("G", F, [(1, 1)]), ("H", R, [])], {}),
    # only running runs are stopped; pending and finished ones count
    ("finished and pending runs are never stopped", "asha", dict(min_iter=1, eta=3),
     [("G", F, [(1, 1)]), ("H", F, [(5, 5)]), ("I", P, [(6, 6)])], {}),
    # rungs stop below max_iter: H's 3rd vector decides nothing
    ("asha rungs stop below max_iter", "asha", dict(min_iter=1, eta=3, max_iter=3),
     [("G", F, [(1, 1), (1, 1), (1, 1)]), ("H", R, [(1, 1), (1, 1), (9, 9)])], {}),
]


@pytest.mark.parametrize("case, kind, early, table, stopped", HALVING_TABLE,
                         ids=[row[0] for row in HALVING_TABLE])
def test_pareto_halving_by_table(case, kind, early, table, stopped):
    assert decide(kind, early, table) == stopped


def test_maximised_objectives_are_judged_in_their_own_direction():
    goals = ("maximize", "minimize")
    assert decide("asha", dict(min_iter=1, eta=3), WORKED, goals) == {"C": 3, "E": 1, "F": 1}


def test_a_run_asked_to_stop_counts_but_is_not_stopped_again():
    runs = runs_of([("G", F, [(1, 1)]), ("H", R, [(2, 2)])])
    runs[1].should_stop = True
    assert get_stopping_rule("asha").decide(config("asha", min_iter=1, eta=2), runs) == []


def test_the_message_names_the_vector_rank_and_last_kept_rank():
    table = [("G", F, [(1, 1)]), ("H", R, [(2, 2.5)])]
    [decision] = get_stopping_rule("asha").decide(config("asha", min_iter=1, eta=2), runs_of(table))
    assert decision.message == (
        "asha: (m0 2, m1 2.5) (its 1st values) is not in the best 1 of the 2 runs that "
        "reached 1 values by non-dominated rank (its rank 1, the last run kept has rank 0; "
        "eta 2)")


def test_halving_keys_order_by_rank_then_crowding():
    # the rung-1 vectors of the worked example, in the order A, B, C, D, E, F
    points = np.array([(1, 5), (3, 3), (4, 6), (5, 1), (6, 6), (2, 4)], dtype=float)
    keys = halving_keys(points)
    assert [k[0] for k in keys] == [0, 0, 1, 0, 2, 0]
    assert keys[1][1] == pytest.approx(-1.5) and keys[5][1] == pytest.approx(-1.0)
    assert keys[0][1] == keys[3][1] == -np.inf


# the worked example of median.py
MEDIAN_EXAMPLE = [
    ("P", F, [(1, 9), (1, 8)]), ("Q", F, [(5, 5), (4, 4)]), ("R", F, [(9, 1), (8, 1)]),
    ("S", R, [(7, 7), (6, 7)]), ("T", R, [(2, 9), (2, 9)]),
]
MEDIAN_TABLE = [
    ("worked example", dict(min_iter=2), MEDIAN_EXAMPLE, {"S": 2}),
    ("before min_iter nothing is judged", dict(min_iter=3), MEDIAN_EXAMPLE, {}),
    # two peers are too few
    ("needs three peers", dict(min_iter=1),
     [("P", F, [(1, 1)]), ("Q", F, [(1, 1)]), ("S", R, [(9, 9)])], {}),
    # worse than the median on one objective only: goes on
    ("worse on one objective only", dict(min_iter=1),
     [("P", F, [(1, 1)]), ("Q", F, [(2, 2)]), ("R", F, [(3, 3)]), ("S", R, [(9, 1)])], {}),
    ("worse on both", dict(min_iter=1),
     [("P", F, [(1, 1)]), ("Q", F, [(2, 2)]), ("R", F, [(3, 3)]), ("S", R, [(9, 2.5)])],
     {"S": 1}),
]


@pytest.mark.parametrize("case, early, table, stopped", MEDIAN_TABLE,
                         ids=[row[0] for row in MEDIAN_TABLE])
def test_median_with_several_objectives_by_table(case, early, table, stopped):
    assert decide("median", early, table) == stopped


def test_median_message_gives_each_objective_against_its_median():
    [decision] = get_stopping_rule("median").decide(config("median", min_iter=2),
                                              runs_of(MEDIAN_EXAMPLE))
    assert decision.message.endswith("(m0 6 vs 3, m1 7 vs 6)")
