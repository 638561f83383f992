"""Dashboard at scale: a 1,000-run x 1,000-point sweep in a private Redis.

    python bench/bench_dashboard.py [--runs 1000] [--points 1000] [--running 10]

Fills a private Redis (never the user's) with one sweep in the controller's layout
(meta hash, runs zset, run hashes, summaries, objective lists, metric streams),
written directly with pipelined commands: this is a fixture, the dashboard itself
only reads. Then times the server-side work of the sweep page, side by side with a
naive baseline run in the same process:

- cold start: a fresh dashboard opened on the sweep, refreshed every second while
  the running runs log, until its background loader has read the whole history;
- full refresh: a browser (re)loading the page of a sweep the server follows;
- live tick: 1 new point for each running run, and an idle tick;
- naive tick: re-read every stream and rebuild every figure, what a dashboard
  without the incremental reader does every second (with plain XRANGEs, and with
  the packed Lua read, to separate the two gains).

Payload: the JSON the callback returns (what goes over the wire per refresh).

Then the pages of issue 16 (`--skip-pages` leaves them out):

- run page of a run with `--long-points` points (3 keys), opened by a fresh
  dashboard: its stream read, the page's outputs and every chart built and
  serialized; then a zoom (one chart, the zoomed range at full resolution); beside it
  the naive page (plain XRANGE decoded entry by entry, every point sent);
- run page of a run of the 1,000-run sweep (its attempts read all 1,000 records);
- compare page of the 1,000-run sweep and a second one of as many runs.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import redis
from dash._utils import to_json
from dash._no_update import NoUpdate

from sweepd.config import parse_config
from sweepd.controller.redis_local import start_local_redis
from sweepd.controller.storage import keys
from sweepd.controller.storage.records import sweep_meta_fields
from sweepd.dash_ui.data import DashboardReader
from sweepd.dash_ui.figures import decode_typed_array
from sweepd.dash_ui.updates import Inputs, SweepUpdater

SWEEP_ID = "bench0001"
CONFIG = {
    "method": "random", "name": "bench: 1k runs",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
        "batch_size": {"values": [16, 32, 64, 128]},
        "optimizer": {"values": ["adam", "sgd", "rmsprop"]},
        "dropout": {"min": 0.0, "max": 0.5},
        "layers": {"min": 1, "max": 6},
    },
}

# Fixture only: appends many entries to one stream in one call (ARGV: n, then
# step, wall ms, values JSON per entry). KEYS[1] metrics stream.
_XADD_MANY = """
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  redis.call('XADD', KEYS[1], '*', 's', ARGV[2 + 3 * i], 't', ARGV[3 + 3 * i], 'v', ARGV[4 + 3 * i])
end
return n
"""


def _curve(rng, params, steps):
    quality = (abs(math.log10(params["lr"]) + 3) * 0.25 + params["dropout"] * 0.3
               + {"adam": 0.0, "rmsprop": 0.05, "sgd": 0.15}[params["optimizer"]])
    floor = 0.1 + quality
    val = floor + 2.0 * np.exp(-steps / (60 + 20 * params["layers"])) + rng.normal(0, 0.02, len(steps))
    train = val * 0.9
    acc = 1 / (1 + val)
    return val, train, acc


def _point_values(val, train, acc):
    return [json.dumps({"val_loss": round(float(v), 6), "train_loss": round(float(t), 6),
                        "acc": round(float(a), 6)}, separators=(",", ":"))
            for v, t, a in zip(val, train, acc)]


def fill(client: redis.Redis, runs: int, points: int, running: int, seed: int = 0) -> list[str]:
    """Writes the sweep; returns the ids of its running runs."""
    rng = np.random.default_rng(seed)
    config = parse_config(CONFIG)
    xadd = client.register_script(_XADD_MANY)
    now_ms = int(time.time() * 1000)
    start_ms = now_ms - runs * 2000
    client.set(keys.schema(), keys.SCHEMA_VERSION)
    meta = sweep_meta_fields(SWEEP_ID, config, start_ms)
    client.hset(keys.sweep_meta(SWEEP_ID), mapping=meta)
    client.zadd(keys.sweeps_index(), {SWEEP_ID: start_ms})
    best_value, best_run, running_ids = math.inf, "", []
    steps = np.arange(points)
    for chunk in range(0, runs, 50):
        pipe = client.pipeline(transaction=False)
        for number in range(chunk + 1, min(runs, chunk + 50) + 1):
            rid = f"r{number:05d}"
            params = {
                "lr": float(10 ** rng.uniform(-5, -1)), "batch_size": int(rng.choice([16, 32, 64, 128])),
                "optimizer": str(rng.choice(["adam", "sgd", "rmsprop"])),
                "dropout": float(rng.uniform(0, 0.5)), "layers": int(rng.integers(1, 7)),
            }
            is_running = number > runs - running
            val, train, acc = _curve(rng, params, steps)
            created = start_ms + number * 1900
            walls = created + 10 + steps * 2
            values = _point_values(val, train, acc)
            args = [points]
            for s, t, v in zip(steps, walls, values):
                args += [int(s), int(t), v]
            xadd(keys=[keys.run_metrics(SWEEP_ID, rid)], args=args, client=pipe)
            best = float(val.min())
            if best < best_value:
                best_value, best_run = best, rid
            record = {
                "id": rid, "sweep_id": SWEEP_ID, "number": number,
                "state": "running" if is_running else "finished",
                "config": json.dumps(params), "claim_key": "", "agent_id": "bench-agent",
                "token": f"t{number}", "attempt": 1, "created_at": created, "note": "",
                "points": points, "last_seq": 1, "should_stop": 0, "started_at": created + 5,
                "best": repr(best), "error": "",
            }
            if not is_running:
                record["ended_at"] = int(walls[-1]) + 5
            else:
                running_ids.append(rid)
            pipe.hset(keys.run(SWEEP_ID, rid), mapping=record)
            pipe.hset(keys.run_summary(SWEEP_ID, rid), mapping={
                "val_loss": json.dumps(float(val[-1])), "train_loss": json.dumps(float(train[-1])),
                "acc": json.dumps(float(acc[-1]))})
            pipe.rpush(keys.run_objective(SWEEP_ID, rid), *[repr(float(v)) for v in val])
            pipe.zadd(keys.sweep_runs(SWEEP_ID), {rid: number})
        pipe.execute()
    client.hset(keys.sweep_meta(SWEEP_ID), mapping={
        "n_total": runs, "n_finished": runs - running, "n_running": running,
        "best_value": repr(best_value), "best_run": best_run})
    return running_ids


def add_points(client: redis.Redis, run_ids: list[str], step: int) -> None:
    """One new point for each running run, as the controller's report would store it."""
    now = int(time.time() * 1000)
    pipe = client.pipeline(transaction=False)
    for rid in run_ids:
        v = json.dumps({"val_loss": 0.3, "train_loss": 0.27, "acc": 0.77}, separators=(",", ":"))
        pipe.xadd(keys.run_metrics(SWEEP_ID, rid), {"s": step, "t": now, "v": v})
        pipe.hincrby(keys.run(SWEEP_ID, rid), "points", 1)
        pipe.hset(keys.run(SWEEP_ID, rid), "last_seq", step)
        pipe.hset(keys.run_summary(SWEEP_ID, rid), "val_loss", "0.3")
        pipe.rpush(keys.run_objective(SWEEP_ID, rid), "0.3")
    pipe.execute()


