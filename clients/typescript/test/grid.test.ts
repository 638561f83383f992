// Two TypeScript agents share a 3x2 grid: every combination runs exactly once, with
// its metrics stored; a function that throws fails its run with the error message and
// sends its stack trace (read back as the dashboard reads it, through Python).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import { Agent, agent, channelTarget, Client, silentLogger, type Run } from "@sweepd/client";

import { deferred, PYTHON, useStack } from "./stack";

const env = useStack();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("two TypeScript agents run every grid combination exactly once", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({
    method: "grid",
    name: "ts-grid",
    metric: { name: "loss", goal: "minimize" },
    parameters: {
      a: { values: [1, 2, 3] },
      b: { values: ["x", "y"] },
    },
  });
  assert.match(sweep.id, /^[a-z0-9]+$/);
  assert.equal(sweep.state, "running");
  assert.equal(sweep.config.method, "grid");
  assert.deepEqual(sweep.config.parameters.a.values, [1, 2, 3]);
  assert.equal(sweep.config.metric?.goal, "minimize");

  // Each agent's first run waits until both agents hold a run, so both take part.
  const firstRuns = new Set<string>();
  const bothStarted = deferred();
  const train = (agentName: string) => async (run: Run) => {
    if (!firstRuns.has(agentName)) {
      firstRuns.add(agentName);
      if (firstRuns.size === 2) bothStarted.resolve();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([bothStarted.promise, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
    }
    const a = run.config.a as number;
    for (let step = 0; step < 3; step++) {
      run.log({ loss: a * 10 + step, b: run.config.b, agent: agentName });
      await sleep(20);
    }
  };
  const one = new Agent(sweep.id, train("one"), { controller: env.stack.address, logger: silentLogger });
  const two = new Agent(sweep.id, train("two"), { controller: env.stack.address, logger: silentLogger });
  const [ranOne, ranTwo] = await Promise.all([one.run(), two.run()]);
  assert.equal(firstRuns.size, 2, "both agents ran at least one run");
  assert.equal(ranOne + ranTwo, 6);

  const runs = await env.client.listRuns(sweep.id);
  assert.equal(runs.length, 6);
  const combos = runs.map((r) => `${r.config.a}/${r.config.b}`).sort();
  assert.deepEqual(combos, ["1/x", "1/y", "2/x", "2/y", "3/x", "3/y"]);
  for (const r of runs) {
    assert.equal(r.state, "finished", `run ${r.id} ${JSON.stringify(r)}`);
    assert.equal(r.pointCount, 3);
    assert.equal(r.summary.loss, (r.config.a as number) * 10 + 2);
    assert.equal(r.summary.b, r.config.b);
    assert.ok(r.startTime && r.endTime && r.endTime >= r.startTime);
    assert.equal(r.error, "");
  }
  assert.deepEqual(new Set(runs.map((r) => r.agentId)), new Set([one.agentId, two.agentId]));
  assert.equal(runs.filter((r) => r.agentId === one.agentId).length, ranOne);
  assert.deepEqual(runs.filter((r) => r.summary.agent === "one").map((r) => r.agentId),
    runs.filter((r) => r.agentId === one.agentId).map((r) => r.agentId));

  // The points themselves, in order.
  const points = await env.client.getRunMetrics(sweep.id, runs[0].id);
  assert.deepEqual(points.map((p) => p.step), [0, 1, 2]);
  assert.deepEqual(points.map((p) => p.values.loss), [10, 11, 12].map((v) => v + ((runs[0].config.a as number) - 1) * 10));
  assert.ok(points[0].wallTime instanceof Date);

  const done = await env.client.getSweep(sweep.id);
  assert.equal(done.state, "finished");
  assert.equal(done.runCounts.finished, 6);
  assert.equal(done.bestValue, 10, "the lowest loss logged");
  assert.ok(runs.some((r) => r.id === done.bestRunId && r.config.a === 1));

  // Nothing is left: a third agent gets SweepDone at once.
  assert.equal(await agent(sweep.id, () => assert.fail("no run expected"), { controller: env.stack.address }), 0);
});

test("a function that throws fails its run with the error message", { timeout: 20_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { n: { values: [1, 2] } } });
  const ran = await agent(sweep.id, async (run) => {
    run.log({ seen: run.config.n });
    if (run.config.n === 2) throw new RangeError("n=2 is out of range");
  }, { client: env.client, logger: silentLogger });
  assert.equal(ran, 2);
  const runs = await env.client.listRuns(sweep.id);
  const byN = new Map(runs.map((r) => [r.config.n, r]));
  assert.equal(byN.get(1)?.state, "finished");
  assert.equal(byN.get(2)?.state, "failed");
  assert.equal(byN.get(2)?.error, "RangeError: n=2 is out of range");
  assert.equal(byN.get(2)?.pointCount, 1, "points logged before the error are kept");
  const read = "import sys; from sweepd.dash_ui import DashboardReader\n" +
    "out = DashboardReader.from_url(sys.argv[1]).run_record(sys.argv[2], sys.argv[3]).output\n" +
    "print(out.traceback if out else 'NO OUTPUT')";
  const traceback = execFileSync(PYTHON, ["-c", read, env.stack.redisUrl, sweep.id, byN.get(2)!.id]).toString();
  assert.match(traceback, /^RangeError: n=2 is out of range\n\s+at /, "the error's stack, as JavaScript writes it");
  const none = execFileSync(PYTHON, ["-c", read, env.stack.redisUrl, sweep.id, byN.get(1)!.id]).toString();
  assert.equal(none.trim(), "NO OUTPUT", "a run that finished sends no output");
});

