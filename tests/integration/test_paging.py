"""ListRuns and GetRunMetrics page (AIP-158): a big sweep and a long history list
completely through a client that keeps gRPC's default 4 MiB receive limit; pages are
stable while runs are added; sizes are coerced to the limit; a token of another
request, a made-up token or a negative size is INVALID_ARGUMENT naming the field."""

from __future__ import annotations

import contextlib
import json

import grpc
import pytest

from sweepd.client import Client
from sweepd.controller import paging
from sweepd.controller.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_BYTES
from sweepd.controller.storage import keys
from sweepd.domain import InvalidArgument
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb

from bulk import add_points, add_runs

RANDOM = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}
GRPC_DEFAULT_LIMIT = 4 * 1024 * 1024


class DefaultLimitClient(Client):
    """A client that keeps gRPC's default receive limit (4 MiB)."""

    RECEIVE_LIMIT = None


def _sweep(controller) -> str:
    return Client(controller.address).create_sweep(RANDOM).id


def _field_of(err: InvalidArgument) -> list[str]:
    return [path for path, _ in err.errors]


def test_a_sweep_over_4_mib_lists_completely_through_a_client_with_the_default_limit(
        controller, redis_client):
    sweep_id = _sweep(controller)
    pad = "p" * 4_000  # 2,000 runs of ~4 KB: 8 MB in all, and 4 MB a default page
    ids = add_runs(redis_client, sweep_id, 2_000, lambda i: {"x": i / 2_000, "pad": pad})
    client = DefaultLimitClient(controller.address, timeout=60)
    first = client.list_runs_page(sweep_id)
    assert 0 < len(first.items) < DEFAULT_PAGE_SIZE and first.next_page_token  # cut by bytes
    assert sum(len(r.config["pad"]) for r in first.items) <= MAX_PAGE_BYTES
    runs = client.list_runs(sweep_id)
    assert [r.id for r in runs] == ids
    assert [r.number for r in runs] == list(range(1, 2_001))


def test_a_long_history_reads_completely_through_a_client_with_the_default_limit(
        controller, redis_client):
    sweep_id = _sweep(controller)
    [run_id] = add_runs(redis_client, sweep_id, 1, lambda i: {"x": 0.5})
    pad = "q" * 1_000  # 6,000 points of ~1 KB: 6 MB in all
    add_points(redis_client, sweep_id, run_id, 6_000, lambda s: {"loss": 1 / (s + 1), "pad": pad})
    client = DefaultLimitClient(controller.address, timeout=60)
    points = client.run_metrics(sweep_id, run_id, page_size=10_000)
    assert [p.step for p in points] == list(range(6_000))
    assert points[-1].values == {"loss": 1 / 6_000, "pad": pad}


def test_a_page_reads_only_its_own_runs_from_redis(controller, redis_client):
    sweep_id = _sweep(controller)
    ids = add_runs(redis_client, sweep_id, 2_000, lambda i: {"x": i / 2_000})
    client = Client(controller.address)
    token = client.list_runs_page(sweep_id, page_size=5).next_page_token
    with every_command(redis_client) as seen:
        page = client.list_runs_page(sweep_id, page_size=10, page_token=token)
    assert [r.id for r in page.items] == ids[5:15]
    index = [c for c in seen if c.split()[1] == keys.sweep_runs(sweep_id)]
    assert len(index) == 1 and index[0].startswith("ZRANGEBYSCORE") and "LIMIT 0 11" in index[0]
    records = {c.split()[1] for c in seen if c.startswith("HGETALL")}
    assert records == {k for rid in ids[5:15]
                       for k in (keys.run(sweep_id, rid), keys.run_summary(sweep_id, rid))}


@contextlib.contextmanager
def every_command(r):
    """The commands Redis ran meanwhile (its slow log, set to log every command)."""
    old = r.config_get("slowlog-*")
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("slowlog-max-len", 100_000)
    r.slowlog_reset()
    seen: list[str] = []
    try:
        yield seen
        seen += [e["command"] if isinstance(e["command"], str) else e["command"].decode()
                 for e in r.slowlog_get(100_000)]
    finally:
        for name, value in old.items():
            r.config_set(name, value)


