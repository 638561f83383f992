"""Early-termination rules over fixed metric histories: hyperband (the spec's rule,
table-driven), asha and median."""

from __future__ import annotations

import math

import pytest

import sweepd.controller.stopping  # noqa: F401  (fills the registry)
from sweepd.config import EarlyTerminate, parse_config
from sweepd.controller.stopping.asha import asha_rungs
from sweepd.controller.stopping.base import StopDecision, get_stopping_rule, stopping_rules
from sweepd.controller.stopping.hyperband import hyperband_bands

R, F, C, X, S, P = "running", "finished", "crashed", "failed", "stopped", "pending"


def config(kind: str, goal: str = "minimize", **early):
    return parse_config(
        {
            "method": "random",
            "metric": {"name": "loss", "goal": goal},
            "parameters": {"x": {"values": [1, 2]}},
            "early_terminate": {"type": kind, **early},
        }
    )


def runs_of(table):
    from sweepd.domain import Run, RunState

    return [
        Run(id=rid, sweep_id="s", state=RunState(state), config={"x": 1}, history=list(history))
        for rid, state, history in table
    ]


def decide(kind, goal, early, table):
    """{run id: (band, value, threshold)} of the runs the rule stops."""
    decisions = get_stopping_rule(kind).decide(config(kind, goal, **early), runs_of(table))
    assert all(isinstance(d, StopDecision) and d.message.startswith(kind) for d in decisions)
    return {d.run_id: (d.band, d.value, d.threshold) for d in decisions}


def test_rules_are_registered():
    assert {"hyperband", "asha", "median"} <= set(stopping_rules())
    with pytest.raises(KeyError, match="no stopping rule 'nope'"):
        get_stopping_rule("nope")


# ---------------------------------------------------------------- hyperband

SPEC_EXAMPLE = [("A", R, [5, 4, 3, 2]), ("B", R, [6, 6, 6]), ("C", R, [9, 8, 7])]
SEVERAL_BANDS = [  # min_iter 1, eta 2: bands 1, 2, 4, 8
    ("R1", F, [4, 3, 2, 1, 1, 1, 1, 1]),
    ("R2", F, [5, 4, 3, 2]),
    ("R3", C, [6, 5]),  # ended early: counts at bands 1 and 2 only
    ("R4", R, [3, 3, 3, 3, 3]),  # band 4
    ("R5", R, [7]),  # band 1
    ("R6", R, [4, 2.5]),  # band 2
]

HYPERBAND_TABLE = [
    # (case, goal, early_terminate keys, runs, {stopped run: (band, value, threshold)})
    ("spec example, strict", "minimize", dict(min_iter=3, eta=3, strict=True),
     SPEC_EXAMPLE, {"C": (3, 7, 6)}),
    ("spec example, not strict", "minimize", dict(min_iter=3, eta=3, strict=False),
     SPEC_EXAMPLE, {"C": (3, 7, 6)}),
    ("strict is the default", "minimize", dict(min_iter=3), SPEC_EXAMPLE, {"C": (3, 7, 6)}),
    # band-2 values 1, 2, 3; index int(3/2) = 1: threshold 2. D's 2nd value 3 > 2, its
    # best so far 0.5 is not.
    ("strict judges the band's value", "minimize", dict(min_iter=2, eta=2, strict=True),
     [("A", F, [1, 1]), ("B", F, [2, 2]), ("D", R, [5, 3, 0.5])], {"D": (2, 3, 2)}),
    ("not strict judges the best so far", "minimize", dict(min_iter=2, eta=2, strict=False),
     [("A", F, [1, 1]), ("B", F, [2, 2]), ("D", R, [5, 3, 0.5])], {}),
    # band 1: 3,4,4,5,6,7 -> index 3 -> 5 (R5's 7 is worse); band 2: 2.5,3,3,4,5 -> index
    # 2 -> 3 (R6's 2.5 is fine); band 4: 1,2,3 -> index 1 -> 2 (R4's 3 is worse)
    ("several bands, strict", "minimize", dict(min_iter=1, eta=2),
     SEVERAL_BANDS, {"R4": (4, 3, 2), "R5": (1, 7, 5)}),
    ("several bands, not strict", "minimize", dict(min_iter=1, eta=2, strict=False),
     SEVERAL_BANDS, {"R4": (4, 3, 2), "R5": (1, 7, 5)}),
    # negated band-3 values -0.7, -0.4, -0.8 -> sorted -0.8, -0.7, -0.4 -> index 1: 0.7
    ("maximize", "maximize", dict(min_iter=3, eta=3),
     [("A", R, [0.5, 0.6, 0.7]), ("B", R, [0.4, 0.4, 0.4]), ("C", R, [0.9, 0.8, 0.8])],
     {"B": (3, 0.4, 0.7)}),
    ("maximize, not strict", "maximize", dict(min_iter=3, eta=3, strict=False),
     [("A", R, [0.5, 0.6, 0.7]), ("B", R, [0.45, 0.4, 0.4]), ("C", R, [0.9, 0.8, 0.8])],
     {"B": (3, 0.45, 0.7)}),
    # max_iter 9, s 2, eta 3: bands 1, 3. Two values each: band 1 values 1, 2, 3 -> 2
    ("max_iter and s", "minimize", dict(max_iter=9, s=2, eta=3),
     [("A", R, [2, 2]), ("B", R, [1, 1]), ("C", R, [3, 3])], {"C": (1, 3, 2)}),
    ("only running runs are stopped", "minimize", dict(min_iter=3, eta=3),
     [("A", F, [5, 4, 3, 2]), ("B", X, [6, 6, 6]), ("C", S, [9, 8, 7]), ("D", P, [])], {}),
    # the finished runs still set the threshold a running run is judged against
    ("terminal runs count for thresholds", "minimize", dict(min_iter=3, eta=3),
     [("A", F, [5, 4, 3, 2]), ("B", F, [6, 6, 6]), ("C", R, [9, 8, 7])], {"C": (3, 7, 6)}),
    ("no run reached a band", "minimize", dict(min_iter=3, eta=3),
     [("A", R, [9, 9]), ("B", R, [1, 1])], {}),
    ("non-finite values are dropped", "minimize", dict(min_iter=3, eta=3),
     [("A", R, [5, 4, math.nan, 3, 2]), ("B", R, [6, math.inf, 6, 6]),
      ("C", R, [-math.inf, 9, 8, 7])], {"C": (3, 7, 6)}),
    ("a tie with the threshold goes on", "minimize", dict(min_iter=1, eta=2),
     [("A", R, [1]), ("B", R, [2]), ("C", R, [2])], {}),
]


