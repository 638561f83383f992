"""Multi-objective sweeps end to end: real Redis, real controller, real agents.

The runs of one grid log known objective values, so each run's Pareto rank, the
front's size and the hypervolume can be worked out by hand (below).
"""

from __future__ import annotations

import json

import pytest

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.domain import RefusedChange

# k -> (accuracy, latency); k = 6 never logs latency. Maximise accuracy, minimise
# latency (threshold 50). Front: k1, k2, k4; k3 is dominated by k2 and k5 by k4.
VALUES = {1: (0.5, 10.0), 2: (0.7, 20.0), 3: (0.6, 30.0), 4: (0.9, 40.0), 5: (0.8, 60.0),
          6: (0.95, None)}
RANKS = {1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: None}
MO_GRID = {
    "method": "grid",
    "metrics": [{"name": "acc", "goal": "maximize"},
                {"name": "latency", "goal": "minimize", "threshold": 50}],
    "parameters": {"k": {"values": sorted(VALUES)}},
}


def train_known_values():
    """Two points, the second the better on both objectives: a run's value of each
    objective is the best it logged."""
    run = sweepd.init()
    acc, latency = VALUES[run.config["k"]]
    for slack in (0.1, 0.0):
        point = {"acc": acc - slack}
        if latency is not None:
            point["latency"] = latency + 100 * slack
        run.log(point)


def finished_mo_grid(address: str) -> tuple[str, dict[int, object]]:
    sweep_id = sweepd.sweep(MO_GRID, controller=address)
    assert sweepd.agent(sweep_id, function=train_known_values, controller=address) == 6
    runs = Client(address).list_runs(sweep_id)
    return sweep_id, {r.config["k"]: r for r in runs}


def test_runs_carry_their_objective_values_pareto_rank_and_optimality(controller):
    _, by_k = finished_mo_grid(controller.address)
    assert {k: r.pareto_rank for k, r in by_k.items()} == RANKS
    assert {k for k, r in by_k.items() if r.pareto_optimal} == {1, 2, 4}
    assert by_k[4].objectives == {"acc": 0.9, "latency": 40.0}
    assert by_k[6].objectives == {"acc": 0.95}  # missing latency: not ranked, not on the front


def test_get_sweep_gives_the_front_size_and_the_hand_computed_hypervolume(controller):
    sweep_id, _ = finished_mo_grid(controller.address)
    sweep = Client(controller.address).get_sweep(sweep_id)
    # reference: accuracy's worst observed 0.5 (k1), latency's threshold 50. In the
    # plane: k4 adds (0.9 - 0.7) * (50 - 40), k2 (0.7 - 0.5) * (50 - 20); k1 sits on
    # the reference's accuracy, k5 beyond its latency, k3 is dominated
    assert sweep.pareto_front_size == 3
    assert sweep.hypervolume == pytest.approx(0.2 * 10 + 0.2 * 30)
    assert sweep.hypervolume_reference == pytest.approx((0.5, 50.0))
    assert sweep.best_run_id == "" and sweep.best_value is None


def test_an_ignored_run_leaves_the_front_and_the_reference_moves(controller):
    sweep_id, by_k = finished_mo_grid(controller.address)
    client = Client(controller.address)
    ignored = client.set_run_ignored(sweep_id, by_k[1].id)
    assert ignored.pareto_rank is None and not ignored.pareto_optimal
    sweep = client.get_sweep(sweep_id)
    assert sweep.pareto_front_size == 2
    # accuracy's worst is now 0.6 (k3): (0.9 - 0.7) * 10 + (0.7 - 0.6) * 30
    assert sweep.hypervolume == pytest.approx(2.0 + 3.0)
    back = client.set_run_ignored(sweep_id, by_k[1].id, False)
    assert back.pareto_rank == 0


