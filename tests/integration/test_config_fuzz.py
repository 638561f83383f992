"""Property-based: thousands of generated configs, valid and mutated, thrown at
validation and at CreateSweep. Every invalid one gets INVALID_ARGUMENT naming the
field; no valid one is refused; nothing crashes the server.

SWEEPD_FUZZ_EXAMPLES sets the number of examples per property (default 10,000).
"""

from __future__ import annotations

import copy
import os

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sweepd import convert
from sweepd.client import Client
from sweepd.config import validate_config
from sweepd.v1 import sweep_service_pb2 as sweep_pb

EXAMPLES = int(os.environ.get("SWEEPD_FUZZ_EXAMPLES", "10000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

names = st.sampled_from(["lr", "units", "dropout", "opt", "x", "y_1", "Layer2", "_z", "a.b", "w-1"])
small_ints = st.integers(-1000, 1000)
reals = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))
scalars = st.one_of(small_ints, reals, st.text(max_size=6), st.booleans())


def _distinct(values):
    return list({repr(v): v for v in values}.values())


discrete_specs = st.one_of(
    st.lists(scalars, min_size=1, max_size=4).map(lambda v: {"values": _distinct(v)}),
    scalars.map(lambda v: {"value": v}),
    st.tuples(small_ints, st.integers(1, 20)).map(lambda t: {"min": t[0], "max": t[0] + t[1]}),
    st.tuples(small_ints, st.integers(1, 10), st.integers(1, 4)).map(
        lambda t: {"distribution": "q_uniform", "min": t[0], "max": t[0] + t[1] * t[2], "q": t[2]}),
)
continuous_specs = st.one_of(
    st.tuples(reals, st.floats(0.01, 100).map(lambda x: round(x, 2) + 0.5)).map(
        lambda t: {"min": float(t[0]), "max": float(t[0] + t[1])}),
    st.tuples(st.floats(1e-6, 1.0), st.floats(2.0, 1e3)).map(
        lambda t: {"distribution": "log_uniform_values", "min": t[0], "max": t[0] * t[1]}),
    st.tuples(reals, st.floats(0.1, 10)).map(
        lambda t: {"distribution": "normal", "mu": t[0], "sigma": t[1]}),
    st.tuples(st.floats(0.1, 5), st.floats(0.1, 5)).map(
        lambda t: {"distribution": "beta", "a": t[0], "b": t[1]}),
)


@st.composite
def valid_configs(draw):
    method = draw(st.sampled_from(["grid", "random", "bayes"]))
    specs = discrete_specs if method == "grid" else st.one_of(discrete_specs, continuous_specs)
    params = draw(st.dictionaries(names, specs, min_size=1, max_size=4))
    config = {"method": method, "parameters": params,
              "metric": {"name": "loss", "goal": draw(st.sampled_from(["minimize", "maximize"]))}}
    if draw(st.booleans()):
        config["run_cap"] = draw(st.integers(1, 1000))
    if draw(st.booleans()):
        config["early_terminate"] = {"type": "hyperband", "min_iter": draw(st.integers(1, 9)),
                                     "eta": draw(st.sampled_from([2, 3, 4]))}
    return config


def _first_param(config, pred):
    for name, spec in config["parameters"].items():
        if pred(spec):
            return name, spec
    return None, None


# Each mutation makes a valid config invalid and says which field path must be named.
def _swap_bounds(c):
    name, spec = _first_param(c, lambda s: "min" in s)
    if name is None:
        return None
    spec["min"], spec["max"] = spec["max"], spec["min"]
    return f"parameters.{name}"


def _empty_values(c):
    name = next(iter(c["parameters"]))
    c["parameters"][name] = {"values": []}
    return f"parameters.{name}"


def _negative_sigma(c):
    c["parameters"]["zz_sigma"] = {"distribution": "normal", "mu": 0.0, "sigma": -1.0}
    return "parameters.zz_sigma"