def payload_bytes(out: dict) -> int:
    return sum(len(to_json(v)) for v in out.values() if not isinstance(v, NoUpdate))


def load_inputs(client=None, trigger="load") -> Inputs:
    return Inputs(trigger=trigger, key="val_loss", goal="minimize", x="time", selection={},
                  client=client)


def cold_load(url: str, running: list[str], client: redis.Redis, points: int
              ) -> tuple[float, int, float, float]:
    """A fresh dashboard (with its background history loader) opened on the sweep and
    refreshed every second while the running runs log, until the whole history is
    read: seconds, refreshes, slowest and median refresh."""
    reader = DashboardReader.from_url(url)
    reader.start_history_loader()
    updater = SweepUpdater()
    view = reader.view(SWEEP_ID)
    started, times, state, step = time.perf_counter(), [], None, points
    while True:
        t = time.perf_counter()
        out = updater.update(view, load_inputs(state, "tick" if state else "load"))
        payload_bytes(out)
        times.append(time.perf_counter() - t)
        state = out["view"] if not isinstance(out["view"], NoUpdate) else state
        if not view.loading:
            break
        add_points(client, running, step)
        step += 1
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - t)))
    total = time.perf_counter() - started
    reader.close()
    return total, len(times), max(times), statistics.median(times)


def naive_refresh(url: str, *, lua: bool = False) -> tuple[float, int]:
    """Re-read every stream (pipelined XRANGE decoded entry by entry, or the packed
    Lua read) and rebuild every figure: a refresh without the incremental reader."""
    reader = DashboardReader.from_url(url)
    reader.store.use_lua = lua
    t = time.perf_counter()
    view = reader.view(SWEEP_ID)
    view.poll(budget_s=math.inf)
    out = SweepUpdater().update(view, load_inputs())
    size = payload_bytes(out)
    elapsed = time.perf_counter() - t
    reader.close()
    return elapsed, size


