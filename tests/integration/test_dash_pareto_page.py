"""A multi-objective sweep's page over a real controller and Redis: the front the
dashboard draws is the controller's front, and a single-objective page is unchanged."""

from __future__ import annotations

import pytest
from dash import no_update

import sweepd

from sweepd.client import Client
from sweepd.dash_ui.data import DashboardReader
from sweepd.dash_ui.updates import Inputs, SweepUpdater

from test_dash_data import run_finished_sweep
from test_multiobjective_sweeps import MO_GRID, finished_mo_grid, train_known_values


@pytest.fixture
def reader(redis_url):
    r = DashboardReader.from_url(redis_url)
    yield r
    r.close()


def load(reader, sweep_id):
    return SweepUpdater().update(reader.view(sweep_id),
                                 Inputs("load", None, "minimize", "number", {}, None))


def test_the_pareto_chart_draws_the_controllers_front(controller, reader):
    sweep_id, by_k = finished_mo_grid(controller.address)
    out = load(reader, sweep_id)
    traces = {t["name"]: t for t in out["pareto"]["data"]}
    on_front = {r.id for r in by_k.values() if r.pareto_optimal}
    dominated = {r.id for r in by_k.values() if r.pareto_rank not in (None, 0)}
    assert set(traces["Pareto front"]["customdata"]) == on_front
    assert set(traces["dominated"]["customdata"]) == dominated
    assert out["pareto_style"] == {} and out["best_title"] == "Hypervolume"
    sweep = Client(controller.address).get_sweep(sweep_id)
    hv = {t["name"]: t for t in out["best"]["data"]}["hypervolume"]["y"]
    assert hv[-1] == pytest.approx(sweep.hypervolume)
    ranks = [row["pareto_rank"] for row in out["table_data"]]
    assert ranks == sorted(ranks, key=lambda r: (r is None, r))
    assert ranks.count(0) == sweep.pareto_front_size
    header = str(out["header"])
    assert f"Pareto front {sweep.pareto_front_size} runs" in header


def test_a_tick_after_new_runs_redraws_the_front(controller, reader):
    sweep_id = sweepd.sweep(MO_GRID, controller=controller.address)
    assert sweepd.agent(sweep_id, function=train_known_values, count=3,
                        controller=controller.address) == 3
    updater = SweepUpdater()
    view = reader.view(sweep_id)
    first = updater.update(view, Inputs("load", None, "minimize", "number", {}, None))
    drawn = {t["name"]: t for t in first["pareto"]["data"]}
    assert len(drawn["Pareto front"]["customdata"]) + len(drawn["dominated"]["customdata"]) == 3
    sweepd.agent(sweep_id, function=train_known_values, controller=controller.address)
    view.last_poll = 0  # read Redis again now
    tick = updater.update(view, Inputs("tick", None, "minimize", "number", {}, first["view"]))
    front = {t["name"]: t for t in tick["pareto"]["data"]}["Pareto front"]["customdata"]
    runs = Client(controller.address).list_runs(sweep_id)
    assert set(front) == {r.id for r in runs if r.pareto_optimal}
    assert tick["pareto_style"] is no_update  # shown once, on load


def test_a_single_objective_page_hides_the_pareto_card(controller, reader):
    sweep_id, _ = run_finished_sweep(controller.address, n_runs=2, points=3)
    out = load(reader, sweep_id)
    assert out["pareto_style"] == {"display": "none"} and out["best_title"] == "Best so far"
    assert "pareto_rank" not in {c["id"] for c in out["table_columns"]}
    assert [t.get("name") for t in out["best"]["data"]][-1] == "best so far"