test("count limits the runs an agent takes", { timeout: 20_000 }, async () => {
  const sweep = await env.client.createSweep({
    method: "random",
    parameters: { lr: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 }, depth: { min: 1, max: 4 } },
  });
  const configs: Record<string, unknown>[] = [];
  const ran = await agent(sweep.id, (run) => {
    configs.push({ ...run.config });
    run.log({ loss: 1 });
  }, { client: env.client, count: 3, logger: silentLogger });
  assert.equal(ran, 3);
  for (const c of configs) {
    assert.ok(typeof c.lr === "number" && c.lr >= 1e-4 && c.lr <= 1e-1, `lr ${c.lr}`);
    assert.ok(Number.isInteger(c.depth) && (c.depth as number) >= 1 && (c.depth as number) <= 4, `depth ${c.depth}`);
  }
  const runs = await env.client.listRuns(sweep.id);
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.state === "finished" && r.pointCount === 1));
  assert.equal((await env.client.getSweep(sweep.id)).state, "running", "a random sweep goes on");
});

test("parallel runs overlap within one agent", { timeout: 20_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { n: { values: [1, 2, 3, 4, 5, 6] } } });
  let active = 0;
  let most = 0;
  const ran = await agent(sweep.id, async (run) => {
    active += 1;
    most = Math.max(most, active);
    await sleep(150);
    run.log({ n: run.config.n });
    active -= 1;
  }, { client: env.client, parallel: 3, logger: silentLogger });
  assert.equal(ran, 6);
  assert.equal(most, 3);
  const runs = await env.client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => r.config.n).sort(), [1, 2, 3, 4, 5, 6]);
  assert.ok(runs.every((r) => r.state === "finished" && r.pointCount === 1));
});

test("heartbeats keep a run longer than the lease alive", { timeout: 20_000 }, async () => {
  // the controller's lease is 3 s: without heartbeats this run would be crashed
  const sweep = await env.client.createSweep({ method: "grid", parameters: { n: { value: 1 } } });
  const one = new Agent(sweep.id, async (run) => {
    for (let i = 0; i < 9; i++) {
      run.log({ i });
      await sleep(500);
    }
  }, { client: env.client, logger: silentLogger });
  assert.equal(await one.run(), 1);
  const [run] = await env.client.listRuns(sweep.id);
  assert.equal(run.state, "finished", JSON.stringify(run));
  assert.equal(run.pointCount, 9);
  assert.ok(run.endTime!.getTime() - run.startTime!.getTime() >= 4_000);
  assert.equal((await env.client.getSweep(sweep.id)).runCounts.crashed, 0);
});

test("a client given a list of replicas spreads over them and runs the grid", { timeout: 30_000 }, async () => {
  // the same replica twice stands for two: what is checked is that the list is accepted
  // end to end (3 replicas, one killed, are tested with the Python client)
  const listed = new Client(`${env.stack.address},${env.stack.address}`);
  const sweep = await listed.createSweep({ method: "grid", parameters: { a: { values: [1, 2, 3] } } });
  const seen: number[] = [];
  await agent(sweep.id, (run: Run) => { seen.push(run.config.a as number); run.log({ loss: 1 }); },
    { client: listed, logger: silentLogger });
  assert.deepEqual(seen.sort(), [1, 2, 3]);
  listed.close();
});

test("controller addresses as users write them", () => {
  assert.deepEqual(channelTarget("127.0.0.1:5"), { target: "127.0.0.1:5", options: {} });
  assert.equal(channelTarget("10.0.0.1:5, 10.0.0.2:6").target, "ipv4:10.0.0.1:5,10.0.0.2:6");
  assert.equal(channelTarget("[::1]:5,[::2]:6").target, "ipv6:[::1]:5,[::2]:6");
  assert.ok("grpc.service_config" in channelTarget("dns:///ctl.example:50051").options);
  assert.throws(() => channelTarget("ctl-a:5,ctl-b:6"), /controller: "ctl-a:5" is not IP:PORT/);
  assert.throws(() => channelTarget("10.0.0.1:5,[::1]:6"), /mixes IPv4 and IPv6/);
});
