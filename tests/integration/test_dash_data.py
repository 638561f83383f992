"""The dashboard's data access against a real controller and Redis: what it reads,
that it reads incrementally, and what one page refresh sends."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import redis
from dash import Patch, no_update
from dash._utils import to_json

import sweepd
from sweepd.client import Client
from sweepd.controller.redis_local import start_local_redis
from sweepd.controller.storage import keys
from sweepd.dash_ui.data import REDIS_ERRORS, DashboardReader, param_axes
from sweepd.dash_ui.updates import Inputs, SweepUpdater, TableQuery, loading_text

from helpers import LiveRun, wait_for

CONFIG = {
    "method": "random", "name": "dash-test",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "opt": {"values": ["adam", "sgd"]},
        "width": {"value": 32},
    },
}


def run_finished_sweep(address: str, n_runs: int = 4, points: int = 6):
    """A sweep whose runs each log `points` losses (and acc); returns (sweep id, logs)."""
    with Client(address) as client:
        sweep = client.create_sweep(CONFIG)
    logged: dict[str, list[float]] = {}

    def train():
        run = sweepd.init()
        losses = [run.config["lr"] * 100 / (s + 1) for s in range(points)]
        logged[run.id] = losses
        for s, loss in enumerate(losses):
            run.log({"loss": loss, "acc": s / points, "note": "text is not plotted"}, step=s)

    sweepd.agent(sweep.id, train, count=n_runs, controller=address)
    return sweep.id, logged


@pytest.fixture
def reader(redis_url):
    r = DashboardReader.from_url(redis_url)
    yield r
    r.close()


def test_sweeps_frame_lists_a_sweep_with_counts_and_best(controller, reader):
    sid, logged = run_finished_sweep(controller.address)
    frame = reader.sweeps_frame()
    assert list(frame["id"]) == [sid]
    row = frame.iloc[0]
    assert row["name"] == "dash-test" and row["method"] == "random" and row["metric"] == "loss"
    assert row["n_finished"] == 4 and row["n_total"] == 4 and row["n_failed"] == 0
    best_run = min(logged, key=lambda rid: min(logged[rid]))
    assert row["best_run"] == best_run
    assert row["best_value"] == pytest.approx(min(logged[best_run]))
    assert row["elapsed"] >= 0


def test_a_refresh_reads_no_config_it_has_parsed_before(controller, reader, redis_client):
    """The sweeps list is read every second by every open page: a config, which never
    changes, is read from Redis once (the reply bytes stay below one config's size)."""
    big = {**CONFIG, "parameters": {**CONFIG["parameters"],
                                    "tag": {"values": [f"t{i:05d}" for i in range(5_000)]}}}
    with Client(controller.address) as client:
        sweep_id = client.create_sweep(big).id
    config_bytes = len(redis_client.hget(keys.sweep_meta(sweep_id), "config"))
    assert list(reader.sweeps_frame()["id"]) == [sweep_id]  # parses the config once

    def sent() -> int:
        return int(redis_client.info("stats")["total_net_output_bytes"])

    before = sent()
    assert list(reader.sweeps_frame()["id"]) == [sweep_id]
    assert sent() - before < config_bytes


def test_runs_frame_has_one_row_per_run_with_params_and_objective(controller, reader):
    sid, logged = run_finished_sweep(controller.address)
    view = reader.view(sid)
    view.poll(budget_s=10)
    frame = view.runs_frame("loss")
    assert list(frame["number"]) == [1, 2, 3, 4]
    assert set(frame["run_id"]) == set(logged)
    assert (frame["state"] == "finished").all()
    for row in frame.itertuples():
        assert row.value == pytest.approx(min(logged[row.run_id]))  # the run's objective
        assert row.points == 6 and row.duration >= 0
    # constants are not part of the search space; nested names are flattened
    assert [a.name for a in view.axes()] == ["lr", "opt"]
    assert set(frame["p:opt"]) <= {"adam", "sgd"}
    # another key: its latest value
    acc = view.runs_frame("acc")
    assert acc["value"].tolist() == pytest.approx([5 / 6] * 4)
    assert view.logged_keys() == ["acc", "loss"]  # the text key is not plottable


def test_prior_and_ignored_runs_reach_the_runs_frame(controller, reader):
    """Prior runs are rows with their value; ignoring an ended run is noticed by a view
    that already read it (ended runs are otherwise never read again)."""
    sid, logged = run_finished_sweep(controller.address, n_runs=2)
    with Client(controller.address) as client:
        warm = client.create_sweep(CONFIG, prior_runs=sid).id
    view = reader.view(warm)
    view.poll(budget_s=10)
    frame = view.runs_frame("loss")
    assert frame["prior"].tolist() == [True, True] and not frame["ignored"].any()
    assert sorted(frame["value"]) == pytest.approx(sorted(min(v) for v in logged.values()))

    mine = reader.view(sid)
    mine.poll(budget_s=10)
    first = mine.runs_frame("loss")["run_id"][0]
    before = mine.structure_version
    with Client(controller.address) as client:
        client.set_run_ignored(sid, first, True)
    mine.poll(budget_s=10)
    assert mine.runs_frame("loss")["ignored"].tolist() == [True, False]
    assert mine.structure_version > before  # figures are rebuilt, not patched


def test_curves_hold_every_logged_point(controller, reader):
    sid, logged = run_finished_sweep(controller.address, n_runs=3, points=40)
    view = reader.view(sid)
    view.poll(budget_s=10)
    curves = view.curves_frame("loss", points_per_run=500)
    for rid, losses in logged.items():
        mine = curves[curves["run_id"] == rid]
        assert mine["step"].tolist() == list(range(40))
        assert mine["value"].tolist() == pytest.approx(losses)
    thin = view.curves_frame("loss", points_per_run=10)
    assert thin.groupby("run_id").size().max() <= 10
    assert not view.loading


def test_poll_reads_only_new_stream_entries(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id
    reads: list[tuple[list[str], list[str], list[int]]] = []
    original = reader.read_streams

    def recording(sweep_id, run_ids, after, count):
        result = original(sweep_id, run_ids, after, count)
        reads.append((list(run_ids), list(after), [len(r[2]) for r in result]))
        return result

    reader.read_streams = recording
    live = LiveRun(controller.address, sid)
    for step in range(3):
        live.log(step, {"loss": 1.0 / (step + 1)})
    view = reader.view(sid)
    view.poll()
    entry = view.runs()[0]
    assert entry.run.state.value == "running" and entry.loaded == 3
    stream = keys.run_metrics(sid, live.run.id)
    last = reader.redis.xrevrange(stream, count=1)[0][0]
    assert entry.last_id == last
    reads.clear()
    live.log(3, {"loss": 0.2})
    v_before = view.version
    view.poll()
    assert reads == [([live.run.id], [last], [1])]  # from the last id, one new entry
    assert view.version > v_before and view.changed_since(v_before) == [0]
    assert entry.curves["loss"].values.tolist() == pytest.approx([1.0, 0.5, 1 / 3, 0.2])
    live.finish()
    wait_for(lambda: reader.redis.hget(keys.run(sid, live.run.id), "state") == "finished")
    view.poll()
    assert entry.run.state.value == "finished" and entry.complete
    reads.clear()
    before = view.version
    view.poll()
    assert reads == [] and view.version == before  # a terminal run is never read again


def test_history_is_read_under_a_budget_but_live_runs_always(controller, reader):
    sid, logged = run_finished_sweep(controller.address, n_runs=3, points=10)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 0.5})
    view = reader.view(sid)
    view.poll(budget_s=0)  # out of time at once: records and live points only
    assert len(view.order) == 4 and view.loading
    assert view.entries[live.run.id].loaded == 1
    assert sum(view.entries[rid].loaded for rid in logged) == 0
    assert loading_text(view) == "reading history: 3% of 31 points"
    before = view.version
    assert view.read_history(budget_s=10)  # what the background loader does
    assert not view.loading and view.version > before
    assert not view.read_history()
    assert all(view.entries[rid].loaded == 10 for rid in logged)
    live.finish()


