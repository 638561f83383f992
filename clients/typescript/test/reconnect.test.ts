// The controller crashes (SIGKILL) and comes back on the same Redis: the agent
// reconnects, its hello lists the run it holds, so the run is not crashed; metrics
// logged during the outage are resent and stored once; a run request that was
// pending when the stream broke is sent again.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";

import { Agent, silentLogger, type Run } from "@sweepd/client";

import { deferred, eventually, useStack } from "./stack";

// A longer lease than the other suites: the restarted controller crashes expired
// leases as soon as it is up, so a slow start of the Python controller on a busy
// machine must not outlast the lease.
const env = useStack({ leaseSeconds: 10 });

test("a held run survives a controller restart", { timeout: 40_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { values: [1, 2, 3] } } });
  const started = deferred<Run>();
  const down = deferred();
  const back = deferred();
  const ts = new Agent(sweep.id, async (run) => {
    run.log({ loss: 1 });
    if (run.config.a !== 1) return;
    started.resolve(run);
    await down.promise;
    run.log({ loss: 2 }); // sent while the controller is away: retried until it is back
    await back.promise;
    run.log({ loss: 3 });
  }, { client: env.client, logger: silentLogger });
  const agentDone = ts.run();

  const run = await started.promise;
  await eventually(async () => (await env.client.listRuns(sweep.id)).some((r) => r.id === run.id && r.pointCount === 1),
    "the first point to be stored");
  await env.stack.killController();
  down.resolve();
  await delay(200);
  await env.stack.startController();
  await eventually(async () => ts.reconnects > 0 && (await env.client.listRuns(sweep.id))
    .some((r) => r.id === run.id && r.pointCount === 2), "the point logged during the outage to be stored", 15_000);
  back.resolve();

  assert.equal(await agentDone, 3);
  assert.ok(ts.reconnects >= 1);
  const runs = await env.client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => r.config.a).sort(), [1, 2, 3]);
  for (const r of runs) assert.equal(r.state, "finished", JSON.stringify(r));
  const held = runs.find((r) => r.id === run.id)!;
  assert.equal(held.attempt, 1, "not crashed and retried");
  assert.equal(held.pointCount, 3);
  assert.equal(held.summary.loss, 3);
  const points = await env.client.getRunMetrics(sweep.id, run.id);
  assert.deepEqual(points.map((p) => [p.step, p.values.loss]), [[0, 1], [1, 2], [2, 3]]);
  assert.equal((await env.client.getSweep(sweep.id)).runCounts.crashed, 0);
});

test("a run request pending across a restart is sent again", { timeout: 40_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "random", parameters: { x: { values: [1, 2] } } });
  await env.client.pauseSweep(sweep.id);
  let ran = 0;
  const ts = new Agent(sweep.id, () => {
    ran += 1;
  }, { client: env.client, count: 1, logger: silentLogger });
  const agentDone = ts.run();
  await delay(300); // the agent has asked for a run; the paused sweep has none to give
  await env.stack.killController();
  await env.stack.startController();
  await eventually(async () => ts.reconnects > 0, "the agent to reconnect", 15_000);
  await delay(300);
  await env.client.resumeSweep(sweep.id);
  assert.equal(await agentDone, 1);
  assert.equal(ran, 1);
  assert.deepEqual((await env.client.listRuns(sweep.id)).map((r) => r.state), ["finished"]);
});
