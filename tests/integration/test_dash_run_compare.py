"""The run page's and the compare page's data over a real controller and Redis: a run
followed incrementally at full resolution, the page's outputs, and sweeps compared."""

from __future__ import annotations

import pytest
from dash import no_update

import sweepd
from sweepd.client import Client
from sweepd.dash_ui import DashboardReader
from sweepd.dash_ui.compare_page import CompareUpdater
from sweepd.dash_ui.figures import decode_typed_array
from sweepd.dash_ui.run_data import RunFollowers
from sweepd.dash_ui.run_page import RunPageUpdater
from sweepd.domain import RunState

from helpers import LiveRun

CONFIG = {"method": "grid", "name": "run-page", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"x": {"values": [1, 2]}}, "retry": {"max_attempts": 2}}


@pytest.fixture
def reader(redis_url):
    reader = DashboardReader.from_url(redis_url)
    yield reader
    reader.close()


def test_a_run_is_followed_at_full_resolution_reading_only_what_is_new(controller, reader):
    sid = sweepd.sweep(CONFIG, controller=controller.address)
    live = LiveRun(controller.address, sid)
    for step in range(3):
        live.log(step, {"loss": 1.0 / (step + 1), "label": "text is not charted"})
    follower = RunFollowers(reader).get(sid, live.run.id)
    first = follower.poll()
    steps, values = follower.curve("loss")
    assert steps.tolist() == [0, 1, 2] and values.tolist() == [1.0, 0.5, 1 / 3]
    assert follower.keys("loss") == ["loss"]
    assert follower.poll() == first  # nothing new, nothing read
    live.log(3, {"loss": 0.2, "acc": 0.9})
    assert follower.poll() > first and follower.loaded == 4
    assert follower.keys("loss") == ["loss", "acc"] and follower.curve("loss")[0].tolist() == [0, 1, 2, 3]
    live.finish()
    follower.poll()
    assert follower.complete and follower.record.run.state is RunState.FINISHED
    done = follower.version
    assert follower.poll() == done  # an ended run read to its end is never read again


def test_the_run_page_outputs_and_its_charts(controller, reader):
    sid = sweepd.sweep(CONFIG, controller=controller.address)

    def train():
        run = sweepd.init()
        for step in range(30_000 if run.config["x"] == 1 else 5):
            run.log({"loss": 1.0 / (step + 1), "lr": 0.1}, step=step)
        if run.config["x"] == 2:
            raise ValueError("x=2 diverged")

    sweepd.agent(sid, train, count=2, controller=controller.address)
    with Client(controller.address) as client:
        big, failed = sorted(client.list_runs(sid), key=lambda r: r.number)
    updater = RunPageUpdater(reader, href=lambda p: "/app" + p)
    followers = RunFollowers(reader)
    sweep = reader.sweep(sid)
    out = updater.update(followers.get(sid, big.id), sweep, None)
    assert out["view"]["keys"] == ["loss", "lr"] and out["view"]["points"] == 30_000
    assert len(out["metrics"]) == 2  # one chart per logged key
    text = str(out["facts"])
    assert "finished (exit code" not in text and "1 of 2" in text  # attempt of max_attempts
    figures = updater.figures(followers.get(sid, big.id), "loss", out["view"]["keys"], {})
    assert figures[0]["layout"]["meta"] == {"points": 30_000, "drawn": 2_000, "full": False}
    zoomed = updater.figures(followers.get(sid, big.id), "loss", out["view"]["keys"],
                             {"loss": {"x": [100, 20_100]}}, only=0)
    assert zoomed[1] is no_update and zoomed[0]["layout"]["meta"]["full"]
    x = decode_typed_array(zoomed[0]["data"][0]["x"])
    assert set(range(100, 20_101)) <= set(x.tolist())
    # a second tick: nothing changed, only the facts are sent again
    again = updater.update(followers.get(sid, big.id), sweep, out["view"])
    assert again["config"] is no_update and again["metrics"] is no_update and again["view"] is no_update
    assert again["header"] is no_update  # not replaced on a tick: a click on its link would be lost

    failed_out = updater.update(followers.get(sid, failed.id), sweep, None)
    text = str(failed_out["output"])
    assert "traceback" in text and "ValueError: x=2 diverged" in text
    assert "failed: ValueError: x=2 diverged" in str(failed_out["facts"])
    assert "/app/sweep/" + sid + "/run/" + failed.id in str(failed_out["attempts"])
    missing = updater.update(followers.get(sid, "nosuchrun"), sweep, None)
    assert "not found" in str(missing["header"]) and missing["view"] is None