def timed_update(updater, view, inputs, *, serialize=True) -> tuple[float, int, dict]:
    view.last_poll = 0.0
    t = time.perf_counter()
    out = updater.update(view, inputs)
    size = payload_bytes(out) if serialize else 0
    return time.perf_counter() - t, size, out


# ---------------------------------------------------------------- issue 16's pages

LONG_SWEEP = "bench0002"
OTHER_SWEEP = "bench0003"


def fill_long_run(client: redis.Redis, points: int) -> str:
    """A sweep of one finished run with `points` points of 3 keys; returns its id."""
    config = parse_config({**CONFIG, "name": "bench: one long run"})
    xadd = client.register_script(_XADD_MANY)
    now_ms = int(time.time() * 1000)
    client.hset(keys.sweep_meta(LONG_SWEEP), mapping={**sweep_meta_fields(LONG_SWEEP, config, now_ms),
                                                      "n_total": 1, "n_finished": 1})
    client.zadd(keys.sweeps_index(), {LONG_SWEEP: now_ms})
    rid = "long00001"
    rng = np.random.default_rng(1)
    steps = np.arange(points)
    val, train, acc = _curve(rng, {"lr": 1e-3, "dropout": 0.1, "optimizer": "adam", "layers": 3},
                             steps / (points / 1000))
    values = _point_values(val, train, acc)
    for start in range(0, points, 5000):
        args = [min(5000, points - start)]
        for i in range(start, min(points, start + 5000)):
            args += [int(steps[i]), now_ms - points + i, values[i]]
        xadd(keys=[keys.run_metrics(LONG_SWEEP, rid)], args=args)
    client.hset(keys.run(LONG_SWEEP, rid), mapping={
        "id": rid, "sweep_id": LONG_SWEEP, "number": 1, "state": "finished",
        "config": json.dumps({"lr": 1e-3, "batch_size": 32, "optimizer": "adam", "dropout": 0.1,
                              "layers": 3}),
        "agent_id": "bench-agent", "host": "bench-host", "token": "t", "attempt": 1,
        "created_at": now_ms - points - 10, "started_at": now_ms - points, "ended_at": now_ms,
        "points": points, "best": repr(float(val.min())), "error": "", "note": ""})
    client.zadd(keys.sweep_runs(LONG_SWEEP), {rid: 1})
    return rid


def run_page_open(url: str, sweep_id: str, run_id: str) -> tuple[float, int, int, dict]:
    """A fresh dashboard opening a run's page: the page's outputs, then every chart
    (the two callbacks of a page load), serialized. (seconds, bytes, charts, view)"""
    from sweepd.dash_ui.run_data import RunFollowers
    from sweepd.dash_ui.run_page import RunPageUpdater

    reader = DashboardReader.from_url(url)
    reader.ping()  # the connection is made before the clock starts
    t = time.perf_counter()
    followers = RunFollowers(reader)
    updater = RunPageUpdater(reader)
    sweep = reader.sweep(sweep_id)
    out = updater.update(followers.get(sweep_id, run_id), sweep, None)
    view = out["view"]
    charts = updater.figures(followers.get(sweep_id, run_id), sweep.config.metric.name,
                             view["keys"], {})
    size = payload_bytes(out) + len(to_json(charts))
    elapsed = time.perf_counter() - t
    zoom_t = time.perf_counter()
    lo = view["points"] // 3
    zoomed = updater.figures(followers.get(sweep_id, run_id), sweep.config.metric.name,
                             view["keys"], {view["keys"][0]: {"x": [lo, lo + 40_000]}}, only=0)
    zoom_size = len(to_json(zoomed))
    zoom_s = time.perf_counter() - zoom_t
    reader.close()
    return elapsed, size, len(charts), {"zoom_s": zoom_s, "zoom_bytes": zoom_size,
                                        "zoom_full": zoomed[0]["layout"]["meta"]["full"]}


