"""The run page's and the compare page's figures, facts and tables, as plain functions
of hand-made data (no Redis, no browser)."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from sweepd.config import parse_config
from sweepd.dash_ui import compare_page, pages, tables
from sweepd.dash_ui.compare_figures import (
    best_columns, best_rows, best_so_far_figure, params_figure, sweep_runs,
)
from sweepd.dash_ui.data import RunRecord
from sweepd.dash_ui.figures import decode_typed_array
from sweepd.dash_ui.run_figures import (
    FULL_RESOLUTION, THIN_POINTS, attempt_rows, config_rows, ending_text, fact_rows,
    metric_figure, output_parts, stop_mark, summary_rows, visible_points, zoom_change,
)
from sweepd.dash_ui.run_page import run_path_of
from sweepd.domain import Run, RunCounts, RunOutput, RunState, StopReason, Sweep, SweepState

from test_dash_user_text import HOSTILE, components, renders_markup


def valid(fig) -> go.Figure:
    return go.Figure(fig)  # raises on anything plotly would not accept


def curve(n: int) -> tuple[np.ndarray, np.ndarray]:
    steps = np.arange(n, dtype=np.int64)
    values = np.sin(steps / 500.0)
    values[n // 3] = 40.0  # a spike: thinning must keep it
    return steps, values


# ---------------------------------------------------------------- run page charts


def test_a_whole_curve_is_thinned_keeping_its_spikes():
    steps, values = curve(100_000)
    x, y, full = visible_points(steps, values, None)
    assert len(x) <= THIN_POINTS and not full and 40.0 in y
    assert np.array_equal(values[x], y) and np.all(np.diff(x) > 0)
    small = visible_points(steps[:500], values[:500], None)
    assert small[2] and np.array_equal(small[0], steps[:500])


def test_a_zoomed_range_is_sent_at_full_resolution_with_thinned_context():
    steps, values = curve(100_000)
    x, y, full = visible_points(steps, values, [40_000.5, 70_000.2])
    assert full
    inside = x[(x >= 40_000) & (x <= 70_001)]
    assert np.array_equal(inside, np.arange(40_000, 70_002))  # every point, one past each edge
    assert np.array_equal(values[x], y)
    assert 0 < (x < 40_000).sum() <= THIN_POINTS // 2 and 0 < (x > 70_001).sum() <= THIN_POINTS // 2
    # a range holding more than FULL_RESOLUTION points is thinned again, finer
    x, _, full = visible_points(steps, values, [0, FULL_RESOLUTION + 10])
    assert not full and len(x) <= 2 * THIN_POINTS


def test_relayout_data_gives_the_zoom():
    assert zoom_change({"xaxis.range[0]": 10, "xaxis.range[1]": 2.5, "yaxis.range[0]": 0,
                        "yaxis.range[1]": 1}) == {"x": [2.5, 10.0], "y": [0.0, 1.0]}
    assert zoom_change({"xaxis.range": [1, 3]}) == {"x": [1.0, 3.0]}
    assert zoom_change({"yaxis.range[0]": 1, "yaxis.range[1]": 2}) == {"y": [1.0, 2.0]}
    assert zoom_change({"xaxis.autorange": True, "yaxis.autorange": True}) == {"x": None, "y": None}
    for nothing in (None, {}, {"autosize": True}, {"xaxis.range[0]": "nope", "xaxis.range[1]": 1}):
        assert zoom_change(nothing) is None


def test_metric_figure_sends_float64_values_and_says_how_many_points_it_draws():
    steps, values = curve(100_000)
    fig = metric_figure("loss", steps, values)
    valid(fig)
    trace = fig["data"][0]
    assert trace["type"] == "scatter" and decode_typed_array(trace["y"]).dtype == np.float64
    assert fig["layout"]["meta"] == {"points": 100_000, "drawn": len(decode_typed_array(trace["x"])),
                                     "full": False}
    assert "zoom in for every point" in fig["layout"]["title"]["text"]
    zoomed = metric_figure("loss", steps, values, zoom={"x": [0, 30_000], "y": [-1, 1]})
    valid(zoomed)
    assert zoomed["layout"]["meta"]["full"] and zoomed["data"][0]["type"] == "scattergl"
    # a redraw keeps the zoom: the ranges are the figure's own
    assert zoomed["layout"]["xaxis"]["range"] == [0, 30_000] and zoomed["layout"]["yaxis"]["range"] == [-1, 1]
    assert "range" not in fig["layout"]["xaxis"]
    assert "no points" in json.dumps(metric_figure("loss", steps[:0], values[:0]))


def stopped_run(**kw) -> Run:
    reason = StopReason("hyperband", "hyperband: loss 0.8 is worse than the band-3 threshold 0.5",
                        band=3, value=0.8, threshold=0.5)
    return Run(id="r7", sweep_id="s1", state=RunState.STOPPED, config={"lr": 0.01, "opt": "adam"},
               number=7, agent_id="host-1-abc", host="gpu-node-2", attempt=1, created_at=1000.0,
               started_at=1002.0, ended_at=1062.5, stop_reason=reason, points=5,
               summary={"loss": 0.8, "note": "text"}, **kw)


def test_an_early_stop_is_marked_at_its_band_with_its_threshold():
    run = stopped_run()
    log_steps = np.array([0, 10, 20, 30, 40])
    stop = stop_mark(run, "loss", "loss", log_steps)
    assert stop == (20.0, run.stop_reason)
    assert stop_mark(run, "acc", "loss", log_steps) is None  # another key: nothing to mark
    fig = metric_figure("loss", log_steps, np.array([1.0, 0.9, 0.8, 0.8, 0.8]), stop=stop)
    valid(fig)
    assert fig["layout"]["shapes"][0]["y0"] == 0.5  # the threshold line
    assert fig["data"][1]["x"] == [20.0] and fig["data"][1]["y"] == [0.8]
    assert "band-3 threshold 0.5" in fig["layout"]["annotations"][0]["text"]


def test_facts_say_why_a_run_ended_with_band_value_and_threshold():
    record = RunRecord(stopped_run(), 0.8, None)
    facts = dict(fact_rows(record, metric="loss", goal="minimize", max_attempts=3))
    assert facts["why it ended"] == ("stopped: early termination (hyperband) at band 3: loss 0.8 "
                                     "was worse than the threshold 0.5")
    assert (facts["band"], facts["value at the stop"], facts["threshold"]) == ("3", "0.8", "0.5")
    assert facts["attempt"] == "1 of 3"
    assert (facts["agent"], facts["host"]) == ("host-1-abc", "gpu-node-2")
    assert facts["waited"] == "2s" and facts["ran for"] == "1m 00s"
    assert facts["best loss (minimize)"] == "0.8"


@pytest.mark.parametrize("run, words", [
    (Run(id="a", sweep_id="s", state=RunState.FAILED, config={}, error="ValueError: x"),
     "failed: ValueError: x"),
    (Run(id="a", sweep_id="s", state=RunState.CRASHED, config={},
         error="lease expired: its agent stopped sending heartbeats"),
     "crashed: lease expired: its agent stopped sending heartbeats"),
    (Run(id="a", sweep_id="s", state=RunState.STOPPED, config={},
         stop_reason=StopReason("preempted", "its agent was shut down")),
     "stopped: its agent went away (preempted)"),
    (Run(id="a", sweep_id="s", state=RunState.FINISHED, config={}, exit_code=0),
     "finished (exit code 0)"),
    (Run(id="a", sweep_id="s", state=RunState.RUNNING, config={}), "running: it has not ended"),
])
def test_ending_text(run, words):
    assert ending_text(run, "loss") == words


def test_config_summary_and_output_in_words():
    config = parse_config({"method": "grid", "parameters": {
        "opt": {"parameters": {"lr": {"values": [0.1]}, "name": {"values": ["adam"]}}},
        "layers": {"values": [2]}}})
    run = Run(id="a", sweep_id="s", state=RunState.FINISHED,
              config={"opt": {"lr": 0.1, "name": "adam"}, "layers": 2},
              summary={"loss": 0.25, "tags": ["a", "b"]})
    assert dict(config_rows(run, config)) == {"opt.lr": "0.1", "opt.name": "adam", "layers": "2"}
    assert summary_rows(run) == [("loss", "0.25"), ("tags", '["a", "b"]')]
    out = RunOutput(stdout="x" * 65_536, stderr="warn\n", stdout_bytes=200_000, stderr_bytes=5)
    parts = output_parts(out, run)
    assert [(name, note) for name, note, _ in parts] == [
        ("stdout", "the last 65,536 of 200,000 bytes"), ("stderr", "all 5 bytes")]
    failed = output_parts(RunOutput(traceback="Traceback ...\nValueError"), run)
    assert [p[0] for p in failed] == ["traceback"]
    assert "none stored" in output_parts(None, run)[0][1]


def test_attempts_are_the_runs_with_the_same_config():
    def record(rid, number, attempt, config, state=RunState.CRASHED):
        return RunRecord(Run(id=rid, sweep_id="s", state=state, config=config, number=number,
                             attempt=attempt), None, None)

    records = [record("a1", 1, 1, {"x": 1, "y": [1, 2]}), record("b1", 2, 1, {"x": 2}),
               record("a2", 3, 2, {"y": [1, 2], "x": 1}, RunState.FINISHED)]
    rows = attempt_rows(records, records[2].run, lambda rid: f"/sweep/s/run/{rid}")
    assert [(r["id"], r["attempt"]) for r in rows] == [("a1", 1), ("a2", 2)]
    assert rows[1]["run"] == tables.Link("a2 (this run)", "/sweep/s/run/a2")


def test_run_paths():
    assert run_path_of("/sweep/s1/run/r-2") == ("s1", "r-2")
    assert run_path_of("/sweep/s1/run/r-2/") == ("s1", "r-2")
    for other in ("/sweep/s1", "/sweep/s1/run/", "/sweep/s 1/run/r", "/sweep/s1/run/r/x", None):
        assert run_path_of(other) is None


def test_a_click_on_a_chart_point_names_its_run():
    assert pages.clicked_run({"points": [{"curveNumber": 3, "customdata": "r9"}]}) == "r9"
    assert pages.clicked_run({"points": [{"curveNumber": 1}]}, ["r1", "r2"]) == "r2"
    assert pages.clicked_run({"points": [{"curveNumber": 8}]}, ["r1"]) is None  # the best line
    assert pages.clicked_run({"points": [{"customdata": "x](http://evil"}]}) is None
    assert pages.clicked_run(None) is None


# ---------------------------------------------------------------- compare page


def sweep(sid: str, goal: str = "minimize", name: str = "", best: tuple[str, float] | None = None,
          method: str = "random") -> Sweep:
    config = parse_config({"method": method, "name": name or sid, "metric": {"name": "loss", "goal": goal},
                           "parameters": {"lr": {"distribution": "log_uniform_values",
                                                 "min": 1e-4, "max": 1e-1},
                                          "opt": {"values": ["adam", "sgd"]}}})
    return Sweep(id=sid, config=config, state=SweepState.FINISHED, created_at=1000.0,
                 updated_at=1100.0, counts=RunCounts(finished=4),
                 best_run_id=best[0] if best else "", best_value=best[1] if best else None)


def records_of(sid: str, values, opts=None, **flags) -> list[RunRecord]:
    out = []
    for i, v in enumerate(values):
        run = Run(id=f"{sid}r{i + 1}", sweep_id=sid, state=RunState.FINISHED,
                  config={"lr": 10.0 ** -(i + 1), "opt": (opts or ["adam"] * len(values))[i]},
                  number=i + 1, created_at=1000.0 + i, ended_at=1000.0 + 30 * (i + 1),
                  prior=i in flags.get("prior", ()), ignored=i in flags.get("ignored", ()))
        out.append(RunRecord(run, v, None))
    return out


def test_best_so_far_of_each_sweep_by_run_number_and_by_time():
    a = sweep_runs(sweep("a"), records_of("a", [3.0, 1.0, 2.0, 0.5], ignored={3}))
    b = sweep_runs(sweep("b", goal="maximize"), records_of("b", [1.0, 4.0, None, 2.0], prior={0}))
    fig = best_so_far_figure([a, b], "number")
    valid(fig)
    lines = [t for t in fig["data"] if t["mode"] == "lines"]
    assert [t["name"] for t in lines] == ["a", "b"]
    # a: 3 then 1 (the ignored 0.5 left out); b maximises, its prior run left out
    assert (lines[0]["x"], lines[0]["y"]) == ([1.0, 2.0, 3.0], [3.0, 1.0, 1.0])
    assert (lines[1]["x"], lines[1]["y"]) == ([2.0, 4.0], [4.0, 4.0])
    dots = [t for t in fig["data"] if t["mode"] == "markers"]
    assert dots[0]["customdata"] == [["a", "ar1"], ["a", "ar2"], ["a", "ar3"]]
    by_time = best_so_far_figure([a, b], "time")
    valid(by_time)
    assert by_time["data"][0]["x"] == [30.0, 60.0, 90.0]  # seconds since the sweep was created
    assert "time since the sweep was created (s)" in by_time["layout"]["xaxis"]["title"]["text"]


def test_parameter_distributions_side_by_side():
    a = sweep_runs(sweep("a"), records_of("a", [1.0, 2.0, 3.0], opts=["adam", "adam", "sgd"]))
    b = sweep_runs(sweep("b"), records_of("b", [1.0, 2.0], opts=["sgd", "sgd"], prior={0}))
    fig = params_figure([a, b])
    valid(fig)
    boxes = [t for t in fig["data"] if t["type"] == "box"]
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [t["y"] for t in boxes] == [[0.1, 0.01, 0.001], [0.01]]  # b's prior run left out
    assert fig["layout"]["yaxis"]["type"] == "log"  # lr is log-distributed
    assert boxes[0]["customdata"][0] == ["a", "ar1"]
    assert [t["x"] for t in bars] == [["adam", "sgd"]] * 2
    assert bars[0]["y"] == pytest.approx([2 / 3, 1 / 3]) and bars[1]["y"] == [0.0, 1.0]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["<b>lr</b>", "<b>opt</b>"]


def test_best_run_table_of_each_sweep():
    a = sweep_runs(sweep("a", best=("ar2", 1.0)), records_of("a", [3.0, 1.0]))
    b = sweep_runs(sweep("b"), records_of("b", []))
    rows = best_rows([a, b], href=lambda p: "/app" + p, now=2000.0)
    assert rows[0]["run"] == tables.Link("#2 ar2", "/app/sweep/a/run/ar2")
    assert rows[0]["sweep"] == tables.Link("a", "/app/sweep/a")
    assert (rows[0]["best"], rows[0]["p:lr"], rows[0]["p:opt"]) == (1.0, "0.01", "adam")
    assert rows[1]["run"] == "" and rows[1]["best"] is None
    assert [c for c, _ in best_columns([a, b])][-2:] == ["p:lr", "p:opt"]


def test_compare_urls_and_the_sweeps_list_link():
    assert compare_page.sweeps_of("?sweeps=a,b,,a, c") == ["a", "b", "c"]
    assert compare_page.sweeps_of("?sweeps=a&sweeps=b") == ["a", "b"]
    assert compare_page.sweeps_of("?sweeps=x](evil),ok") == ["ok"]
    assert compare_page.link_for(["a"])[2] == "compare-link disabled"
    assert compare_page.link_for(["a", "b"])[:2] == ("/compare?sweeps=a,b", "compare 2 sweeps")


# ---------------------------------------------------------------- user text


def test_user_text_stays_text_in_the_new_pages():
    fig = metric_figure(HOSTILE, np.arange(3), np.ones(3))
    assert HOSTILE not in json.dumps(fig) and "&lt;a href" in json.dumps(fig)
    config = parse_config({"method": "random", "name": HOSTILE, "metric": {"name": HOSTILE},
                           "parameters": {"opt": {"values": [HOSTILE, "sgd"]}}})
    hostile = Sweep(id="h", config=config, state=SweepState.RUNNING, created_at=1000.0)
    records = [RunRecord(Run(id="hr1", sweep_id="h", state=RunState.FINISHED,
                             config={"opt": HOSTILE}, number=1, ended_at=1001.0), 1.0, None)]
    s = sweep_runs(hostile, records)
    for fig in (best_so_far_figure([s]), params_figure([s])):
        valid(fig)
        assert HOSTILE not in json.dumps(fig)
    table = tables.table(best_columns([s]), best_rows([s], href=lambda p: p))
    assert not [c for c in components(table) if renders_markup(c)]
    assert HOSTILE in [c["props"].get("children") for c in components(table)]