def test_sweeps_are_compared_from_their_run_records(controller, reader):
    with Client(controller.address) as client:
        a = client.create_sweep({**CONFIG, "name": "first"}).id
        b = client.create_sweep({**CONFIG, "name": "second",
                                 "parameters": {"x": {"values": [3, 4, 5]}}}).id
    for sid in (a, b):
        sweepd.agent(sid, lambda: sweepd.init().log({"loss": float(sweepd.init().config["x"])}),
                     controller=controller.address)
    out = CompareUpdater(reader).update([a, b, "nosuchsweep"], lambda sid: True)
    lines = [t for t in out["best"]["data"] if t["mode"] == "lines"]
    assert [t["name"] for t in lines] == ["first", "second"]
    assert [min(t["y"]) for t in lines] == [1.0, 3.0]
    bars = [t for t in out["params"]["data"] if t["type"] == "bar"]  # grid values: categories
    assert [t["x"] for t in bars] == [["1", "2", "3", "4", "5"]] * 2
    assert [t["y"] for t in bars] == [[0.5, 0.5, 0, 0, 0], [0, 0, 1 / 3, 1 / 3, 1 / 3]]
    assert "Not found: nosuchsweep" in str(out["header"])
    table = str(out["table"])
    assert f"/sweep/{a}/run/" in table and f"/sweep/{b}/run/" in table
    hidden = CompareUpdater(reader).update([a, b], lambda sid: sid == a)  # another project's
    assert [t["name"] for t in hidden["best"]["data"] if t["mode"] == "lines"] == ["first"]
    assert f"Not found: {b}" in str(hidden["header"])


def test_an_early_stopped_runs_page_says_its_band_value_and_threshold(controller, reader):
    from test_early_termination import ManualAgent

    client = Client(controller.address)
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 3},
              "parameters": {"x": {"values": [1]}}}
    sid = sweepd.sweep(config, controller=controller.address)
    agent = ManualAgent(client, sid, runs=2)
    try:
        agent.report(1, 1, [9, 8, 7])  # steps 10, 11, 12
        assert agent.report(0, 1, [6, 6, 6]).should_stop is False  # stops run 1 (7 > 6)
        stopped, token = agent.runs[1]
        client.finish_run(sid, stopped, token, RunState.STOPPED)
    finally:
        agent.close()
    updater, followers = RunPageUpdater(reader), RunFollowers(reader)
    out = updater.update(followers.get(sid, stopped), reader.sweep(sid), None)
    facts = [c.children for c in out["facts"]]
    pairs = dict(zip(facts[0::2], facts[1::2]))
    assert pairs["why it ended"] == ("stopped: early termination (hyperband) at band 3: loss 7 was "
                                     "worse than the threshold 6")
    assert (pairs["band"], pairs["value at the stop"], pairs["threshold"]) == ("3", "7", "6")
    assert pairs["stop rule's words"].startswith("hyperband: loss 7 (its 3rd value) is worse than")
    [figure] = updater.figures(followers.get(sid, stopped), "loss", out["view"]["keys"], {})
    mark = figure["data"][1]
    assert (mark["x"], mark["y"]) == ([12.0], [7.0])  # at its third value, the band
    assert figure["layout"]["shapes"][0]["y0"] == 6.0  # the threshold