def naive_run_page(url: str, sweep_id: str, run_id: str) -> tuple[float, int]:
    """Every point read with XRANGE, decoded entry by entry, and sent as it is."""
    client = redis.Redis.from_url(url, decode_responses=True)
    t = time.perf_counter()
    entries = client.xrange(keys.run_metrics(sweep_id, run_id))
    series: dict[str, tuple[list, list]] = {}
    for _, fields in entries:
        step = int(fields["s"])
        for key, value in json.loads(fields["v"]).items():
            xs, ys = series.setdefault(key, ([], []))
            xs.append(step)
            ys.append(value)
    figures = [{"data": [{"type": "scattergl", "x": xs, "y": ys}], "layout": {"title": key}}
               for key, (xs, ys) in series.items()]
    size = len(to_json(figures))
    elapsed = time.perf_counter() - t
    client.close()
    return elapsed, size


def compare_refresh(url: str, sweep_ids: list[str]) -> tuple[float, int]:
    from sweepd.dash_ui.compare_page import CompareUpdater

    reader = DashboardReader.from_url(url)
    reader.ping()
    updater = CompareUpdater(reader)
    times, size = [], 0
    for _ in range(3):
        t = time.perf_counter()
        out = updater.update(sweep_ids, lambda sid: True, "number")
        size = payload_bytes(out)
        times.append(time.perf_counter() - t)
    reader.close()
    return statistics.median(times), size


def fill_other(client: redis.Redis, runs: int) -> None:
    """A second sweep of `runs` finished runs (5 points each: the compare page reads
    run records, not streams)."""
    config = parse_config({**CONFIG, "name": "bench: second sweep", "method": "bayes"})
    now_ms = int(time.time() * 1000)
    rng = np.random.default_rng(2)
    client.hset(keys.sweep_meta(OTHER_SWEEP), mapping={
        **sweep_meta_fields(OTHER_SWEEP, config, now_ms - runs * 1000), "n_total": runs,
        "n_finished": runs})
    client.zadd(keys.sweeps_index(), {OTHER_SWEEP: now_ms})
    pipe = client.pipeline(transaction=False)
    best_value, best_run = math.inf, ""
    for number in range(1, runs + 1):
        rid = f"o{number:05d}"
        value = float(0.2 + rng.random())
        if value < best_value:
            best_value, best_run = value, rid
        pipe.hset(keys.run(OTHER_SWEEP, rid), mapping={
            "id": rid, "sweep_id": OTHER_SWEEP, "number": number, "state": "finished",
            "config": json.dumps({"lr": float(10 ** rng.uniform(-5, -1)), "batch_size": 64,
                                  "optimizer": "sgd", "dropout": float(rng.uniform(0, 0.5)),
                                  "layers": int(rng.integers(1, 7))}),
            "agent_id": "a", "token": "t", "attempt": 1, "created_at": now_ms - runs * 1000 + number,
            "started_at": now_ms - runs * 1000 + number, "ended_at": now_ms - runs * 1000 + number * 900,
            "points": 5, "best": repr(value), "error": "", "note": ""})
        pipe.zadd(keys.sweep_runs(OTHER_SWEEP), {rid: number})
    pipe.hset(keys.sweep_meta(OTHER_SWEEP), mapping={"best_value": repr(best_value),
                                                     "best_run": best_run})
    pipe.execute()


def pages(url: str, client: redis.Redis, args) -> bool:
    """Issue 16's pages (see the module doc); True when within their targets."""
    t = time.perf_counter()
    rid = fill_long_run(client, args.long_points)
    fill_other(client, args.runs)
    print(f"filled a run of {args.long_points:,} points and a second sweep of {args.runs} runs "
          f"in {time.perf_counter() - t:.1f} s")
    opens = [run_page_open(url, LONG_SWEEP, rid) for _ in range(3)]
    open_s = statistics.median(o[0] for o in opens)
    zoom = opens[-1][3]
    print(f"run page, {args.long_points:,} points, cold : {open_s * 1000:6.0f} ms "
          f"(slowest {max(o[0] for o in opens) * 1000:.0f}), {opens[-1][2]} charts, "
          f"payload {opens[-1][1] / 1e3:.0f} kB")
    print(f"  zoom to 40,000 steps       : {zoom['zoom_s'] * 1000:6.0f} ms, payload "
          f"{zoom['zoom_bytes'] / 1e3:.0f} kB, full resolution: {zoom['zoom_full']}")
    naive_s, naive_size = naive_run_page(url, LONG_SWEEP, rid)
    print(f"  naive (XRANGE, all points) : {naive_s * 1000:6.0f} ms, payload {naive_size / 1e6:.1f} MB")
    small = [run_page_open(url, SWEEP_ID, f"r{args.runs // 2:05d}") for _ in range(3)]
    small_s = statistics.median(o[0] for o in small)
    print(f"run page in the {args.runs}-run sweep : {small_s * 1000:6.0f} ms (attempts read every run)")
    compare_s, compare_size = compare_refresh(url, [SWEEP_ID, OTHER_SWEEP])
    print(f"compare page, 2 x {args.runs} runs   : {compare_s * 1000:6.0f} ms, payload "
          f"{compare_size / 1e3:.0f} kB")
    ok = open_s <= 1.0 and small_s <= 1.0 and compare_s <= 1.0
    print("targets (run page of 100,000 points <= 1 s, compare <= 1 s):", "met" if ok else "NOT met")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--running", type=int, default=10)
    parser.add_argument("--ticks", type=int, default=7)
    parser.add_argument("--long-points", type=int, default=100_000,
                        help="points of the run whose page is opened (default 100,000)")
    parser.add_argument("--skip-pages", action="store_true", help="only the sweep page")
    parser.add_argument("--only-pages", action="store_true", help="only issue 16's pages")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="sweepd-bench-dash-", dir="/tmp"))
    server = start_local_redis(tmp, persist=False)
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        t = time.perf_counter()
        running = fill(client, args.runs, args.points, args.running)
        print(f"filled {args.runs} runs x {args.points} points "
              f"({args.runs * args.points:,} stream entries) in {time.perf_counter() - t:.1f} s")
        ok = True
        if not args.only_pages:
            ok = sweep_page(server.url, client, running, args)
        if not args.skip_pages:
            ok = pages(server.url, client, args) and ok
        client.close()
        return 0
    finally:
        server.stop()