def test_pages_list_every_run_once_while_runs_are_added(controller, redis_client):
    sweep_id = _sweep(controller)
    ids = add_runs(redis_client, sweep_id, 20, lambda i: {"x": i / 20})
    client = Client(controller.address)
    seen, token, pages = [], "", 0
    while True:
        page = client.list_runs_page(sweep_id, page_size=7, page_token=token)
        assert len(page.items) <= 7
        seen += [r.id for r in page.items]
        pages += 1
        if pages == 2:  # runs created meanwhile come after those already listed
            ids += add_runs(redis_client, sweep_id, 5, lambda i: {"x": 0.1}, prefix="late")
        if not (token := page.next_page_token):
            break
    assert seen == ids and len(set(seen)) == 25
    assert pages == 4  # 7 + 7 + 7 + 4, the last one without a token


def test_a_page_size_over_the_maximum_is_served_as_the_maximum(controller, redis_client,
                                                                monkeypatch):
    monkeypatch.setattr(paging, "MAX_PAGE_SIZE", 4)
    sweep_id = _sweep(controller)
    ids = add_runs(redis_client, sweep_id, 10, lambda i: {"x": i / 10})
    client = Client(controller.address)
    page = client.list_runs_page(sweep_id, page_size=1_000_000)
    assert [r.id for r in page.items] == ids[:4] and page.next_page_token
    assert [r.id for r in client.list_runs(sweep_id, page_size=2**31 - 1)] == ids