@pytest.mark.parametrize(
    "case, goal, early, table, expected", HYPERBAND_TABLE, ids=[row[0] for row in HYPERBAND_TABLE]
)
def test_hyperband_table(case, goal, early, table, expected):
    assert decide("hyperband", goal, early, table) == expected


def test_hyperband_spec_example_message_names_value_and_threshold():
    rule = get_stopping_rule("hyperband")
    [d] = rule.decide(config("hyperband", min_iter=3, eta=3), runs_of(SPEC_EXAMPLE))
    assert d == StopDecision("C", 3, 7.0, 6.0, d.message)
    assert "loss 7" in d.message and "threshold 6" in d.message and "3 runs" in d.message


def test_hyperband_skips_a_run_already_asked_to_stop():
    runs = runs_of(SPEC_EXAMPLE)
    runs[2].should_stop = True
    assert get_stopping_rule("hyperband").decide(config("hyperband", min_iter=3), runs) == []


@pytest.mark.parametrize(
    "early, up_to, bands",
    [
        (dict(min_iter=3, eta=3), 30, [3, 9, 27]),
        (dict(min_iter=3, eta=3), 8, [3]),
        (dict(min_iter=2, eta=1.5), 24, [2, 3, 4, 6, 10, 15, 22]),
        (dict(min_iter=1, eta=1.2), 3, [1, 2, 3]),  # int() repeats a band: one band
        (dict(max_iter=27, s=2, eta=3), 100, [3, 9]),
        (dict(max_iter=10, s=5, eta=3), 100, [1, 3]),  # stops before 10/27 < 1
        (dict(max_iter=81, s=3, eta=3), 5, [3]),
    ],
)
def test_hyperband_bands(early, up_to, bands):
    assert hyperband_bands(EarlyTerminate(type="hyperband", **early), up_to) == bands


# ---------------------------------------------------------------- asha

ASHA_EXAMPLE = [("A", R, [5, 4, 3]), ("B", R, [6, 6, 6]), ("C", R, [9, 8, 7]), ("D", R, [4])]