def test_a_new_run_appears_on_the_next_poll(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id
    view = reader.view(sid)
    view.poll()
    assert view.order == []
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 0.5})
    structure = view.structure_version
    view.poll()
    assert view.order == [live.run.id]
    assert view.structure_version > structure
    live.finish()


def test_failed_runs_and_missing_metric_are_explained(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id

    def train():
        run = sweepd.init()
        run.log({"acc": 0.1})
        raise RuntimeError("out of memory")

    sweepd.agent(sid, train, count=2, controller=controller.address)
    view = reader.view(sid)
    out = SweepUpdater().update(view, Inputs("load", None, "minimize", "time", {}, None))
    frame = view.runs_frame("loss")
    assert (frame["state"] == "failed").all()
    assert frame["reason"].str.contains("RuntimeError: out of memory").all()
    text = out["best"]["layout"]["annotations"][0]["text"]
    assert "No run has logged loss yet" in text and "failed" in text and "acc" in text
    assert "needs at least 5" in out["importance"]["layout"]["annotations"][0]["text"]
    assert out["key_value"] == "loss"


def test_stopped_runs_say_why(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id
    started = threading.Event()

    def train():
        run = sweepd.init()
        run.log({"loss": 1.0})
        run.flush(10)
        started.set()
        deadline = time.monotonic() + 20
        while not run.should_stop and time.monotonic() < deadline:
            time.sleep(0.01)

    agent = threading.Thread(target=sweepd.agent, args=(sid, train),
                             kwargs={"count": 1, "controller": controller.address}, daemon=True)
    agent.start()
    assert started.wait(10)
    with Client(controller.address) as client:
        client.change_state(sid, "cancel")
    agent.join(20)
    view = reader.view(sid)
    view.poll()
    row = view.runs_frame("loss").iloc[0]
    assert row["state"] == "stopped"
    assert row["reason"].startswith("cancelled")


def test_empty_sweep_and_unknown_sweep(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id
    updater = SweepUpdater()
    out = updater.update(reader.view(sid), Inputs("load", None, "minimize", "time", {}, None))
    assert "No runs yet" in out["curves"]["layout"]["annotations"][0]["text"]
    assert out["table_data"] == []
    missing = updater.update(reader.view("nosuchsweep"), Inputs("load", None, "minimize", "time", {}, None))
    assert "No sweep with id nosuchsweep" in missing["curves"]["layout"]["annotations"][0]["text"]


def test_refresh_sends_everything_then_only_what_changed(controller, reader):
    sid, _ = run_finished_sweep(controller.address, n_runs=5)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 9.0})
    updater = SweepUpdater()
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", None, "minimize", "time", {}, None))
    assert len(first["curves"]["data"]) == 6 and len(first["table_data"]) == 6
    client = first["view"]
    view.last_poll = 0
    idle = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, client))
    assert all(idle[k] is no_update for k in ("curves", "table_data", "best", "parcoords"))
    live.log(1, {"loss": 8.0})
    view.last_poll = 0
    tick = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, client))
    assert isinstance(tick["curves"], Patch)
    # the table's page holds the live run: the page again (one page, never every run)
    assert [r["value"] for r in tick["table_data"] if r["run_id"] == live.run.id] == [8.0]
    ops = tick["curves"].to_plotly_json()["operations"]
    assert [op["location"] for op in ops] == [["data", 5]]  # only the live run's trace
    assert tick["importance"] is no_update
    assert len(to_json(tick["curves"])) < len(to_json(first["curves"])) / 3
    live.finish()
    wait_for(lambda: reader.redis.hget(keys.run(sid, live.run.id), "state") == "finished")
    view.last_poll = 0
    after = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, tick["view"]))
    assert isinstance(after["curves"], dict)  # a state change rebuilds the figures
    assert after["table_data"][5]["state"] == "finished"


