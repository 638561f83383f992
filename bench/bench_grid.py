"""Grid assignment at the start and at the end of a 100,000-combination grid.

N agents (grpc.aio clients in this process, each holding a Connect stream) take runs
one at a time and finish them at once, against a controller in its own process:

  grid, first runs   a fresh 100,000-point grid (the first thousands of runs)
  grid, last runs    the same grid after the bench fast-forwards it to its last
                     `--left` points: runs for every other point are written straight
                     into Redis with the controller's own assign_run.lua and
                     finish_run.lua, claims, cursor and counters as the controller
                     makes them (finished)
  random             a random sweep with no run_cap, the same agents (the baseline:
                     a search that reads nothing per run)

Phases are interleaved in rounds. Target (issue 14, target 0): the last runs are
handed out as fast as the first. `--compare-src DIR` runs the same phases a second
time against a controller that imports sweepd from DIR (for example an export of
the commit before the cursor: `git worktree add /tmp/old d5f4b2e~1` and
`--compare-src /tmp/old/clients/python` after linking the controller into it, as
bench/README.md describes for A/B runs).

    python bench/bench_grid.py                      # 4 agents, 2 rounds, ~1 min
    python bench/bench_grid.py --agents 8 --seconds 5 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import time

import redis

import sweepd
from sweepd.controller.storage import keys
from sweepd.controller.storage.scripts import script_source

from bench_assignment import Window, _phase, sweepd_agent
from common import RANDOM_SWEEP, controller_process, machine, private_redis, table

SIDE = (100, 1_000)  # a x b = 100,000 combinations
GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"a": {"values": list(range(SIDE[0]))}, "b": {"values": list(range(SIDE[1]))}},
}
SIZE = SIDE[0] * SIDE[1]


def fast_forward(client: redis.Redis, sweep_id: str, upto: int, chunk: int = 5_000) -> int:
    """Claims every grid point from the cursor up to `upto` through assign_run.lua, as
    the controller would hand them out; returns how many runs it wrote."""
    assign = client.register_script(script_source("assign_run"))
    finish = client.register_script(script_source("finish_run"))
    start = int(client.hget(keys.sweep_meta(sweep_id), "grid_cursor") or 0)
    now = int(time.time() * 1000)
    written = 0
    for lo in range(start, upto, chunk):
        with client.pipeline(transaction=False) as pipe:
            for i in range(lo, min(upto, lo + chunk)):
                run_id = f"ff{i:06d}"
                config = json.dumps({"a": i // SIDE[1], "b": i % SIDE[1]})
                assign(keys=keys.assign_run_keys(sweep_id, run_id),
                       args=[run_id, sweep_id, str(i), config, "bench-ff", "t", now,
                             now + 86_400_000, "", "", SIZE, "1", i], client=pipe)
                finish(keys=keys.finish_run_keys(sweep_id, run_id),
                       args=["t", "finished", 0, "", now, run_id, "", 1], client=pipe)
            replies = pipe.execute(raise_on_error=False)
        written += sum(1 for r in replies[::2] if isinstance(r, list) and r[0] in (b"ok", "ok"))
    return written


async def rounds(args, address, redis_url: str, pids: list[int]) -> dict[str, list[Window]]:
    client = redis.Redis.from_url(redis_url)
    out: dict[str, list[Window]] = {}
    for r in range(args.rounds):
        grid_id = sweepd.sweep(GRID, controller=address)
        agents = [sweepd_agent(address, grid_id) for _ in range(args.agents)]
        out.setdefault("grid, first runs", []).append(
            await _phase(agents, args.seconds, args.warmup, pids))
        wrote = await asyncio.to_thread(fast_forward, client, grid_id, SIZE - args.left)
        agents = [sweepd_agent(address, grid_id) for _ in range(args.agents)]
        out.setdefault("grid, last runs", []).append(
            await _phase(agents, args.seconds, args.warmup, pids))
        handed = client.zcard(keys.sweep_runs(grid_id))
        random_id = sweepd.sweep(RANDOM_SWEEP, controller=address)
        agents = [sweepd_agent(address, random_id) for _ in range(args.agents)]
        out.setdefault("random", []).append(await _phase(agents, args.seconds, args.warmup, pids))
        print(f"  round {r + 1}/{args.rounds}: fast-forwarded {wrote:,} points; "
              f"the grid holds {handed:,} runs of {SIZE:,}", flush=True)
        if handed >= SIZE:
            print("  WARNING: the grid ran out during the last phase: raise --left")
    client.close()
    return out


def rate(windows: list[Window]) -> tuple[float, float, int]:
    """runs/s, server CPU ms per run, errors."""
    runs = sum(w.cycles for w in windows)
    return (runs / sum(w.elapsed for w in windows),
            1e3 * sum(w.server_cpu for w in windows) / max(1, runs),
            sum(w.errors for w in windows))


def measure(args, pythonpath: str | None, label: str) -> list[tuple]:
    with private_redis() as server, controller_process(server.url, pythonpath=pythonpath) as ctl:
        print(f"{label}: controller {ctl}, Redis {server.url}", flush=True)
        out = asyncio.run(rounds(args, ctl, server.url, [ctl.pid, server.process.pid]))
    rows = [(label, phase, *rate(windows)) for phase, windows in out.items()]
    first, last = rate(out["grid, first runs"])[0], rate(out["grid, last runs"])[0]
    rows.append((label, "last / first", f"{last / first:.2f}x", "", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--left", type=int, default=8_000,
                        help="points left in the grid when its last runs are measured")
    parser.add_argument("--compare-src", default=None,
                        help="also measure a controller importing sweepd from this directory")
    args = parser.parse_args()

    rows = measure(args, None, "this checkout")
    if args.compare_src:
        rows += measure(args, args.compare_src, "compare-src")
    print()
    print(f"grid assignment, {datetime.date.today()}, {machine()}, {args.agents} agents, "
          f"{args.rounds} rounds x {args.seconds:g} s per phase, grid of {SIZE:,}, "
          f"last runs measured with {args.left:,} left")
    print(table(("controller", "phase", "runs/s", "server CPU ms/run", "errors"), rows))
    print("(a run here is RunRequest -> assignment -> FinishRun; server CPU is the controller's"
          " plus Redis's)")


if __name__ == "__main__":
    main()
