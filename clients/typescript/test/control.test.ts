// Sweep control reaching TypeScript runs: CancelSweep aborts a running run (its
// AbortSignal fires, it ends "stopped"), StopSweep lets it finish, pause/resume hold
// back new runs, and aborting the agent's own signal stops its runs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";

import { agent, Run, RunStoppedError, silentLogger } from "@sweepd/client";

import { deferred, useStack } from "./stack";

const env = useStack();

/** Resolves when `signal` aborts; rejects after `ms`. */
function aborted(signal: AbortSignal, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(() => reject(new Error(`not stopped within ${ms} ms`)), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

test("CancelSweep fires the run's AbortSignal and the run ends stopped", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { values: [1, 2, 3] } } });
  const started = deferred<Run>();
  let reasonSeen: unknown;
  const agentDone = agent(sweep.id, async (run) => {
    run.log({ loss: 1 });
    started.resolve(run);
    // The idiomatic way: pass run.signal on; the timer rejects with an AbortError.
    await delay(15_000, undefined, { signal: run.signal }).catch((err: Error) => {
      reasonSeen = run.signal.reason;
      run.log({ loss: 0.5 }); // still logged: the function decides when it is done
      throw err;
    });
  }, { client: env.client, logger: silentLogger });

  const run = await started.promise;
  assert.equal(run.signal.aborted, false);
  assert.equal((await env.client.listRuns(sweep.id))[0].state, "running");
  const cancelled = await env.client.cancelSweep(sweep.id);
  assert.equal(cancelled.state, "cancelled");

  assert.equal(await agentDone, 1, "the agent took no run after the cancel");
  assert.ok(run.signal.aborted);
  assert.ok(reasonSeen instanceof RunStoppedError, String(reasonSeen));
  assert.equal(run.stopReason?.kind, "cancelled");
  const runs = await env.client.listRuns(sweep.id);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].state, "stopped");
  assert.equal(runs[0].error, "", "the AbortError is not the run's error");
  assert.equal(runs[0].stopReason?.kind, "cancelled");
  assert.equal(runs[0].pointCount, 2, "points logged before and after the stop are flushed");
  assert.equal(runs[0].summary.loss, 0.5);
  const after = await env.client.getSweep(sweep.id);
  assert.equal(after.runCounts.stopped, 1);
});

test("StopSweep lets the running run finish, then the sweep is finished", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { values: [1, 2, 3] } } });
  const started = deferred<Run>();
  const go = deferred();
  const agentDone = agent(sweep.id, async (run) => {
    started.resolve(run);
    await go.promise;
    run.log({ loss: 2 });
  }, { client: env.client, logger: silentLogger });
  const run = await started.promise;
  assert.equal((await env.client.stopSweep(sweep.id)).state, "finishing");
  await delay(300);
  assert.equal(run.signal.aborted, false, "StopSweep does not stop running runs");
  go.resolve();
  assert.equal(await agentDone, 1);
  const runs = await env.client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => [r.state, r.pointCount]), [["finished", 1]]);
  assert.equal((await env.client.getSweep(sweep.id)).state, "finished");
});

test("a paused sweep hands out nothing until resumed", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "random", parameters: { x: { values: [1, 2] } } });
  assert.equal((await env.client.pauseSweep(sweep.id)).state, "paused");
  let ran = 0;
  const agentDone = agent(sweep.id, () => {
    ran += 1;
  }, { client: env.client, count: 1, logger: silentLogger });
  await delay(500);
  assert.equal(ran, 0);
  assert.deepEqual(await env.client.listRuns(sweep.id), []);
  assert.equal((await env.client.resumeSweep(sweep.id)).state, "running");
  assert.equal(await agentDone, 1);
  assert.equal(ran, 1);
  assert.equal((await env.client.listRuns(sweep.id))[0].state, "finished");
});

test("aborting the agent's signal stops its run and takes no more", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ method: "random", parameters: { x: { values: [1, 2] } } });
  const stopAgent = new AbortController();
  const started = deferred<Run>();
  const agentDone = agent(sweep.id, async (run) => {
    started.resolve(run);
    await aborted(run.signal);
  }, { client: env.client, signal: stopAgent.signal, logger: silentLogger });
  const run = await started.promise;
  stopAgent.abort();
  assert.equal(await agentDone, 1);
  assert.equal(run.stopReason?.kind, "agent");
  const runs = await env.client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => r.state), ["stopped"]);
  assert.equal((await env.client.getSweep(sweep.id)).state, "running", "the sweep itself goes on");
});
