"""What a config's stopping index holds (stopping/index.py), and decisions made from
standings the store read, without Redis: the store's side is in
tests/integration/test_stop_index.py."""

from __future__ import annotations

import pytest

from sweepd.config import parse_config
from sweepd.controller.stopping.asha import asha_rungs
from sweepd.controller.stopping.hyperband import hyperband_bands
from sweepd.controller.stopping.index import (
    MARKS_UP_TO, MAX_MARKS, Standing, index_decisions, index_spec,
)


def config(goal="minimize", name="loss", **early):
    return parse_config({"method": "random", "metric": {"name": name, "goal": goal},
                         "parameters": {"x": {"values": [1]}},
                         **({"early_terminate": early} if early else {})})


def test_hyperband_and_asha_keep_their_own_bands_and_median_every_count_from_its_warm_up():
    cfg = config(type="hyperband", min_iter=3, eta=3)
    hb = index_spec(cfg)
    assert hb.marks == tuple(hyperband_bands(cfg.early_terminate, MARKS_UP_TO))
    assert hb.marks[:4] == (3, 9, 27, 81) and hb.at and hb.every is None
    s = index_spec(config(type="hyperband", max_iter=27, s=2, eta=3))
    assert s.marks == (3, 9)
    asha = config(type="asha", min_iter=2, eta=2, max_iter=10, strict=False)
    assert index_spec(asha).marks == tuple(asha_rungs(asha.early_terminate, 10)) == (2, 4, 8)
    assert not index_spec(asha).at  # best of the first r values
    median = index_spec(config(type="median", min_iter=5))
    assert (median.every, median.marks, median.at) == (5, (), False)


def test_hyperband_thresholds_take_band_values_even_when_not_strict():
    assert index_spec(config(type="hyperband", min_iter=1, strict=False)).at


def test_every_change_of_the_rule_or_the_goal_names_another_index():
    variants = [config(type="hyperband", min_iter=3, eta=3),
                config(type="hyperband", min_iter=3, eta=3, strict=False),
                config(type="hyperband", min_iter=2, eta=3),
                config(type="hyperband", min_iter=3, eta=2.5),
                config(type="asha", min_iter=3, eta=3),
                config(type="median", min_iter=3),
                config("maximize", type="hyperband", min_iter=3, eta=3)]
    assert len({index_spec(c).tag for c in variants}) == len(variants)
    assert index_spec(variants[0]) == index_spec(config(type="hyperband", min_iter=3, eta=3))


def test_no_index_without_a_rule():
    assert index_spec(config()) is None


def test_an_eta_close_to_one_keeps_a_bounded_number_of_marks():
    spec = index_spec(config(type="asha", min_iter=1, eta=1.0001))
    assert len(spec.marks) == MAX_MARKS and spec.upto == spec.marks[-1]
    assert spec.marks[:3] == (1, 2, 3)


@pytest.mark.parametrize("goal, sign", [("minimize", 1), ("maximize", -1)])
def test_decisions_from_standings_speak_as_the_rules_do(goal, sign):
    cfg = config(goal, type="hyperband", min_iter=3, eta=3)
    spec = index_spec(cfg)
    # the spec's example, as the store would read it (values oriented: lower is better)
    standings = [Standing("C", 3, 3, 3, sign * 7.0, sign * 7.0, 3, (sign * 6.0,)),
                 Standing("A", 1, 3, 4, sign * 3.0, sign * 2.0, 3, (sign * 6.0,))]
    if sign < 0:  # maximize: A's 3 and 2 are the worse values, C's 7 the better
        standings = [Standing("C", 3, 3, 3, -7.0, -7.0, 3, (-6.0,)),
                     Standing("A", 1, 3, 4, -3.0, -3.0, 3, (-6.0,))]
    [d] = index_decisions(cfg, spec, standings)
    expected = ("C", 3, 7.0, 6.0) if sign > 0 else ("A", 3, 3.0, 6.0)
    assert (d.run_id, d.band, d.value, d.threshold) == expected
    assert d.message.startswith("hyperband: loss") and "threshold 6" in d.message


def test_median_takes_the_mean_of_the_two_middle_peers():
    cfg = config(type="median", min_iter=3)
    spec = index_spec(cfg)
    [d] = index_decisions(cfg, spec, [Standing("S", 4, 3, 3, 5.0, 5.0, 5, (2.0, 5.0))])
    assert (d.run_id, d.band, d.value, d.threshold) == ("S", 3, 5.0, 3.5)
    assert "of 4 other runs" in d.message
    assert index_decisions(cfg, spec, [Standing("S", 4, 3, 3, 5.0, 5.0, 3, ())]) == []