def test_a_selection_filters_rows_and_recolours_curves(controller, reader):
    sid, _ = run_finished_sweep(controller.address, n_runs=6)
    updater = SweepUpdater()
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", None, "minimize", "time", {}, None))
    frame = view.runs_frame("loss")
    lrs = np.log10(frame["p:lr"].to_numpy(dtype=float))
    lo, hi = np.sort(lrs)[1], np.sort(lrs)[3]
    selection = {"ranges": {"lr": [[lo, hi]]}, "epoch": 0}
    out = updater.update(view, Inputs("selection", "loss", "minimize", "time", selection,
                                      first["view"]))
    expected = set(frame["run_id"][(lrs >= lo) & (lrs <= hi)])
    assert {row["run_id"] for row in out["table_data"]} == expected and len(expected) == 3
    ops = out["curves"].to_plotly_json()["operations"]
    assert {tuple(op["location"][-2:]) for op in ops} == {("line", "color")} and len(ops) == 6
    assert out["parcoords"] is no_update and out["view"]["version"] == first["view"]["version"]
    assert out["selection_note"] == "3 of 6 runs selected in the parallel coordinates"


def test_reader_recovers_when_redis_comes_back(tmp_path):
    from conftest import ControllerHandle

    data = Path(tempfile.mkdtemp(prefix="sweepd-dash-", dir="/tmp"))
    server = start_local_redis(data, persist=True)
    handle = ControllerHandle(server.url, 30)
    reader = DashboardReader.from_url(server.url)
    try:
        sid, logged = run_finished_sweep(handle.address, n_runs=2)
        view = reader.view(sid)
        view.poll()
        assert len(view.order) == 2
        redis.Redis.from_url(server.url).bgrewriteaof()
        server.stop()
        assert not reader.ping()
        with pytest.raises(REDIS_ERRORS):
            view.poll()
        server = start_local_redis(data, persist=True)
        wait_for(reader.ping, what="Redis back")
        view.poll()
        assert len(view.order) == 2 and view.sweep is not None
        out = SweepUpdater().update(view, Inputs("load", None, "minimize", "time", {}, None))
        assert len(out["table_data"]) == 2
    finally:
        reader.close()
        handle.close()
        server.stop()


