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
    reader._use_lua = lua
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--running", type=int, default=10)
    parser.add_argument("--ticks", type=int, default=7)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="sweepd-bench-dash-", dir="/tmp"))
    server = start_local_redis(tmp, persist=False)
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        t = time.perf_counter()
        running = fill(client, args.runs, args.points, args.running)
        print(f"filled {args.runs} runs x {args.points} points "
              f"({args.runs * args.points:,} stream entries) in {time.perf_counter() - t:.1f} s")

        cold, n_polls, slowest, median = cold_load(server.url, running, client, args.points)
        print(f"cold start (1 s ticks)      : history read in {cold:.1f} s, {n_polls} refreshes, "
              f"slowest {slowest * 1000:.0f} ms, median {median * 1000:.0f} ms")

        reader = DashboardReader.from_url(server.url)
        view = reader.view(SWEEP_ID)
        view.poll(budget_s=math.inf)
        updater = SweepUpdater()
        timed_update(updater, view, load_inputs())  # importance fit and curve thinning cached
        full = [timed_update(updater, view, load_inputs()) for _ in range(3)]
        full_s = statistics.median(f[0] for f in full)
        client_state = full[-1][2]["view"]
        print(f"full refresh (page load)    : {full_s * 1000:6.0f} ms, payload {full[-1][1] / 1e6:.2f} MB")

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

        packed_s, _ = naive_refresh(server.url, lua=True)
        print(f"re-read all, Lua-packed     : {packed_s * 1000:6.0f} ms per tick")
        naive_s, naive_size = naive_refresh(server.url)
        print(f"naive tick (re-read all)    : {naive_s * 1000:6.0f} ms, payload {naive_size / 1e6:.2f} MB")
        print(f"ratio naive / live tick     : {naive_s / tick_s:,.0f}x time, "
              f"{naive_size / max(1, statistics.median(t[1] for t in ticks)):,.0f}x bytes")
        traces = full[-1][2]["curves"]["data"]
        sent = sum(len(decode_typed_array(t["y"])) for t in traces)
        print(f"curve points sent per full refresh: {sent:,} in {len(traces)} traces "
              f"(of {view.points_loaded:,} stored)")
        reader.close()
        client.close()
        ok = full_s <= 1.0 and tick_s <= 0.1
        print("targets (full <= 1 s, tick <= 100 ms):", "met" if ok else "NOT met")
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
