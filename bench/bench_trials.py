"""Complete trials per second: assignment -> 3 metric points -> finish, 4 workers.

sweepd: W worker processes each run the real SDK agent,
    sweepd.agent(sweep_id, function=train, count=N, controller=address)
with `train` logging 3 points, against a controller in its own process (random
sweep, no run_cap).
Baseline, in the same run: Optuna's gRPC storage proxy
(`optuna.storages.run_grpc_proxy_server` over an InMemoryStorage, its own process)
and W worker processes with `GrpcStorageProxy` + RandomSampler, each doing
ask -> the same 3 parameters -> report(step) x 3 -> tell, N times.
Both search the same space; Optuna's INFO log per trial is silenced (sweepd's agent
logs nothing at the default level either). Phases are interleaved in rounds.

    python bench/bench_trials.py                    # 4 workers x 150 trials x 2 rounds, <= ~60 s
    python bench/bench_trials.py --trials 500 --rounds 3 --budget 60
A phase stops early after --budget seconds (the sweep is stopped; Optuna's workers
stop asking), so a slow side still finishes; rates count the trials completed.
    python bench/bench_trials.py --profile /tmp/ctl.prof   # controller under cProfile

Target (issue 2): sweepd >= 3x Optuna's trials/s.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing as mp
import socket
import threading
import time
import uuid
import warnings

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState

from common import (RANDOM_SWEEP, controller_process, cpu_seconds, machine, own_cpu_seconds,
                    private_redis, table)

STEPS = 3
# GrpcStorageProxy warns that it is experimental, once per process
warnings.filterwarnings("ignore", message=".*GrpcStorageProxy is experimental.*")


def train() -> None:
    """The sweepd trial: read the config, log 3 points (the agent finishes the run)."""
    run = sweepd.init()
    c = run.config
    for step in range(STEPS):
        run.log({"loss": c["lr"] * c["layers"] + c["dropout"] / (step + 1)}, step=step)


def optuna_trial(study) -> None:
    trial = study.ask()
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_categorical("layers", [1, 2, 3, 4])
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    value = 0.0
    for step in range(STEPS):
        value = lr * layers + dropout / (step + 1)
        trial.report(value, step)
    study.tell(trial, value)


# ---------------------------------------------------------------- processes

def _sweepd_worker(address: str, sweep_id: str, trials: int, barrier, results) -> None:
    try:
        Client(address).wait_ready()
        barrier.wait()
        started, cpu = time.monotonic(), own_cpu_seconds()
        ran = sweepd.agent(sweep_id, function=train, count=trials, controller=address)
        results.put((started, time.monotonic(), ran, own_cpu_seconds() - cpu, None))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        results.put((0.0, 0.0, 0, 0.0, f"{type(exc).__name__}: {exc}"))
        barrier.abort()


def _optuna_worker(port: int, study_name: str, trials: int, budget: float, barrier, results) -> None:
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = optuna.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
        storage.wait_server_ready(timeout=30)
        study = optuna.load_study(study_name=study_name, storage=storage,
                                  sampler=optuna.samplers.RandomSampler())
        barrier.wait()
        started, cpu = time.monotonic(), own_cpu_seconds()
        done = 0
        while done < trials and time.monotonic() - started < budget:
            optuna_trial(study)
            done += 1
        results.put((started, time.monotonic(), done, own_cpu_seconds() - cpu, None))
    except Exception as exc:  # noqa: BLE001
        results.put((0.0, 0.0, 0, 0.0, f"{type(exc).__name__}: {exc}"))
        barrier.abort()


def _optuna_server(port: int) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.storages.run_grpc_proxy_server(optuna.storages.InMemoryStorage(),
                                          host="127.0.0.1", port=port)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_workers(target, args_of, workers: int, servers: dict[str, int]) -> dict:
    """Runs the workers; returns trials, elapsed seconds and the CPU seconds used by
    the workers ("clients") and by each of `servers` (name -> pid) meanwhile."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_of, barrier, results)) for _ in range(workers)]
    for p in procs:
        p.start()
    before = {name: cpu_seconds(pid) for name, pid in servers.items()}
    rows = [results.get(timeout=600) for _ in procs]
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in servers.items()}
    for p in procs:
        p.join(30)
    errors = [r[4] for r in rows if r[4]]
    if errors:
        raise RuntimeError(errors)
    cpu["clients"] = sum(r[3] for r in rows)
    return {"trials": sum(r[2] for r in rows), "cpu": cpu,
            "elapsed": max(r[1] for r in rows) - min(r[0] for r in rows)}