def test_param_axes_from_config():
    from sweepd.config import parse_config

    axes = param_axes(parse_config({
        "method": "random",
        "parameters": {
            "lr": {"distribution": "log_uniform", "min": -9, "max": -2},
            "layers": {"min": 1, "max": 4},
            "drop": {"min": 0.0, "max": 0.5},
            "opt": {"parameters": {"kind": {"values": ["adam", "sgd"]},
                                   "beta": {"value": 0.9}}},
        }}))
    assert [(a.name, a.kind, a.integer) for a in axes] == [
        ("lr", "log", False), ("layers", "linear", True), ("drop", "linear", False),
        ("opt.kind", "categorical", False)]
    assert axes[0].encode([1e-3, 0.1]).tolist() == pytest.approx([-3, -1])
    assert axes[3].encode(["sgd", "adam", "other"]).tolist()[:2] == [1, 0]
    assert np.isnan(axes[3].encode(["other"])[0])


def test_a_point_stored_with_an_impossible_wall_time_is_drawn_without_error(
        controller, reader, redis_client):
    """An older controller stored any wall_time (milliseconds sent as seconds among
    them): the sweep page must still draw, the impossible time ignored (#10.7)."""
    from sweepd.dash_ui.app import create_app
    from test_dash_login import refresh

    sid, _ = run_finished_sweep(controller.address, n_runs=2)
    live = LiveRun(controller.address, sid)
    try:
        live.log(0, {"loss": 0.5})
        ms_as_s = int(time.time() * 1000) * 1000
        redis_client.xadd(keys.run_metrics(sid, live.run.id), {"s": 1, "t": ms_as_s, "v": '{"loss":0.4}'})
        out = SweepUpdater().update(reader.view(sid), Inputs("load", "loss", "minimize", "time", {}, None))
        xs = [x for trace in out["best"]["data"] for x in trace["x"]]
        assert len(xs) >= 3 and max(xs) < (time.time() + 2 * 86400) * 1000  # local epoch ms
        app = create_app(reader)
        reply = refresh(app, app.server.test_client(), sid)
        assert reply.status_code == 200, reply.data[:300]
    finally:
        live.finish()