def test_list_sweeps_carries_the_front_of_multi_objective_sweeps_only(controller):
    sweep_id, _ = finished_mo_grid(controller.address)
    single = sweepd.sweep({"method": "random", "metric": {"name": "loss"},
                           "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    listed = {s.id: s for s in Client(controller.address).list_sweeps()}
    assert listed[sweep_id].pareto_front_size == 3
    assert listed[sweep_id].config.metrics[1].threshold == 50.0
    assert listed[single].pareto_front_size == 0 and listed[single].hypervolume is None


def test_a_sweep_without_ranked_runs_has_no_hypervolume(controller):
    sweep_id = sweepd.sweep(MO_GRID, controller=controller.address)
    sweep = Client(controller.address).get_sweep(sweep_id)
    assert (sweep.pareto_front_size, sweep.hypervolume, sweep.hypervolume_reference) == (0, None, ())


def test_prior_runs_need_every_objective_and_are_never_ranked(controller):
    priors = [{"config": {"k": 1}, "summary": {"acc": 0.99, "latency": 1.0}, "origin": "kept"},
              {"config": {"k": 2}, "summary": {"acc": 0.99}, "origin": "no latency"}]
    client = Client(controller.address)
    created = client.create_sweep(MO_GRID, prior_runs=priors)
    assert any("no latency" in w and "summary.latency: missing" in w for w in created.warnings)
    runs = client.list_runs(created.id)
    assert [(r.prior, r.pareto_rank) for r in runs] == [(True, None)]


def test_the_objectives_cannot_change_by_update(controller):
    sweep_id = sweepd.sweep(MO_GRID, controller=controller.address)
    changed = {**MO_GRID, "metrics": [{"name": "acc", "goal": "maximize"}, {"name": "latency"}]}
    with pytest.raises(RefusedChange) as caught:
        Client(controller.address).update_sweep(sweep_id, changed)
    assert [path for path, _ in caught.value.errors] == ["metrics"]


def test_a_config_with_metric_and_metrics_is_refused_naming_metrics(controller):
    bad = {**MO_GRID, "metric": {"name": "acc"}}
    errors, _ = Client(controller.address).validate_sweep(bad)
    assert [e.path for e in errors] == ["metrics"]


def test_sweepd_pareto_returns_the_front_in_creation_order(controller):
    sweep_id, by_k = finished_mo_grid(controller.address)
    front = sweepd.pareto(sweep_id, controller=controller.address)
    assert [r.id for r in front] == [by_k[k].id for k in (1, 2, 4)]
    assert all(r.pareto_rank == 0 for r in front)
    assert front[2].objectives == {"acc": 0.9, "latency": 40.0}


def test_sweepd_pareto_of_a_single_objective_sweep_is_empty(controller):
    sweep_id = sweepd.sweep({"method": "grid", "metric": {"name": "loss"},
                             "parameters": {"x": {"values": [1, 2]}}}, controller=controller.address)
    sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"loss": 1.0}),
                 controller=controller.address)
    assert sweepd.pareto(sweep_id, controller=controller.address) == []


def test_cli_runs_json_prints_rank_and_optimality_of_every_run(controller, capsys):
    from sweepd import cli

    sweep_id, by_k = finished_mo_grid(controller.address)
    assert cli.main(["runs", sweep_id, "--json", "--controller", controller.address]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert {k: listed[r.id]["pareto_rank"] for k, r in by_k.items()} == RANKS
    assert {k: listed[r.id]["pareto_optimal"] for k, r in by_k.items()} == {
        k: rank == 0 for k, rank in RANKS.items()}
    assert listed[by_k[2].id]["objectives"] == {"acc": 0.7, "latency": 20.0}


def test_cli_sweeps_shows_the_front_size_where_the_best_metric_goes(controller, capsys):
    from sweepd import cli

    sweep_id, _ = finished_mo_grid(controller.address)
    assert cli.main(["sweeps", "--controller", controller.address]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert row.startswith(sweep_id)
    best = row[header.index("BEST"):]
    assert best.strip() == "front of 3 (hypervolume 8)"
    assert cli.main(["sweeps", "--json", "--controller", controller.address]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["pareto_front_size"], listed["metrics"]) == (3, ["acc", "latency"])
    assert listed["hypervolume"] == pytest.approx(8.0)


def test_multi_objective_asha_stops_a_dominated_run_through_the_controller(controller):
    from test_early_termination import ManualAgent  # tests/integration is on sys.path

    from sweepd.domain import MetricBatch, MetricPoint

    client = Client(controller.address)
    config = {"method": "random", "parameters": {"x": {"values": [1]}},
              "metrics": [{"name": "acc", "goal": "maximize"}, {"name": "latency"}],
              "early_terminate": {"type": "asha", "min_iter": 1, "eta": 2}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    agent = ManualAgent(client, sweep_id, runs=2)

    def report(index, values):
        run_id, token = agent.runs[index]
        batch = MetricBatch(run_id, sweep_id, token, 1, (MetricPoint(0, 1e9, values),))
        return client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))

    try:
        first, second = (run_id for run_id, _ in agent.runs)
        assert not report(0, {"acc": 0.9, "latency": 10.0}).should_stop
        # worse on both objectives at rung 1: rank 1 of 2, and asha keeps ceil(2/2) = 1
        assert report(1, {"acc": 0.8, "latency": 12.0}).should_stop
        stopped = {r.id: r for r in client.list_runs(sweep_id)}[second]
        assert stopped.stop_reason.kind == "asha" and stopped.stop_reason.band == 1
        assert stopped.stop_reason.value is None
        assert "(acc 0.8, latency 12)" in stopped.stop_reason.message
    finally:
        agent.close()


def test_a_bayes_sweep_with_two_objectives_models_them_after_two_runs(controller):
    config = {"method": "bayes", "run_cap": 5, "parameters": {"x": {"min": 0.0, "max": 1.0}},
              "metrics": [{"name": "a"}, {"name": "b", "goal": "maximize"}]}
    sweep_id = sweepd.sweep(config, controller=controller.address)

    def train():
        run = sweepd.init()
        x = run.config["x"]
        run.log({"a": x * x, "b": 1 - (1 - x) ** 2})

    assert sweepd.agent(sweep_id, function=train, controller=controller.address) == 5
    runs = Client(controller.address).list_runs(sweep_id)
    assert [r.note.split(":")[0] for r in runs] == ["random"] * 2 + ["bayes"] * 3
    assert all("expected hypervolume improvement" in r.note for r in runs[2:])
    assert all(r.pareto_rank == 0 for r in runs)  # x trades a against b: every run is on the front