def _continuous_in_grid(c):
    c["method"] = "grid"
    c["parameters"]["zz_cont"] = {"min": 0.0, "max": 1.0}
    return "parameters.zz_cont"


def _bad_run_cap(c):
    c["run_cap"] = -5
    return "run_cap"


def _bayes_without_metric(c):
    c["method"] = "bayes"
    c["metric"] = {"goal": "minimize"}
    return "metric"


def _bad_probabilities(c):
    c["parameters"]["zz_p"] = {"values": [1, 2], "probabilities": [0.5, 0.6]}
    return "parameters.zz_p"


def _bad_name(c):
    c["parameters"]["1bad name"] = {"value": 1}
    return "parameters.1bad name"


def _ambiguous_bounds(c):
    c["parameters"]["zz_amb"] = {"min": 1, "max": 2.5}
    return "parameters.zz_amb"


def _bad_hyperband(c):
    c["early_terminate"] = {"type": "hyperband", "eta": 3}
    return "early_terminate"


def _no_parameters(c):
    c["parameters"] = {}
    return "parameters"


WIRE_MUTATIONS = [_swap_bounds, _empty_values, _negative_sigma, _continuous_in_grid, _bad_run_cap,
                  _bayes_without_metric, _bad_probabilities, _bad_name, _ambiguous_bounds,
                  _bad_hyperband, _no_parameters]


def _unknown_key(c):
    c["bogus_key"] = 1
    return "bogus_key"


def _bad_method(c):
    c["method"] = "annealing"
    return "method"


def _wrong_type(c):
    c["parameters"] = ["not", "a", "mapping"]
    return "parameters"


LOCAL_MUTATIONS = WIRE_MUTATIONS + [_unknown_key, _bad_method, _wrong_type]


@st.composite
def mutated(draw, mutations):
    config = copy.deepcopy(draw(valid_configs()))
    for mutate in draw(st.permutations(mutations)):
        path = mutate(config)
        if path is not None:
            return config, path
    raise AssertionError("no mutation applied")


def _named(paths, expected):
    return any(p == expected or p.startswith(expected + ".") or p.startswith(expected + "[")
               for p in paths)


@pytest.fixture(scope="module")
def rpc(redis_server):
    from conftest import ControllerHandle

    handle = ControllerHandle(redis_server.url, lease_seconds=30)
    client = Client(handle.address)
    yield client
    client.close()
    handle.close()


def test_validation_and_create_sweep_accept_valid_and_name_invalid(rpc):
    """Each example goes to local validation and, when it can be put on the wire, to
    CreateSweep (mutations like an unknown key cannot: the typed message has no room)."""
    stats = {"created": 0, "refused": 0, "local_only": 0}
    valid = valid_configs().map(lambda c: (c, None, True))
    on_wire = mutated(WIRE_MUTATIONS).map(lambda case: (*case, True))
    local = mutated(LOCAL_MUTATIONS).map(lambda case: (*case, False))

    @FUZZ
    @given(st.one_of(valid, on_wire, local))
    def check(case):
        config, path, wire = case
        errors = validate_config(config)
        if path is None:
            assert errors == [], (config, [str(e) for e in errors])
        else:
            assert _named([e.path for e in errors], path), (path, [str(e) for e in errors])
        if not wire:
            stats["local_only"] += 1
            return
        request = sweep_pb.CreateSweepRequest(config=convert.config_dict_to_proto(config))
        try:
            sweep = rpc.sweeps.CreateSweep(request, timeout=10)
        except grpc.RpcError as err:
            assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details())
            assert path is not None, (config, err.details())
            violations = sweep_pb.ValidateSweepResponse.FromString(
                dict(err.trailing_metadata())["sweepd-violations-bin"]).violations
            assert _named([v.field for v in violations], path), (path, err.details())
            stats["refused"] += 1
            return
        assert path is None, (config, path)
        assert sweep.id
        stats["created"] += 1

    check()
    assert min(stats.values()) > EXAMPLES // 8, stats
    rpc.list_sweeps()  # still serving