def test_config_versions_and_each_runs_version_reach_the_page(controller, reader):
    sid, _ = run_finished_sweep(controller.address, n_runs=2)
    updater = SweepUpdater()
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", None, "minimize", "time", {}, None))
    assert [(r["version"], r["changed"]) for r in first["versions"]] == [(1, "created")]
    assert [r["version"] for r in first["table_data"]] == [1, 1]
    client = first["view"]
    view.last_poll = 0
    idle = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, client))
    assert idle["versions"] is no_update

    Client(controller.address).update_sweep(sid, run_cap=4)
    sweepd.agent(sid, function=lambda: sweepd.init().log({"loss": 1.0}), controller=controller.address)
    view.last_poll = 0
    after = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, client))

    assert [(r["version"], r["changed"]) for r in after["versions"]] == [(2, "run_cap"), (1, "created")]
    assert view.runs_frame("loss")["version"].tolist() == [1, 1, 2, 2]
    assert [r["version"] for r in after["table_data"]] == [1, 1, 2, 2]


def test_a_brush_that_arrives_with_a_tick_is_applied_and_recorded(controller, reader):
    """The race of a brush landing while a tick is under way: the request that carries
    it may be a tick (or a tick's reply may overtake the brush's). Whatever the
    trigger, ranges that differ from those the browser's figures show are applied."""
    sid, _ = run_finished_sweep(controller.address, n_runs=6)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 5.0})
    updater = SweepUpdater()
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", None, "minimize", "time", {}, None))
    assert first["view"]["ranges"] == {}
    frame = view.runs_frame("loss")
    lrs = np.log10(frame["p:lr"].to_numpy(dtype=float))
    lo, hi = np.sort(lrs)[1], np.sort(lrs)[3]
    expected = set(frame["run_id"][(lrs >= lo) & (lrs <= hi)])
    selection = {"ranges": {"lr": [[lo, hi]]}, "epoch": 0}
    live.log(1, {"loss": 4.0})  # the tick has news of its own, too
    view.last_poll = 0
    out = updater.update(view, Inputs("tick", "loss", "minimize", "time", selection,
                                      first["view"]))
    assert {row["run_id"] for row in out["table_data"]} == expected
    ops = out["curves"].to_plotly_json()["operations"]
    assert {tuple(op["location"][-2:]) for op in ops} == {("line", "color")}
    assert out["view"]["ranges"] == {"lr": [[lo, hi]]}
    # the tick's own news is still owed: the next tick sends it
    assert out["view"]["version"] == first["view"]["version"]
    view.last_poll = 0
    later = updater.update(view, Inputs("tick", "loss", "minimize", "time", selection, out["view"]))
    assert later["view"]["version"] == view.version
    assert [op["location"] for op in later["curves"].to_plotly_json()["operations"]] == [["data", 6]]
    # a reply computed before the brush, arriving after it, left the old ranges in the
    # browser's store: the next tick applies the brush again
    stale = {**later["view"], "ranges": {}, "table": None}  # and the unbrushed table
    view.last_poll = 0
    healed = updater.update(view, Inputs("tick", "loss", "minimize", "time", selection, stale))
    assert {row["run_id"] for row in healed["table_data"]} == expected
    live.finish()


def test_a_run_that_blows_up_moves_the_range_and_is_marked_by_a_tick(controller, reader):
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG).id

    def train():  # curves from 1 down to about 0.2, alike whatever the config
        run = sweepd.init()
        for s in range(6):
            run.log({"loss": 1.0 / (s + 1) + run.config["lr"]}, step=s)

    sweepd.agent(sid, train, count=6, controller=controller.address)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 1.0})
    updater = SweepUpdater()
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", "loss", "minimize", "time", {}, None))
    assert first["curves"]["layout"]["yaxis"]["autorange"] is True
    assert first["view"]["outliers"] == []
    view.last_poll = 0
    quiet = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, first["view"]))
    assert quiet["curves"] is no_update  # nothing new: not even the axis
    live.log(1, {"loss": 1e6})
    view.last_poll = 0
    tick = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, first["view"]))
    ops = {tuple(op["location"]): op for op in tick["curves"].to_plotly_json()["operations"]}
    assert ("data", 6) in ops and ops[("data", 6)]["params"]["value"]["line"]["dash"] == "dot"
    yaxis = ops[("layout", "yaxis")]["params"]["value"]
    assert yaxis["autorange"] is False and yaxis["range"][1] < 1e3
    marks = ops[("layout", "annotations")]["params"]["value"]
    assert any(live.run.id in m.get("hovertext", "") for m in marks)
    assert tick["view"]["outliers"] == [6]
    # the scale is a structural change: every figure comes whole, on log axes
    view.last_poll = 0
    log = updater.update(view, Inputs("scale", "loss", "minimize", "time", {}, tick["view"],
                                      yscale="log"))
    assert log["curves"]["layout"]["yaxis"]["type"] == "log"
    assert log["best"]["layout"]["yaxis"]["type"] == "log"
    assert log["parcoords"]["data"][0]["meta"] == {"metric_log": True}
    assert log["top_params"]["data"]  # drawn (six ended runs)
    live.finish()


