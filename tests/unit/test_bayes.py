"""method: bayes — a GP over the parameters' CDF coordinates, expected improvement,
kriging-believer fantasies for pending runs and for the suggestions of one call."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sweepd.controller.search  # noqa: F401  (fills the registry)
from sweepd.config import parse_config
from sweepd.controller.search import bayes as bayes_module
from sweepd.controller.search.base import get_search_method, history_needed
from sweepd.controller.search.bayes import _observations, _Space, bayes_search
from sweepd.controller.search.random_search import random_search
from sweepd.domain import Run, RunState


def cfg(parameters, goal="minimize"):
    return parse_config(
        {"method": "bayes", "metric": {"name": "loss", "goal": goal}, "parameters": parameters}
    )


def done(i, config, value, state=RunState.FINISHED):
    history = [] if value is None else list(value) if isinstance(value, list) else [value]
    return Run(id=f"r{i}", sweep_id="s", state=state, config=config, number=i + 1, history=history)


def key(config):
    return json.dumps(config, sort_keys=True)


UNIT_1D = {"x": {"min": 0.0, "max": 1.0}}
UNIT_2D = {"x": {"min": 0.0, "max": 1.0}, "y": {"min": 0.0, "max": 1.0}}


def test_bayes_is_registered_and_reads_full_history():
    assert get_search_method("bayes") is bayes_search
    assert history_needed("bayes") == "full"


def test_random_until_two_runs_have_a_value():
    c = cfg(UNIT_2D)
    runs = [
        done(0, {"x": 0.1, "y": 0.1}, 1.0),
        done(1, {"x": 0.2, "y": 0.2}, None, RunState.FAILED),
        done(2, {"x": 0.3, "y": 0.3}, None, RunState.RUNNING),
    ]
    result = bayes_search(c, runs, 3, np.random.default_rng(0))
    assert len(result.suggestions) == 3 and not result.exhausted
    for s in result.suggestions:
        assert s.note.startswith("random: 1 of the 2 runs with a value of 'loss'")
        assert 0 <= s.config["x"] <= 1 and 0 <= s.config["y"] <= 1
    runs.append(done(3, {"x": 0.9, "y": 0.9}, 2.0))
    [s] = bayes_search(c, runs, 1, np.random.default_rng(0)).suggestions
    assert s.note.startswith("bayes: expected improvement")


def test_n_suggestions_of_one_call_are_different_points():
    c = cfg(UNIT_2D)
    rng = np.random.default_rng(1)
    runs = [
        done(i, {"x": float(x), "y": float(y)}, float((x - 0.3) ** 2 + (y - 0.6) ** 2))
        for i, (x, y) in enumerate(rng.random((6, 2)))
    ]
    suggestions = bayes_search(c, runs, 4, np.random.default_rng(2)).suggestions
    points = np.array([[s.config["x"], s.config["y"]] for s in suggestions])
    gaps = [np.linalg.norm(points[i] - points[j]) for i in range(4) for j in range(i)]
    assert min(gaps) > 0.01
    assert all(s.note.startswith("bayes:") for s in suggestions)


def test_a_pending_run_moves_the_next_suggestion_away_from_it():
    c = cfg(UNIT_2D)
    rng = np.random.default_rng(3)
    runs = [
        done(i, {"x": float(x), "y": float(y)}, float((x - 0.3) ** 2 + (y - 0.6) ** 2))
        for i, (x, y) in enumerate(rng.random((8, 2)))
    ]
    first = bayes_search(c, runs, 1, np.random.default_rng(4)).suggestions[0]
    # a pure function: the same runs and the same generator give the same point
    assert bayes_search(c, runs, 1, np.random.default_rng(4)).suggestions[0] == first
    for state in (RunState.PENDING, RunState.RUNNING):
        agent_b = runs + [done(99, first.config, None, state)]
        second = bayes_search(c, agent_b, 1, np.random.default_rng(4)).suggestions[0]
        assert key(second.config) != key(first.config)
        assert "1 pending" in second.note


MIXED = {
    "layers": {"min": 1, "max": 6},
    "dropout": {"distribution": "q_uniform", "min": 0.0, "max": 0.5, "q": 0.125},
    "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
    "batch": {"distribution": "q_log_uniform_values", "min": 16, "max": 512, "q": 16},
    "decay": {"distribution": "log_uniform", "min": -9.0, "max": -2.0},  # exponents
    "act": {"values": ["relu", "tanh", "gelu"]},
    "opt": {"values": ["adam", "sgd"], "probabilities": [0.7, 0.3]},
    "epochs": {"value": 3},
    "model": {"parameters": {"width": {"min": 8, "max": 64}, "kind": {"value": "mlp"}}},
}


def mixed_loss(c):
    return (
        (math.log10(c["lr"]) + 3) ** 2 + (c["layers"] - 4) ** 2 / 4 + c["dropout"]
        + {"relu": 0.0, "tanh": 1.0, "gelu": 0.5}[c["act"]] + c["model"]["width"] / 64
    )


def check_mixed(config):
    assert isinstance(config["layers"], int) and 1 <= config["layers"] <= 6
    assert config["dropout"] in (0.0, 0.125, 0.25, 0.375, 0.5)
    assert 1e-5 <= config["lr"] <= 1e-1
    assert isinstance(config["batch"], int) and config["batch"] % 16 == 0
    assert 16 <= config["batch"] <= 512
    assert math.exp(-9) <= config["decay"] <= math.exp(-2)
    assert config["act"] in ("relu", "tanh", "gelu") and config["opt"] in ("adam", "sgd")
    assert config["epochs"] == 3
    assert config["model"]["kind"] == "mlp"
    assert isinstance(config["model"]["width"], int) and 8 <= config["model"]["width"] <= 64


def test_suggestions_respect_ints_quantisation_log_bounds_categoricals_and_nesting():
    from sweepd.sampling import sample_config

    c = cfg(MIXED)
    rng = np.random.default_rng(5)
    configs = [sample_config(c, rng) for _ in range(8)]
    runs = [done(i, conf, mixed_loss(conf)) for i, conf in enumerate(configs)]
    suggestions = bayes_search(c, runs, 6, np.random.default_rng(6)).suggestions
    assert len(suggestions) == 6
    for s in suggestions:
        assert s.note.startswith("bayes:"), s.note
        check_mixed(s.config)
    keys = {key(s.config) for s in suggestions} | {key(r.config) for r in runs}
    assert len(keys) == 14  # nothing suggested twice, nothing already run


def test_space_is_one_hot_for_categoricals_log_for_log_distributions_and_skips_constants():
    space = _Space.of(cfg(MIXED))
    # layers, dropout, lr, batch, decay: 1 column each; act: 3; opt: 2; width: 1;
    # epochs and model.kind are constants and have none
    assert space.dim == 5 + 3 + 2 + 1
    flat = {
        "layers": 1, "dropout": 0.25, "lr": 1e-3, "batch": 16, "decay": math.exp(-5.5),
        "act": "tanh", "opt": "sgd", "epochs": 3, "model.width": 64, "model.kind": "mlp",
    }
    x = space.encode(flat)
    columns = {col.name: x[col.start : col.start + col.width] for col in space.columns}
    assert columns["act"].tolist() == [0.0, 1.0, 0.0]
    assert columns["opt"].tolist() == [0.0, 1.0]
    assert columns["lr"][0] == pytest.approx(0.5)  # 1e-3 is halfway between 1e-5 and 1e-1 in log
    assert columns["decay"][0] == pytest.approx(0.5)
    assert columns["layers"][0] == pytest.approx(1 / 12)  # middle of the first of 6 slices
    back = space.decode(x)
    assert back.pop("lr") == pytest.approx(flat.pop("lr"))
    assert back.pop("decay") == pytest.approx(flat.pop("decay"))
    assert back == flat


def test_maximize_seeks_the_maximum_and_minimize_the_minimum():
    xs = np.linspace(0.05, 0.95, 8)
    values = [float(-((x - 0.7) ** 2)) for x in xs]  # peak at 0.7
    for goal in ("maximize", "minimize"):
        runs = [done(i, {"x": float(x)}, v) for i, (x, v) in enumerate(zip(xs, values))]
        [s] = bayes_search(cfg(UNIT_1D, goal), runs, 1, np.random.default_rng(7)).suggestions
        if goal == "maximize":
            assert abs(s.config["x"] - 0.7) < 0.1
        else:
            assert abs(s.config["x"] - 0.7) > 0.4  # towards x = 0, the far end


def test_objective_is_best_of_history_and_failures_are_imputed_as_worst():
    c = cfg(UNIT_1D, "maximize")
    runs = [
        done(0, {"x": 0.1}, [0.2, 0.9, 0.5]),  # maximize: best is 0.9
        done(1, {"x": 0.2}, [0.3], RunState.STOPPED),  # early-stopped: its best so far
        done(2, {"x": 0.3}, [0.8], RunState.FAILED),  # failed: worst, whatever it logged
        done(3, {"x": 0.4}, None, RunState.CRASHED),
        done(4, {"x": 0.5}, None, RunState.FINISHED),  # finished without the metric: worst
        done(5, {"x": 0.6}, [0.4], RunState.RUNNING),  # in flight: fantasised
        done(6, {"x": 0.7}, None, RunState.PENDING),
        done(7, {"x": 0.8}, None, RunState.STOPPED),  # stopped before any value: no information
        done(8, {"y": 0.5}, [0.99]),  # not this sweep's parameters: left out
    ]
    data = _observations(c, runs, _Space.of(c))
    assert data.with_value == 2
    assert data.y.tolist() == [-0.9, -0.3, -0.3, -0.3, -0.3]  # negated: lower is better
    assert data.x[:, 0].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert data.pending[:, 0].tolist() == pytest.approx([0.6, 0.7])


def test_a_model_that_cannot_be_fitted_falls_back_to_random_and_says_why():
    c = cfg(UNIT_2D)
    runs = [done(0, {"x": 0.1, "y": 0.1}, 1e308), done(1, {"x": 0.9, "y": 0.9}, -1e308)]
    suggestions = bayes_search(c, runs, 2, np.random.default_rng(8)).suggestions
    assert [s.note for s in suggestions] == ["random fallback: non-finite objective values"] * 2
    assert all(0 <= s.config["x"] <= 1 for s in suggestions)


def test_fit_error_is_reported_in_the_note(monkeypatch):
    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("matrix is not positive definite")

    monkeypatch.setattr(bayes_module, "_fit", broken)
    runs = [done(i, {"x": x, "y": x}, x) for i, x in enumerate((0.1, 0.5, 0.9))]
    [s] = bayes_search(cfg(UNIT_2D), runs, 1, np.random.default_rng(9)).suggestions
    assert s.note == "random fallback: matrix is not positive definite"


def test_a_fully_explored_discrete_space_still_answers():
    c = cfg({"a": {"values": [1, 2]}, "b": {"min": 0, "max": 1}})
    grid = [(1, 0), (1, 1), (2, 0), (2, 1)]
    runs = [done(i, {"a": a, "b": b}, float(a + b)) for i, (a, b) in enumerate(grid)]
    suggestions = bayes_search(c, runs, 2, np.random.default_rng(10)).suggestions
    assert len(suggestions) == 2
    assert all(s.config["a"] in (1, 2) and s.config["b"] in (0, 1) for s in suggestions)
    assert all("every promising point has been tried" in s.note for s in suggestions)


def sphere(c):
    return (c["x"] - 0.31) ** 2 + (c["y"] - 0.77) ** 2


def best_after(method, seed, rounds=3, batch=4, start=4):
    """Best sphere value after `start` random runs and `rounds` calls of `batch` each."""
    c = cfg(UNIT_2D)
    rng = np.random.default_rng(seed)
    runs = []
    for conf in (s.config for s in random_search(c, [], start, rng).suggestions):
        runs.append(done(len(runs), conf, sphere(conf)))
    for _ in range(rounds):
        for s in method(c, runs, batch, rng).suggestions:
            runs.append(done(len(runs), s.config, sphere(s.config)))
    return min(r.history[0] for r in runs)


def test_beats_random_search_on_a_quadratic():
    seeds = range(3)
    bayes_best = [best_after(bayes_search, seed) for seed in seeds]
    random_best = [best_after(random_search, seed) for seed in seeds]
    assert all(b < 1e-3 for b in bayes_best), bayes_best  # 16 evaluations
    assert np.median(bayes_best) < np.median(random_best) / 10, (bayes_best, random_best)


def test_likelihood_and_gradient_equal_sklearns():
    from sklearn.gaussian_process import GaussianProcessRegressor

    from sweepd.controller.search.bayes import JITTER, _kernel, negative_log_likelihood

    rng = np.random.default_rng(11)
    x, y = rng.random((25, 4)), rng.normal(size=25)
    thetas = np.log([[1.7, 0.3, 0.8, 2.0, 0.5, 1e-2], [0.2, 5.0, 0.05, 1.0, 9.0, 1e-6]])
    for theta in thetas:
        kernel = _kernel(theta, fixed=False)
        gp = GaussianProcessRegressor(kernel=kernel, alpha=JITTER, optimizer=None).fit(x, y)
        expected, expected_gradient = gp.log_marginal_likelihood(theta, eval_gradient=True)
        value, gradient = negative_log_likelihood(theta, x, y)
        assert value == pytest.approx(-expected, rel=1e-9)
        assert gradient == pytest.approx(-expected_gradient, rel=1e-7, abs=1e-9)
