"""`--metrics-maxlen N` bounds every per-point structure of a run: its metric stream
keeps about its newest N points, the history of the sweep metric its first N values
(what early termination judges: checkpoints count from a run's first value). What
covers every point still does: the run's point count, summary and best, the sweep's
best, the target, and search (bayes reads the run's best)."""

from __future__ import annotations

import pytest

import sweepd
from sweepd.client import Client
from sweepd.controller.storage import keys
from sweepd.domain import RunState

from test_early_termination import ManualAgent

MAXLEN = 10


@pytest.fixture
def trimming(redis_url):
    from conftest import ControllerHandle

    handle = ControllerHandle(redis_url, 30.0, metrics_maxlen=MAXLEN)
    yield handle
    handle.close()


def test_every_per_point_structure_is_bounded_and_the_best_still_sees_every_value(
        trimming, redis_client):
    client = Client(trimming.address)
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    sweep_id = sweepd.sweep(config, controller=trimming.address)
    agent = ManualAgent(client, sweep_id, runs=1)
    run_id, token = agent.runs[0]
    for seq in range(1, 31):  # 300 points, 10 a batch; the loss falls to its best at the end
        ack = agent.report(0, seq, [1000.0 - (seq - 1) * 10 - i for i in range(10)])
        assert not ack.duplicate
    client.finish_run(sweep_id, run_id, token, RunState.FINISHED)
    agent.close()

    objective = redis_client.lrange(keys.run_objective(sweep_id, run_id), 0, -1)
    assert [float(v) for v in objective] == [1000.0 - i for i in range(MAXLEN)]  # the first N
    # the stream keeps the newest points, about N (Redis trims whole nodes of 100)
    stream = redis_client.xrange(keys.run_metrics(sweep_id, run_id))
    assert MAXLEN <= len(stream) <= MAXLEN + 100 and stream[-1][1]["s"] == str(30 * 10 + 9)
    run = client.list_runs(sweep_id)[0]
    assert run.points == 300
    assert run.summary["loss"] == 1000.0 - 299
    assert redis_client.hget(keys.run(sweep_id, run_id), "best") == repr(1000.0 - 299)
    sweep = client.get_sweep(sweep_id)
    assert (sweep.best_run_id, sweep.best_value) == (run_id, 1000.0 - 299)
    stored = trimming.loop.run(trimming.controller.rules.store.get_run(sweep_id, run_id))
    assert stored.best == 1000.0 - 299 and len(stored.history) == MAXLEN  # bayes reads .best


def _hyperband(client, address, bands_from: int):
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": bands_from, "eta": 3},
              "parameters": {"x": {"values": [1]}}}
    sweep_id = sweepd.sweep(config, controller=address)
    return sweep_id, ManualAgent(client, sweep_id, runs=2)


def test_early_termination_decides_at_the_checkpoints_within_the_first_n_values(trimming):
    client = Client(trimming.address)
    sweep_id, agent = _hyperband(client, trimming.address, bands_from=3)  # bands 3, 9, 27
    try:
        assert not agent.report(0, 1, [1.0] * 9).should_stop   # the good run reaches band 9
        assert agent.report(1, 1, [5.0] * 9).should_stop       # the bad one is stopped there
        stop = client.list_runs(sweep_id)[1].stop_reason
        assert (stop.kind, stop.band) == ("hyperband", 9)
    finally:
        agent.close()


def test_a_checkpoint_past_the_first_n_values_decides_nothing(trimming):
    """The documented cost of trimming: a rule sees a run's first N values only, so a
    band past N is never reached."""
    client = Client(trimming.address)
    sweep_id, agent = _hyperband(client, trimming.address, bands_from=12)  # bands 12, 36
    try:
        assert not agent.report(0, 1, [1.0] * 12).should_stop
        assert not agent.report(1, 1, [5.0] * 12).should_stop  # past N = 10: not judged
        assert all(r.stop_reason is None for r in client.list_runs(sweep_id))
    finally:
        agent.close()