def sweep_page(url: str, client: redis.Redis, running: list[str], args) -> bool:
    """The sweep page (see the module doc); True when within its targets."""
    cold, n_polls, slowest, median = cold_load(url, running, client, args.points)
    print(f"cold start (1 s ticks)      : history read in {cold:.1f} s, {n_polls} refreshes, "
          f"slowest {slowest * 1000:.0f} ms, median {median * 1000:.0f} ms")

    reader = DashboardReader.from_url(url)
    view = reader.view(SWEEP_ID)
    view.poll(budget_s=math.inf)
    updater = SweepUpdater()
    timed_update(updater, view, load_inputs())  # importance fit and curve thinning cached
    full = [timed_update(updater, view, load_inputs()) for _ in range(3)]
    full_s = statistics.median(f[0] for f in full)
    client_state = full[-1][2]["view"]
    print(f"full refresh (page load)    : {full_s * 1000:6.0f} ms, payload {full[-1][1] / 1e6:.2f} MB")
    sizes = sorted(((len(to_json(v)), k) for k, v in full[-1][2].items()
                    if not isinstance(v, NoUpdate)), reverse=True)
    print("  by output: " + ", ".join(f"{k} {n / 1e3:,.0f} kB" for n, k in sizes[:6]))

    idle = [timed_update(updater, view, load_inputs(client_state, "tick")) for _ in range(3)]
    print(f"idle tick                   : {statistics.median(i[0] for i in idle) * 1000:6.1f} ms, "
          f"payload {idle[-1][1] / 1e3:.1f} kB")

    ticks = []
    for i in range(args.ticks):
        add_points(client, running, 10 * args.points + i)
        elapsed, size, out = timed_update(updater, view, load_inputs(client_state, "tick"))
        client_state = out["view"]
        ticks.append((elapsed, size))
    tick_s = statistics.median(t[0] for t in ticks)
    print(f"live tick ({len(running)} runs +1 point) : {tick_s * 1000:6.1f} ms, "
          f"payload {statistics.median(t[1] for t in ticks) / 1e3:.1f} kB")

    packed_s, _ = naive_refresh(url, lua=True)
    print(f"re-read all, Lua-packed     : {packed_s * 1000:6.0f} ms per tick")
    naive_s, naive_size = naive_refresh(url)
    print(f"naive tick (re-read all)    : {naive_s * 1000:6.0f} ms, payload {naive_size / 1e6:.2f} MB")
    print(f"ratio naive / live tick     : {naive_s / tick_s:,.0f}x time, "
          f"{naive_size / max(1, statistics.median(t[1] for t in ticks)):,.0f}x bytes")
    traces = full[-1][2]["curves"]["data"]
    sent = sum(len(decode_typed_array(t["y"])) for t in traces)
    print(f"curve points sent per full refresh: {sent:,} in {len(traces)} traces "
          f"(of {view.points_loaded:,} stored)")
    reader.close()
    ok = full_s <= 1.0 and tick_s <= 0.1
    print("targets (full <= 1 s, tick <= 100 ms):", "met" if ok else "NOT met")
    return ok


if __name__ == "__main__":
    sys.exit(main())