def optuna_phase(port: int, server_pid: int, workers: int, trials: int, budget: float) -> dict:
    import optuna

    storage = optuna.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
    storage.wait_server_ready(timeout=60)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    optuna.create_study(study_name=name, storage=storage, direction="minimize")
    res = run_workers(_optuna_worker, (port, name, trials, budget), workers, {"server": server_pid})
    study = optuna.load_study(study_name=name, storage=storage)
    complete = [t for t in study.get_trials(deepcopy=False)
                if t.state == optuna.trial.TrialState.COMPLETE and len(t.intermediate_values) == STEPS]
    if len(complete) != res["trials"]:
        raise RuntimeError(f"optuna: {len(complete)} complete trials, expected {res['trials']}")
    storage.close()
    return res


def sweepd_phase(address, redis_pid: int, workers: int, trials: int, budget: float) -> dict:
    """The agents stop at `trials` each, or when the sweep is stopped after `budget` s."""
    sweep_id = sweepd.sweep(RANDOM_SWEEP, controller=address)

    def stop_sweep():
        with Client(address) as client:
            client.change_state(sweep_id, "stop")

    timer = threading.Timer(budget, stop_sweep)
    timer.start()
    try:
        res = run_workers(_sweepd_worker, (str(address), sweep_id, trials), workers,
                          {"server": address.pid, "redis": redis_pid})
    finally:
        timer.cancel()
    with Client(address) as client:
        runs = client.list_runs(sweep_id)
    good = [r for r in runs if r.state is RunState.FINISHED and r.points == STEPS]
    if len(good) != res["trials"] or len(runs) != len(good):
        raise RuntimeError(f"sweepd: {len(good)} finished runs with {STEPS} points of {len(runs)}, "
                           f"expected {res['trials']}")
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--trials", type=int, default=150, help="trials per worker and phase")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--budget", type=float, default=12.0,
                        help="seconds a phase may take: its workers stop early after that")
    parser.add_argument("--profile", default=None, help="write the controller's cProfile stats here")
    args = parser.parse_args()

    totals: dict[str, list[dict]] = {"optuna": [], "sweepd": []}
    port = free_port()
    server = mp.get_context("spawn").Process(target=_optuna_server, args=(port,), daemon=True)
    server.start()
    try:
        with private_redis() as rds, controller_process(rds.url, profile=args.profile) as controller:
            print(f"controller {controller}, Optuna proxy 127.0.0.1:{port}; "
                  f"{args.workers} workers x {args.trials} trials")
            for r in range(args.rounds):
                for name, phase in (
                        ("optuna", lambda: optuna_phase(port, server.pid, args.workers, args.trials,
                                                        args.budget)),
                        ("sweepd", lambda: sweepd_phase(controller, rds.process.pid, args.workers,
                                                        args.trials, args.budget))):
                    res = phase()
                    totals[name].append(res)
                    print(f"  round {r + 1}: {name} {res['trials'] / res['elapsed']:.1f} trials/s "
                          f"({res['trials']} trials)", flush=True)
    finally:
        server.terminate()
        server.join(10)

    def rate(name: str) -> float:
        return sum(x["trials"] for x in totals[name]) / sum(x["elapsed"] for x in totals[name])

    def cpu_ms(name: str, part: str) -> float:
        return 1e3 * sum(x["cpu"].get(part, 0.0) for x in totals[name]) / sum(x["trials"] for x in totals[name])

    base, ours = rate("optuna"), rate("sweepd")
    print()
    print(f"Complete trials (assign -> {STEPS} points -> finish), {datetime.date.today()}, {machine()}, "
          f"{args.workers} workers x {args.trials} trials x {args.rounds} rounds")
    rows = []
    for name, label, rate_ in (("optuna", "Optuna gRPC proxy (InMemoryStorage, RandomSampler)", base),
                               ("sweepd", "sweepd (sweepd.agent, random sweep)", ours)):
        parts = [cpu_ms(name, p) for p in ("server", "redis", "clients")]
        rows.append((label, rate_, f"{rate_ / base:.2f}x", *parts, sum(parts)))
    print(table(("what", "trials/s", "vs Optuna", "server CPU ms/trial", "redis", "clients", "total"),
                rows))
    print("(CPU ms per trial, summed over processes, is steadier than trials/s on a shared machine)")
    print(f"target sweepd >= 3x Optuna: {ours / base:.2f}x -> {'met' if ours >= 3 * base else 'NOT met'}")


if __name__ == "__main__":
    main()