ASHA_TABLE = [
    # rung 3: 3, 6, 7 -> ceil(3/3) = 1 kept: threshold 3; rung 1: 4, 5, 6, 9 -> 2 kept: 5
    ("docstring example", "minimize", dict(min_iter=1, eta=3), ASHA_EXAMPLE,
     {"B": (3, 6, 3), "C": (3, 7, 3)}),
    ("first run at a rung goes on", "minimize", dict(min_iter=1, eta=3), [("A", R, [100])], {}),
    ("second arrival worse than the first", "minimize", dict(min_iter=1, eta=3),
     [("A", F, [1]), ("B", R, [2])], {"B": (1, 2, 1)}),
    # without max_iter A and B are judged at rung 3 (1 vs 9: B stopped); with max_iter 3
    # the rungs stop below 3, so both are judged at rung 1 (3 vs 2: A stopped)
    ("rungs at or past max_iter are not used", "minimize", dict(min_iter=1, eta=3, max_iter=3),
     [("A", R, [3, 1, 1]), ("B", R, [2, 2, 9])], {"A": (1, 3, 2)}),
    ("without max_iter", "minimize", dict(min_iter=1, eta=3),
     [("A", R, [3, 1, 1]), ("B", R, [2, 2, 9])], {"B": (3, 9, 1)}),
    ("strict: the rung's value", "minimize", dict(min_iter=3, eta=2, strict=True),
     [("A", R, [1, 5, 5]), ("B", R, [3, 2, 2])], {"A": (3, 5, 2)}),
    ("not strict: best of the first rung values", "minimize", dict(min_iter=3, eta=2, strict=False),
     [("A", R, [1, 5, 5, 0]), ("B", R, [3, 2, 2])], {"B": (3, 2, 1)}),
    # 6 runs at rung 2, eta 2: 3 kept; the threshold is the 3rd best, 0.7
    ("maximize", "maximize", dict(min_iter=2, eta=2),
     [("A", F, [0, 0.9]), ("B", F, [0, 0.8]), ("C", R, [0, 0.7]), ("D", R, [0, 0.6]),
      ("E", R, [0, 0.5]), ("F", F, [0, 0.1])],
     {"D": (2, 0.6, 0.7), "E": (2, 0.5, 0.7)}),
    ("terminal runs are not stopped", "minimize", dict(min_iter=1, eta=3),
     [("A", F, [1]), ("B", F, [2]), ("C", X, [3])], {}),
]


@pytest.mark.parametrize(
    "case, goal, early, table, expected", ASHA_TABLE, ids=[row[0] for row in ASHA_TABLE]
)
def test_asha_table(case, goal, early, table, expected):
    assert decide("asha", goal, early, table) == expected


def test_asha_keeps_fewer_than_hyperband_when_n_over_eta_is_whole():
    # the spec's example: hyperband keeps A and B (index int(3/3) = 1); asha keeps A only
    early = dict(min_iter=3, eta=3)
    assert set(decide("hyperband", "minimize", early, SPEC_EXAMPLE)) == {"C"}
    assert set(decide("asha", "minimize", early, SPEC_EXAMPLE)) == {"B", "C"}


@pytest.mark.parametrize(
    "early, up_to, rungs",
    [
        (dict(min_iter=1, eta=3), 30, [1, 3, 9, 27]),
        (dict(min_iter=1, eta=3, max_iter=27), 100, [1, 3, 9]),
        (dict(min_iter=2, eta=2, max_iter=9), 100, [2, 4, 8]),
        (dict(min_iter=None, eta=2), 4, [1, 2, 4]),  # min_iter defaults to 1
    ],
)
def test_asha_rungs(early, up_to, rungs):
    assert asha_rungs(EarlyTerminate(type="asha", **early), up_to) == rungs


# ---------------------------------------------------------------- median

MEDIAN_EXAMPLE = [
    ("P", F, [4, 3, 2, 1]), ("Q", F, [5, 5, 5]), ("R", F, [3, 2, 2, 2]),
    ("S", R, [6, 6, 5]), ("T", R, [2, 9, 9]),
]

MEDIAN_TABLE = [
    ("docstring example", "minimize", dict(min_iter=3), MEDIAN_EXAMPLE, {"S": (3, 5, 2)}),
    ("min_iter defaults to 3", "minimize", {}, MEDIAN_EXAMPLE, {"S": (3, 5, 2)}),
    # S has 3 values: with min_iter 4 it is still warming up
    ("warm-up", "minimize", dict(min_iter=4), MEDIAN_EXAMPLE, {}),
    ("too few peers", "minimize", dict(min_iter=1),
     [("P", F, [1, 1]), ("Q", F, [1, 1]), ("S", R, [9, 9])], {}),
    # peers' best of 2 values: 1, 2, 3, 4 -> median 2.5; S's best 3 is worse
    ("even number of peers", "minimize", dict(min_iter=1),
     [("P", F, [1, 1, 0]), ("Q", F, [2, 2]), ("R", F, [3, 3]), ("U", F, [4, 5]),
      ("S", R, [9, 3])], {"S": (2, 3, 2.5)}),
    # only peers with >= t values count: V (1 value) is no peer of S at t = 2
    ("peers need as many values", "minimize", dict(min_iter=1),
     [("P", F, [1, 1]), ("Q", F, [2, 2]), ("V", F, [0]), ("S", R, [5, 5])], {}),
    ("maximize", "maximize", dict(min_iter=2),
     [("P", F, [0.1, 0.9]), ("Q", F, [0.8, 0.2]), ("R", F, [0.5, 0.7]), ("S", R, [0.3, 0.6])],
     {"S": (2, 0.6, 0.8)}),
    ("terminal runs are not stopped", "minimize", dict(min_iter=1),
     [("P", F, [1]), ("Q", F, [1]), ("R", F, [1]), ("S", X, [9])], {}),
]


@pytest.mark.parametrize(
    "case, goal, early, table, expected", MEDIAN_TABLE, ids=[row[0] for row in MEDIAN_TABLE]
)
def test_median_table(case, goal, early, table, expected):
    assert decide("median", goal, early, table) == expected
