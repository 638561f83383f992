// The controller crashes (SIGKILL) and comes back on the same Redis: the agent
// reconnects, its hello lists the run it holds, so the run is not crashed; metrics
// logged during the outage are resent and stored once; a run request that was
// pending when the stream broke is sent again.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";

import { Agent, Client, silentLogger, type Run } from "@sweepd/client";

import { deferred, eventually, startStack, type Stack } from "./stack";

let stack: Stack;
let client: Client;

before(async () => {
  // A longer lease than the other suites: the restarted controller crashes expired
  // leases as soon as it is up, so a slow start of the Python controller on a busy
  // machine must not outlast the lease.
  stack = await startStack({ leaseSeconds: 10 });
  client = new Client(stack.address);
});

after(async () => {
  client?.close();
  await stack?.stop();
});

test("a held run survives a controller restart", { timeout: 40_000 }, async () => {
  const sweep = await client.createSweep({ method: "grid", parameters: { a: { values: [1, 2, 3] } } });
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
  }, { client, logger: silentLogger });
  const agentDone = ts.run();

  const run = await started.promise;
  await eventually(async () => (await client.listRuns(sweep.id)).some((r) => r.id === run.id && r.pointCount === 1),
    "the first point to be stored");
  await stack.killController();
  down.resolve();
  await delay(200);
  await stack.startController();
  await eventually(async () => ts.reconnects > 0 && (await client.listRuns(sweep.id))
    .some((r) => r.id === run.id && r.pointCount === 2), "the point logged during the outage to be stored", 15_000);
  back.resolve();

  assert.equal(await agentDone, 3);
  assert.ok(ts.reconnects >= 1);
  const runs = await client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => r.config.a).sort(), [1, 2, 3]);
  for (const r of runs) assert.equal(r.state, "finished", JSON.stringify(r));
  const held = runs.find((r) => r.id === run.id)!;
  assert.equal(held.attempt, 1, "not crashed and retried");
  assert.equal(held.pointCount, 3);
  assert.equal(held.summary.loss, 3);
  const points = await client.getRunMetrics(sweep.id, run.id);
  assert.deepEqual(points.map((p) => [p.step, p.values.loss]), [[0, 1], [1, 2], [2, 3]]);
  assert.equal((await client.getSweep(sweep.id)).runCounts.crashed, 0);
});

test("a run request pending across a restart is sent again", { timeout: 40_000 }, async () => {
  const sweep = await client.createSweep({ method: "random", parameters: { x: { values: [1, 2] } } });
  await client.pauseSweep(sweep.id);
  let ran = 0;
  const ts = new Agent(sweep.id, () => {
    ran += 1;
  }, { client, count: 1, logger: silentLogger });
  const agentDone = ts.run();
  await delay(300); // the agent has asked for a run; the paused sweep has none to give
  await stack.killController();
  await stack.startController();
  await eventually(async () => ts.reconnects > 0, "the agent to reconnect", 15_000);
  await delay(300);
  await client.resumeSweep(sweep.id);
  assert.equal(await agentDone, 1);
  assert.equal(ran, 1);
  assert.deepEqual((await client.listRuns(sweep.id)).map((r) => r.state), ["finished"]);
});
