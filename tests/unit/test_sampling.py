"""Sampling is tested statistically: draws against the law each distribution claims."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from sweepd.config import ParameterSpec, parse_config
from sweepd.sampling import from_unit, quantize, sample_config, sample_value, to_unit

N = 4000
P_MIN = 1e-3  # seeds are fixed, so a pass is deterministic; this only guards the law


def spec(**raw) -> ParameterSpec:
    return parse_config({"method": "random", "parameters": {"p": raw}}).parameters["p"]


def draws(s: ParameterSpec, n: int = N, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([sample_value(s, rng) for _ in range(n)])


# (parameter spec, the scipy law its draws must follow)
CONTINUOUS = {
    "uniform": (dict(distribution="uniform", min=-2.0, max=3.0), stats.uniform(-2, 5)),
    "log_uniform": (
        dict(distribution="log_uniform", min=-5.0, max=-1.0),
        stats.loguniform(math.exp(-5), math.exp(-1)),
    ),
    "log_uniform_values": (
        dict(distribution="log_uniform_values", min=1e-4, max=0.1),
        stats.loguniform(1e-4, 0.1),
    ),
    # log(1/X) ~ U(1, 4)  =>  X log-uniform on [e^-4, e^-1]
    "inv_log_uniform": (
        dict(distribution="inv_log_uniform", min=1.0, max=4.0),
        stats.loguniform(math.exp(-4), math.exp(-1)),
    ),
    # log(1/X) ~ U(log(1/max), log(1/min))  =>  X log-uniform on [min, max]
    "inv_log_uniform_values": (
        dict(distribution="inv_log_uniform_values", min=0.01, max=1.0),
        stats.loguniform(0.01, 1.0),
    ),
    "normal": (dict(distribution="normal", mu=1.5, sigma=2.0), stats.norm(1.5, 2.0)),
    "normal_defaults": (dict(distribution="normal"), stats.norm(0, 1)),
    "log_normal": (
        dict(distribution="log_normal", mu=0.5, sigma=0.75),
        stats.lognorm(s=0.75, scale=math.exp(0.5)),
    ),
    "beta": (dict(distribution="beta", a=2.0, b=5.0), stats.beta(2, 5)),
    "beta_defaults": (dict(distribution="beta"), stats.beta(1, 1)),
}

# (quantised spec, law of the unquantised draw)
QUANTISED = {
    "q_uniform": (dict(distribution="q_uniform", min=0.0, max=10.0, q=2), stats.uniform(0, 10)),
    "q_uniform_float_q": (
        dict(distribution="q_uniform", min=0.0, max=1.0, q=0.1),
        stats.uniform(0, 1),
    ),
    "q_log_uniform": (
        dict(distribution="q_log_uniform", min=0.0, max=4.0, q=5),
        stats.loguniform(1, math.exp(4)),
    ),
    "q_log_uniform_values": (
        dict(distribution="q_log_uniform_values", min=1.0, max=100.0, q=10),
        stats.loguniform(1, 100),
    ),
    "q_normal": (dict(distribution="q_normal", mu=0.0, sigma=3.0), stats.norm(0, 3)),
    "q_normal_float_q": (
        dict(distribution="q_normal", mu=1.0, sigma=0.5, q=0.25),
        stats.norm(1, 0.5),
    ),
    "q_log_normal": (
        dict(distribution="q_log_normal", mu=1.0, sigma=0.5, q=0.5),
        stats.lognorm(s=0.5, scale=math.e),
    ),
    "q_beta": (dict(distribution="q_beta", a=2.0, b=2.0, q=0.1), stats.beta(2, 2)),
}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_draws_follow_their_law(name):
    raw, law = CONTINUOUS[name]
    x = draws(spec(**raw))
    assert stats.kstest(x, law.cdf).pvalue > P_MIN


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_from_unit_of_uniform_draws_follows_the_law(name):
    raw, law = CONTINUOUS[name]
    s = spec(**raw)
    u = np.random.default_rng(2).random(N)
    x = np.array([from_unit(s, ui) for ui in u])
    assert stats.kstest(x, law.cdf).pvalue > P_MIN


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_to_unit_is_the_cdf(name):
    raw, law = CONTINUOUS[name]
    s = spec(**raw)
    x = draws(s, n=200, seed=3)
    assert [to_unit(s, v) for v in x] == pytest.approx(law.cdf(x), abs=1e-9)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_from_unit_inverts_to_unit(name):
    raw, _ = CONTINUOUS[name]
    s = spec(**raw)
    for v in draws(s, n=100, seed=4):
        assert from_unit(s, to_unit(s, v)) == pytest.approx(v, rel=1e-7, abs=1e-9)


def lattice_chisquare(samples: np.ndarray, q: float, law) -> float:
    """p-value of quantised draws against P(k q) = F((k + 1/2) q) - F((k - 1/2) q);
    lattice points expected fewer than 5 times are pooled into one bin."""
    ks = np.round(samples / q).astype(int)
    n = len(ks)
    support = np.arange(ks.min(), ks.max() + 1)
    expected = n * (law.cdf((support + 0.5) * q) - law.cdf((support - 0.5) * q))
    observed = np.array([(ks == k).sum() for k in support])
    keep = expected >= 5
    obs, exp = observed[keep], expected[keep]
    assert keep.sum() >= 2, "test needs at least two well-populated lattice points"
    if n - exp.sum() > 1e-6 * n:  # pool the sparse points (and anything off the support)
        obs, exp = np.append(obs, n - obs.sum()), np.append(exp, n - exp.sum())
    else:
        assert obs.sum() == n
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


@pytest.mark.parametrize("name", sorted(QUANTISED))
def test_quantised_draws_follow_the_discretised_law(name):
    raw, law = QUANTISED[name]
    s = spec(**raw)
    assert lattice_chisquare(draws(s), s.q, law) > P_MIN


@pytest.mark.parametrize("name", sorted(QUANTISED))
def test_quantised_values_lie_on_the_lattice(name):
    raw, _ = QUANTISED[name]
    s = spec(**raw)
    for v in draws(s, n=500).tolist():
        if isinstance(s.q, int):
            assert isinstance(v, int) and v % s.q == 0
        else:
            assert v == quantize(v, s.q)
            assert v == round(v, 2)  # no float noise such as 0.30000000000000004


@pytest.mark.parametrize("name", sorted(QUANTISED))
def test_from_unit_of_quantised_lands_on_the_lattice_and_round_trips(name):
    raw, law = QUANTISED[name]
    s = spec(**raw)
    u = np.random.default_rng(5).random(N)
    x = np.array([from_unit(s, ui) for ui in u])
    assert lattice_chisquare(x, s.q, law) > P_MIN
    for v in x[:100].tolist():
        assert from_unit(s, to_unit(s, v)) == v


def test_q_defaults_to_int_one_and_gives_ints():
    s = spec(distribution="q_normal", mu=0.0, sigma=5.0)
    assert s.q == 1
    assert all(type(v) is int for v in draws(s, n=200).tolist())


def test_quantize_rounds_away_float_noise():
    assert quantize(0.30000001, 0.1) == 0.3
    assert quantize(0.7, 0.1) == 0.7
    assert quantize(1.26, 0.25) == 1.25
    assert quantize(3e-5, 1e-5) == 3e-5
    assert quantize(7.4, 2) == 8 and type(quantize(7.4, 2)) is int
    assert quantize(7.4, 2.0) == 8.0 and type(quantize(7.4, 2.0)) is float


def test_int_uniform_is_uniform_and_includes_both_ends():
    s = spec(min=3, max=9)
    x = draws(s).tolist()
    assert all(type(v) is int for v in x)
    counts = np.array([x.count(k) for k in range(3, 10)])
    assert counts.sum() == N  # nothing outside [min, max]
    assert counts.min() > 0  # min and max both hit
    assert stats.chisquare(counts).pvalue > P_MIN


def test_int_uniform_unit_maps_cover_every_integer_evenly():
    s = spec(min=-2, max=2)
    u = np.linspace(0, 1, 1001)
    got = [from_unit(s, ui) for ui in u]
    assert sorted(set(got)) == [-2, -1, 0, 1, 2]
    assert max(got.count(k) for k in range(-2, 3)) - min(got.count(k) for k in range(-2, 3)) <= 1
    assert [from_unit(s, to_unit(s, k)) for k in range(-2, 3)] == [-2, -1, 0, 1, 2]


def test_categorical_is_uniform():
    s = spec(values=["a", "b", "c", "d"])
    x = draws(s).tolist()
    counts = [x.count(v) for v in "abcd"]
    assert sum(counts) == N
    assert stats.chisquare(counts).pvalue > P_MIN


def test_categorical_w_probabilities_follows_the_weights():
    probabilities = [0.1, 0.2, 0.7]
    s = spec(values=[1, 2, 3], probabilities=probabilities)
    assert s.distribution == "categorical_w_probabilities"
    x = draws(s).tolist()
    counts = [x.count(v) for v in (1, 2, 3)]
    assert stats.chisquare(counts, [p * N for p in probabilities]).pvalue > P_MIN


def test_categorical_unit_maps_follow_the_weights_and_round_trip():
    s = spec(values=["x", "y", "z"], probabilities=[0.5, 0.0, 0.5])
    u = np.random.default_rng(6).random(N)
    got = [from_unit(s, ui) for ui in u]
    assert got.count("y") == 0
    assert stats.chisquare([got.count("x"), got.count("z")]).pvalue > P_MIN
    assert from_unit(s, to_unit(s, "x")) == "x" and from_unit(s, to_unit(s, "z")) == "z"
    assert from_unit(s, 1.0) == "z"
    with pytest.raises(ValueError, match="not one of"):
        to_unit(s, "w")


def test_categorical_value_is_copied_not_shared():
    s = spec(values=[{"layers": [1, 2]}])
    v = sample_value(s, np.random.default_rng(0))
    v["layers"].append(3)
    assert s.values[0] == {"layers": [1, 2]}


def test_constant_always_gives_its_value():
    s = spec(value=[1, "two"])
    rng = np.random.default_rng(0)
    assert all(sample_value(s, rng) == [1, "two"] for _ in range(50))
    assert from_unit(s, 0.3) == [1, "two"]


@pytest.mark.parametrize(
    "raw, lo, hi",
    [
        (dict(distribution="log_uniform", min=-3.0, max=2.0), math.exp(-3), math.exp(2)),
        (dict(distribution="log_uniform_values", min=0.001, max=10.0), 0.001, 10.0),
        (dict(distribution="inv_log_uniform", min=-1.0, max=3.0), math.exp(-3), math.exp(1)),
        (dict(distribution="inv_log_uniform_values", min=0.5, max=8.0), 0.5, 8.0),
        (dict(distribution="uniform", min=0.25, max=0.5), 0.25, 0.5),
        (dict(distribution="beta", a=0.5, b=0.5), 0.0, 1.0),
    ],
)
def test_bounded_draws_and_unit_ends_stay_within_bounds(raw, lo, hi):
    s = spec(**raw)
    x = draws(s, n=2000)
    assert x.min() >= lo * (1 - 1e-12) and x.max() <= hi * (1 + 1e-12)
    assert from_unit(s, 0.0) == pytest.approx(lo) and from_unit(s, 1.0) == pytest.approx(hi)
    assert to_unit(s, lo) == pytest.approx(0.0, abs=1e-12)
    assert to_unit(s, hi) == pytest.approx(1.0, abs=1e-12)


def test_unbounded_unit_ends_are_finite():
    for raw in (dict(distribution="normal"), dict(distribution="log_normal")):
        s = spec(**raw)
        assert math.isfinite(from_unit(s, 0.0)) and math.isfinite(from_unit(s, 1.0))


def test_to_unit_is_monotone():
    for raw, _ in list(CONTINUOUS.values()):
        s = spec(**raw)
        x = np.sort(draws(s, n=100, seed=9))
        u = [to_unit(s, v) for v in x]
        assert u == sorted(u), raw


def test_sample_config_nests_and_includes_constants():
    cfg = parse_config(
        {
            "method": "random",
            "parameters": {
                "epochs": {"value": 3},
                "optimizer": {
                    "parameters": {
                        "name": {"values": ["adam", "sgd"]},
                        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
                        "sched": {"parameters": {"gamma": {"min": 0.5, "max": 0.9}}},
                    }
                },
            },
        }
    )
    run = sample_config(cfg, np.random.default_rng(0))
    assert run["epochs"] == 3
    assert set(run["optimizer"]) == {"name", "lr", "sched"}
    assert run["optimizer"]["name"] in ("adam", "sgd")
    assert 1e-4 <= run["optimizer"]["lr"] <= 1e-1
    assert 0.5 <= run["optimizer"]["sched"]["gamma"] <= 0.9
    assert type(run["optimizer"]["lr"]) is float


def test_sample_config_is_reproducible_with_a_seed():
    parameters = {"a": {"min": 0.0, "max": 1.0}, "b": {"min": 0, "max": 99}}
    cfg = parse_config({"method": "random", "parameters": parameters})
    assert sample_config(cfg, np.random.default_rng(7)) == sample_config(cfg, np.random.default_rng(7))


def test_importing_sampling_does_not_import_scipy():
    code = "import sys, sweepd.sampling; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
