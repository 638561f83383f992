"""Metric report latency when the report crosses a hyperband band, in a sweep of 100 runs
and in one of 50,000 (issue 14, target 2: the ratio at most 1.5).

Each controller (this checkout, and with `--compare-src DIR` a second one importing
sweepd from DIR, for example an export of main) gets its own private Redis and two
sweeps with `hyperband {min_iter: 1, eta: 3}` (bands 1, 3, 9, ...; `--rule asha`:
the same rungs; `--rule median`, `min_iter: 1`: it decides at every value). Each sweep is first
filled with finished runs (`--small`, `--large`), each with 1 to 12 values of the
metric, written straight into Redis by a child process that imports the same sweepd
as the controller and calls its store: assign_run.lua, report_metrics.lua and
finish_run.lua, as the controller runs them (so a controller that keeps a stopping
index has it kept by the fill too).

Then, in rounds interleaving controllers and sizes, a hand-driven agent (one Connect
stream) holds `--running` runs that stay running (they are judged at every decision)
and takes `--runs` more, one at a time (values drawn a little better than the
fill's, so that many go on past band 1): it reports that run's values one per call
(ReportMetricsOnce) and finishes it. Timed: each report's round trip. The 1st and 3rd
values cross bands 1 and 3, so the controller decides early termination before it
replies; the 2nd crosses none. Reports of a run already asked to stop decide nothing
and are not counted. CPU: the controller's and Redis's, per report, over the phase.

    python bench/bench_band_report.py                          # this checkout alone
    python bench/bench_band_report.py --compare-src /tmp/main/clients/python
    python bench/bench_band_report.py --rule median --rounds 3

An export of main for --compare-src: `git archive main | tar -x -C /tmp/main`, then
`ln -s ../../../controller /tmp/main/clients/python/sweepd/controller` (README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import subprocess
import sys
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(__file__))

from bench_stop_latency import StreamAgent  # noqa: E402
from common import (  # noqa: E402
    controller_process, cpu_seconds, machine, percentile, private_redis, table,
)

from sweepd import convert  # noqa: E402
from sweepd.client import Client  # noqa: E402
from sweepd.domain import MetricBatch, MetricPoint, RunState  # noqa: E402

RULES = {  # early_terminate, and the value counts (of 1, 2, 3) at which it decides
    "hyperband": ({"type": "hyperband", "min_iter": 1, "eta": 3}, (1, 3)),
    "asha": ({"type": "asha", "min_iter": 1, "eta": 3}, (1, 3)),
    "median": ({"type": "median", "min_iter": 1}, (1, 2, 3)),
}


def sweep_config(rule: str) -> dict:
    return {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
            "early_terminate": RULES[rule][0], "parameters": {"x": {"min": 0.0, "max": 1.0}}}
FILL_CHUNK = 500


# ---------------------------------------------------------------- the fill (a child process)

async def _fill(url: str, sweep_id: str, n: int, seed: int) -> None:
    """n finished runs with 1..12 values each, through the store of the sweepd imported."""
    from sweepd.controller.storage.store import Store

    store = Store.from_url(url)
    rng = random.Random(seed)
    now = int(time.time() * 1000)
    for start in range(0, n, FILL_CHUNK):
        ids = [f"fill{i:06d}" for i in range(start, min(n, start + FILL_CHUNK))]
        await asyncio.gather(*(store.assign_run(
            sweep_id, rid, claim_key="", config={"x": rng.random()}, agent_id="fill",
            token="t" + rid, now_ms=now, expiry_ms=now + 86_400_000) for rid in ids))
        histories = {rid: [MetricPoint(k, now / 1000, {"loss": rng.gauss(1.0, 0.3)})
                           for k in range(rng.randint(1, 12))] for rid in ids}
        await asyncio.gather(*(store.report_metrics(
            sweep_id, rid, "t" + rid, 1, points, now_ms=now, metric_name="loss", maximize=False,
            target=None) for rid, points in histories.items()))
        await asyncio.gather(*(store.finish_run(sweep_id, rid, "t" + rid, "finished", 0, "", now)
                               for rid in ids))
    await store.close()


def fill(url: str, sweep_id: str, n: int, pythonpath: str | None) -> float:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--fill", url, sweep_id, str(n)], env=env, check=True)
    return time.perf_counter() - t0


# ---------------------------------------------------------------- the measured phase

@dataclass
class Sample:
    crossing: list[float] = field(default_factory=list)  # ms
    plain: list[float] = field(default_factory=list)
    stopped: int = 0
    cpu: float = 0.0  # controller + Redis CPU seconds over the phase
    reports: int = 0


@dataclass
class Target:
    label: str
    size: int
    client: Client
    sweep_id: str
    pids: list[int]
    agent: StreamAgent | None = None
    held: list = field(default_factory=list)
    samples: Sample = field(default_factory=Sample)


def _report(client: Client, sweep_id: str, a, seq: int, value: float):
    batch = MetricBatch(a.run.id, sweep_id, a.lease_token, seq,
                        (MetricPoint(seq, time.time(), {"loss": value}),))
    return client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))


def phase(t: Target, runs: int, rng: random.Random, deciding: tuple[int, ...]) -> None:
    cpu0 = sum(cpu_seconds(p) for p in t.pids)
    for _ in range(runs):
        [a] = t.agent.take(1)
        asked = False
        for seq in (1, 2, 3):
            t0 = time.perf_counter()
            ack = _report(t.client, t.sweep_id, a, seq, rng.gauss(0.8, 0.2))
            ms = (time.perf_counter() - t0) * 1000
            t.samples.reports += 1
            if not asked:
                (t.samples.crossing if seq in deciding else t.samples.plain).append(ms)
            asked = asked or ack.should_stop
        t.samples.stopped += asked
        t.client.finish_run(t.sweep_id, a.run.id, a.lease_token,
                            RunState.STOPPED if asked else RunState.FINISHED)
    t.samples.cpu += sum(cpu_seconds(p) for p in t.pids) - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=10, help="runs measured per phase")
    parser.add_argument("--running", type=int, default=8, help="runs held running meanwhile")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rule", choices=sorted(RULES), default="hyperband")
    parser.add_argument("--compare-src", default=None,
                        help="also measure a controller importing sweepd from this directory")
    parser.add_argument("--fill", nargs=3, metavar=("URL", "SWEEP", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        url, sweep_id, n = args.fill
        asyncio.run(_fill(url, sweep_id, int(n), seed=int(n)))
        return

    versions = [("this checkout", None)]
    if args.compare_src:
        versions.append(("compare-src", args.compare_src))
    rng = random.Random(7)
    deciding = RULES[args.rule][1]
    targets: list[Target] = []
    with ExitStack() as stack:
        for label, path in versions:
            server = stack.enter_context(private_redis())
            ctl = stack.enter_context(controller_process(server.url, pythonpath=path))
            client = Client(ctl)
            for size in (args.small, args.large):
                sweep_id = client.create_sweep(sweep_config(args.rule)).id
                took = fill(server.url, sweep_id, size, path)
                print(f"{label}: {size:,} runs written in {took:.1f} s", flush=True)
                t = Target(label, size, client, sweep_id, [ctl.pid, server.process.pid])
                t.agent = stack.enter_context(closing(StreamAgent(client, sweep_id)))
                t.held = t.agent.take(args.running)
                for a in t.held:  # running, one value each: judged at every decision
                    _report(client, sweep_id, a, 1, rng.gauss(0.5, 0.1))
                targets.append(t)
        for t in targets:  # warm-up: connections, scripts loaded, code paths taken
            phase(t, 2, rng, deciding)
            t.samples = Sample()
        for r in range(args.rounds):
            for t in targets:
                phase(t, args.runs, rng, deciding)
            print(f"  round {r + 1}/{args.rounds} done", flush=True)
        rows = []
        for label, _ in versions:
            mine = [t for t in targets if t.label == label]
            for t in mine:
                s = t.samples
                s.crossing.sort()
                s.plain.sort()
                rows.append((label, f"{t.size:,}", percentile(s.crossing, 50),
                             percentile(s.crossing, 90), sum(s.crossing) / max(1, len(s.crossing)),
                             percentile(s.plain, 50), 1e3 * s.cpu / max(1, s.reports),
                             len(s.crossing), s.stopped))
            small, large = (percentile(t.samples.crossing, 50) for t in mine)
            rows.append((label, "ratio", f"{large / small:.2f}x", "", "", "", "", "", ""))
    print()
    print(f"report latency at band crossings, {datetime.date.today()}, {machine()}, "
          f"{args.rounds} rounds x {args.runs} runs per phase, {args.running} runs held running, "
          f"early_terminate {RULES[args.rule][0]}")
    print(table(("controller", "runs in sweep", "crossing p50 ms", "p90 ms", "mean ms",
                 "no crossing p50 ms", "server CPU ms/report", "crossings", "stopped"), rows))
    print("(ratio: crossing p50 at the large sweep / at the small one; target 2: at most 1.5)")


if __name__ == "__main__":
    main()
