"""Which runs the metric-curves chart draws, and the band of the others (dash_ui/curves.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sweepd.dash_ui import curves, figures
from sweepd.dash_ui.data import ParamAxis

AXES = [ParamAxis("lr", "log")]


def runs_of(values, states=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "number": list(range(1, n + 1)),
        "state": states or ["finished"] * n, "value": [float(v) for v in values],
        "reason": [""] * n, "p:lr": [1e-3] * n,
    })


def test_every_run_is_drawn_up_to_the_cap():
    runs = runs_of([5, 1, 3])
    assert curves.drawn_positions(runs, goal="minimize", most=3).tolist() == [0, 1, 2]


def test_beyond_the_cap_the_best_runs_and_every_running_run_are_drawn_in_run_order():
    values = [0.9, 0.1, 0.5, np.nan, 0.3, 0.2, 0.8, 0.05]
    states = ["finished"] * 6 + ["running", "running"]
    runs = runs_of(values, states)
    # the 2 best ended runs (0.1 at 1, 0.2 at 5) and both running runs, whatever their value
    assert curves.drawn_positions(runs, goal="minimize", most=2).tolist() == [1, 5, 6, 7]
    # maximize: the highest ended values (0.9 at 0, 0.5 at 2); a run without a value never
    assert curves.drawn_positions(runs, goal="maximize", most=2).tolist() == [0, 2, 6, 7]


def test_a_selection_draws_the_best_selected_runs():
    runs = runs_of([0.9, 0.1, 0.5, 0.4, 0.3, 0.2])
    selected = np.array([True, False, True, True, False, False])
    assert curves.drawn_positions(runs, goal="minimize", selected=selected,
                                  most=2).tolist() == [2, 3]


def test_more_running_runs_than_the_cap_draws_the_best_of_them():
    runs = runs_of([0.4, 0.3, 0.2, 0.1, 0.5], ["running"] * 4 + ["finished"])
    assert curves.drawn_positions(runs, goal="minimize", most=2).tolist() == [2, 3, 4]


def test_bin_width_is_a_power_of_two_covering_the_longest_run_in_few_stretches():
    assert curves.bin_width(99, bins=200) == 1
    assert curves.bin_width(999, bins=200) == 8  # 1000 steps / 200 = 5 -> 8: 125 stretches
    assert curves.bin_width(1000, bins=200) == 8
    assert curves.bin_width(1599, bins=200) == 8
    assert curves.bin_width(1600, bins=200) == 16
    assert curves.bin_width(float("nan")) == 1


def test_binned_gives_each_stretchs_lowest_mean_and_highest():
    steps = np.array([0, 1, 2, 3, 6, 7, -1])
    values = np.array([4.0, 2.0, 1.0, 5.0, 3.0, 3.0, 100.0])  # step -1 left out
    lows, means, highs = curves.binned(steps, values, 2)
    # stretches [0,1] [2,3] [4,5] [6,7]
    assert lows.tolist()[:2] == [2.0, 1.0] and np.isnan(lows[2]) and lows[3] == 3.0
    assert means.tolist()[:2] == [3.0, 3.0] and np.isnan(means[2]) and means[3] == 3.0
    assert highs.tolist()[:2] == [4.0, 5.0] and np.isnan(highs[2]) and highs[3] == 3.0


def test_the_band_against_a_hand_computation():
    width = 1
    a = curves.binned(np.array([0, 1, 2]), np.array([1.0, 2.0, 3.0]), width)
    b = curves.binned(np.array([0, 1]), np.array([3.0, 4.0]), width)
    c = curves.binned(np.array([0, 1, 2]), np.array([5.0, 0.0, 9.0]), width)
    band = curves.band_of([a, b, c], width)
    assert band.runs == 3 and band.x.tolist() == [0.0, 1.0, 2.0]
    assert band.low.tolist() == [1.0, 0.0, 3.0]
    assert band.high.tolist() == [5.0, 4.0, 9.0]
    # step 0: 1, 3, 5 -> median 3, quartiles 2 and 4 (linear interpolation)
    # step 1: 2, 4, 0 -> 0, 2, 4 -> median 2, quartiles 1 and 3
    # step 2: only a and c reach it: 3, 9 -> median 6, quartiles 4.5 and 7.5
    assert band.median.tolist() == [3.0, 2.0, 6.0]
    assert band.q1.tolist() == [2.0, 1.0, 4.5]
    assert band.q3.tolist() == [4.0, 3.0, 7.5]


def test_band_of_wide_stretches_sits_at_their_middle_and_skips_empty_ones():
    a = curves.binned(np.array([0, 1, 2, 3, 12, 13]), np.array([1.0, 3.0, 2.0, 2.0, 0.5, 0.5]), 4)
    band = curves.band_of([a], 4)
    assert band.x.tolist() == [1.5, 13.5]  # stretches 0-3 and 12-15; 4-11 has no point
    assert band.median.tolist() == [2.0, 0.5] and band.low.tolist() == [1.0, 0.5]
    assert curves.band_of([curves.binned(np.array([]), np.array([]), 4)], 4) is None


def test_column_quantiles_match_numpys():
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(37, 11))
    matrix[rng.random(matrix.shape) < 0.3] = np.nan
    matrix[:, 4] = np.nan  # a column no run reaches
    found = curves.column_quantiles(matrix, (0.25, 0.5, 0.9))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanquantile(matrix, [0.25, 0.5, 0.9], axis=0)
    for got, want in zip(found, expected):
        assert np.allclose(got, want, equal_nan=True)


def test_the_note_says_what_is_drawn_and_what_the_band_covers():
    runs = runs_of([0.9, 0.1, 0.5, 0.3, 0.2], ["finished"] * 4 + ["running"])
    drawn = curves.drawn_positions(runs, goal="minimize", most=2)
    band = curves.band_of([curves.binned(np.array([0]), np.array([1.0]), 1)] * 4, 1)
    note = curves.drawn_note(runs, drawn, band=band, selected=False)
    assert note == "3 of 5 runs drawn (2 best, 1 running); the band covers all 4 ended"
    assert curves.drawn_note(runs.iloc[:4], np.array([1, 3]), band=None,
                             selected=True) == "2 of 4 runs drawn (2 best selected)"
    assert curves.drawn_note(runs, np.arange(5), band=band, selected=False) == ""


def test_curves_figure_draws_the_band_beneath_the_runs_and_the_note():
    runs = runs_of([0.2, 0.1])
    frame = pd.DataFrame({"run_id": ["r0"] * 3 + ["r1"] * 3, "step": [0, 1, 2] * 2,
                          "value": [1.0, 0.5, 0.2, 0.9, 0.4, 0.1]})
    band = curves.band_of([curves.binned(np.arange(3), np.array(v), 1)
                           for v in ([1.0, 0.5, 0.2], [0.9, 0.4, 0.1], [3.0, 2.0, 1.0])], 1)
    fig = figures.curves_figure(frame, runs, key="loss", axes=AXES, goal="minimize", band=band,
                                note="2 of 3 runs drawn")
    go.Figure(fig)
    assert [t.get("meta") for t in fig["data"]] == ["band"] * curves.BAND_TRACES + ["r0", "r1"]
    assert fig["data"][1]["fill"] == "tonexty" and fig["data"][1]["y"] == [3.0, 2.0, 1.0]
    assert fig["data"][0]["y"] == [0.9, 0.4, 0.1]
    assert "the 3 ended runs" in fig["data"][4]["hovertemplate"]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["2 of 3 runs drawn"]


def test_an_outlier_among_runs_not_drawn_counts_for_the_range_and_is_marked():
    runs = runs_of([0.2, 0.1, 0.3, 0.25, 0.15])
    frame = pd.DataFrame({"run_id": np.repeat(runs["run_id"], 2), "step": [0, 1] * 5,
                          "value": [1.0, 0.2, 0.9, 0.1, 1.1, 0.3, 1.0, 0.25, 0.95, 0.15]})
    others = curves.Extents(["#9 r8", "#10 r9"], np.array([0.2, 0.3]), np.array([1.0, 500.0]),
                            [1, 1], [0, 7])
    fig = figures.curves_figure(frame, runs, key="loss", axes=AXES, goal="minimize",
                                others=others)
    assert fig["layout"]["yaxis"]["range"][1] < 2
    (mark,) = [m for m in fig["layout"]["annotations"] if m["text"] == "▲"]
    assert mark["x"] == 7 and "#10 r9: loss reaches 500" in mark["hovertext"]
    assert all(t["line"]["dash"] == "solid" for t in fig["data"])  # no drawn run is one