def test_the_cli_lists_every_page(controller, redis_client, monkeypatch, capsys):
    from sweepd import cli

    monkeypatch.setattr(paging, "MAX_PAGE_SIZE", 3)
    sweep_id = _sweep(controller)
    ids = add_runs(redis_client, sweep_id, 10, lambda i: {"x": i / 10})
    assert cli.main(["runs", sweep_id, "--json", "--controller", controller.address]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ids
    assert cli.main(["runs", sweep_id, "--page-size", "4", "--controller", controller.address]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == ids


def test_a_token_of_another_sweep_is_refused_naming_page_token(controller, redis_client):
    ours, other = _sweep(controller), _sweep(controller)
    for sweep_id in (ours, other):
        add_runs(redis_client, sweep_id, 3, lambda i: {"x": 0.5})
    client = Client(controller.address)
    token = client.list_runs_page(other, page_size=1).next_page_token
    with pytest.raises(InvalidArgument) as caught:
        client.list_runs_page(ours, page_size=1, page_token=token)
    assert _field_of(caught.value) == ["page_token"]
    assert "another request" in str(caught.value)


@pytest.mark.parametrize("token", ["garbage!", "AQ", "", "AQEBAQEBAQEBeA"])
def test_a_token_the_server_did_not_make_is_refused_naming_page_token(controller, token):
    client = Client(controller.address)
    sweep_id = _sweep(controller)
    if not token:  # a real fingerprint with a position that is not a run number
        real = paging.page_of("ListRuns", sweep_pb.ListRunsRequest(sweep_id=sweep_id), paging.RUN_NUMBER)
        token = real.token("x1")
    with pytest.raises(InvalidArgument) as caught:
        client.list_runs_page(sweep_id, page_token=token)
    assert _field_of(caught.value) == ["page_token"]


def test_a_negative_page_size_is_refused_naming_page_size(controller):
    client = Client(controller.address)
    sweep_id = _sweep(controller)
    with pytest.raises(InvalidArgument) as caught:
        client.list_runs_page(sweep_id, page_size=-1)
    assert _field_of(caught.value) == ["page_size"]
    with pytest.raises(grpc.RpcError) as raw:
        client.metrics.GetRunMetrics(metric_pb.GetRunMetricsRequest(
            sweep_id=sweep_id, run_id="r", page_size=-5), timeout=5)
    assert raw.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "page_size" in raw.value.details()


def test_metric_pages_with_keys_leave_points_out_but_not_the_next_page(controller, redis_client):
    sweep_id = _sweep(controller)
    [run_id] = add_runs(redis_client, sweep_id, 1, lambda i: {"x": 0.5})
    add_points(redis_client, sweep_id, run_id, 30,
               lambda s: {"loss": s, **({"acc": s} if s % 3 == 0 else {})})
    client = Client(controller.address)
    sizes, steps, token = [], [], ""
    while True:
        page = client.run_metrics_page(sweep_id, run_id, ["acc"], page_size=4, page_token=token)
        sizes.append(len(page.items))
        steps += [p.step for p in page.items]
        assert all(set(p.values) == {"acc"} for p in page.items)
        if not (token := page.next_page_token):
            break
    assert steps == list(range(0, 30, 3))
    assert sizes == [2, 1, 1, 2, 1, 1, 2, 0]  # 4 points read a page, 30 in all
    with pytest.raises(InvalidArgument) as caught:  # the token was made for keys ["acc"]
        client.run_metrics_page(sweep_id, run_id, ["loss"], page_size=4,
                                page_token=client.run_metrics_page(
                                    sweep_id, run_id, ["acc"], page_size=4).next_page_token)
    assert _field_of(caught.value) == ["page_token"]


def test_points_reported_while_paging_come_after_those_read(controller, redis_client):
    sweep_id = _sweep(controller)
    [run_id] = add_runs(redis_client, sweep_id, 1, lambda i: {"x": 0.5})
    add_points(redis_client, sweep_id, run_id, 10, lambda s: {"loss": s})
    client = Client(controller.address)
    first = client.run_metrics_page(sweep_id, run_id, page_size=6)
    add_points(redis_client, sweep_id, run_id, 3, lambda s: {"loss": 100 + s})
    rest = client.run_metrics_page(sweep_id, run_id, page_size=100,
                                   page_token=first.next_page_token)
    assert [p.values["loss"] for p in first.items + rest.items] == [*range(10), 100, 101, 102]
    assert rest.next_page_token == ""


def test_sweeps_page_newest_first_and_sweeps_created_meanwhile_do_not_repeat_any(controller):
    client = Client(controller.address)
    made = [client.create_sweep({**RANDOM, "project": "a" if i % 2 else "b"}).id for i in range(5)]
    newest_first = made[::-1]
    first = client.list_sweeps_page(page_size=2)
    assert [s.id for s in first.items] == newest_first[:2]
    late = client.create_sweep(RANDOM).id  # newer than the first page: not listed
    rest = []
    token = first.next_page_token
    while token:
        page = client.list_sweeps_page(page_size=2, page_token=token)
        rest += [s.id for s in page.items]
        token = page.next_page_token
    assert rest == newest_first[2:]
    assert [s.id for s in client.list_sweeps(page_size=2)] == [late, *newest_first]
    # another project's sweeps count towards a page but are left out of it
    a = client.list_sweeps_page("a", page_size=3)  # reads late, made[4] and made[3]
    assert [s.id for s in a.items] == [made[3]] and a.next_page_token
    assert [s.id for s in client.list_sweeps("a", page_size=2)] == [made[3], made[1]]
    with pytest.raises(InvalidArgument) as caught:  # the token was made for project "a"
        client.list_sweeps_page("b", page_token=a.next_page_token)
    assert _field_of(caught.value) == ["page_token"]


def test_a_token_whose_sweep_is_gone_is_refused_naming_page_token(controller, redis_client):
    client = Client(controller.address)
    for _ in range(3):
        client.create_sweep(RANDOM)
    page = client.list_sweeps_page(page_size=1)
    redis_client.zrem(keys.sweeps_index(), page.items[0].id)
    with pytest.raises(InvalidArgument) as caught:
        client.list_sweeps_page(page_size=1, page_token=page.next_page_token)
    assert _field_of(caught.value) == ["page_token"]