def test_beyond_the_cap_the_curves_are_the_best_runs_and_the_live_one_over_a_band(
        controller, reader):
    """More runs than `curves_drawn`: the best ended runs and the running one are
    drawn, every ended run's curve is in the band, and a live point patches the live
    run's trace at its place after the band's."""
    sid, logged = run_finished_sweep(controller.address, n_runs=6)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 9.0})
    updater = SweepUpdater(curves_drawn=2)
    view = reader.view(sid)
    first = updater.update(view, Inputs("load", "loss", "minimize", "time", {}, None))
    data = first["curves"]["data"]
    band = data[:5]
    assert [t["meta"] for t in band] == ["band"] * 5
    best_two = sorted(logged, key=lambda rid: min(logged[rid]))[:2]
    order = [rid for rid in view.order if rid in best_two] + [live.run.id]
    assert [t["meta"] for t in data[5:]] == order
    # the band against the runs' own points: lowest and highest of each step
    lows = [min(v[s] for v in logged.values()) for s in range(6)]
    highs = [max(v[s] for v in logged.values()) for s in range(6)]
    assert band[0]["x"] == list(range(6))
    assert band[0]["y"] == pytest.approx(lows, rel=1e-5)
    assert band[1]["y"] == pytest.approx(highs, rel=1e-5)
    assert band[4]["y"] == pytest.approx([float(np.median([v[s] for v in logged.values()]))
                                          for s in range(6)], rel=1e-5)
    notes = [a["text"] for a in first["curves"]["layout"]["annotations"]]
    assert "3 of 7 runs drawn (2 best, 1 running); the band covers all 6 ended" in notes
    view.last_poll = 0
    live.log(1, {"loss": 8.0})
    tick = updater.update(view, Inputs("tick", "loss", "minimize", "time", {}, first["view"]))
    ops = tick["curves"].to_plotly_json()["operations"]
    assert [op["location"] for op in ops if op["location"][0] == "data"] == [["data", 7]]
    live.finish()


def test_the_runs_table_is_paged_sorted_and_filtered_on_the_server(controller, reader):
    sid, logged = run_finished_sweep(controller.address, n_runs=7)
    updater = SweepUpdater()
    view = reader.view(sid)
    by_value = sorted(logged, key=lambda rid: min(logged[rid]))

    def table(client=None, **query):
        inputs = Inputs("table" if client else "load", "loss", "minimize", "time", {}, client,
                        table=TableQuery(**query))
        return updater.update(view, inputs)

    first = table(page=0, size=3, sort_by=[{"column_id": "value", "direction": "asc"}])
    assert [r["run_id"] for r in first["table_data"]] == by_value[:3]
    assert first["table_pages"] == 3 and first["selection_note"] == "7 runs"
    second = table(first["view"], page=1, size=3, sort_by=[{"column_id": "value", "direction": "asc"}])
    assert [r["run_id"] for r in second["table_data"]] == by_value[3:6]
    assert second["curves"] is no_update and second["table_pages"] is no_update
    # a filter leaving one page moves the table back to it
    numbers = {rid: n + 1 for n, rid in enumerate(view.order)}
    few = table(second["view"], page=2, size=3, filter="{number} <= 2",
                sort_by=[{"column_id": "number", "direction": "desc"}])
    assert [r["number"] for r in few["table_data"]] == [2, 1] and few["table_page"] == 0
    assert few["table_pages"] == 1 and few["selection_note"] == "7 runs; 2 match the table's filter"
    assert numbers[few["table_data"][0]["run_id"]] == 2
    bad = table(few["view"], filter="{nope} > 1")
    assert len(bad["table_data"]) == 7
    assert "the table's filter is not applied: the filter names no column" in bad["selection_note"]
