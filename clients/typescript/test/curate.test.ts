// Warm start and curating from TypeScript: createSweep with prior runs (those that do
// not fit are named in warnings), prior/ignored on RunInfo, setRunIgnored moving the
// sweep's best run, requeueRun running a configuration again as a new run.

import assert from "node:assert/strict";
import { test } from "node:test";

import { agent, FailedPreconditionError, NotFoundError, silentLogger } from "@sweepd/client";

import { useStack } from "./stack";

const env = useStack();

const CONFIG = {
  method: "random" as const,
  metric: { name: "loss", goal: "minimize" as const },
  parameters: { x: { values: [1, 2, 3, 4] } },
};

test("prior runs: kept ones are listed as prior, the others are warnings", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ ...CONFIG, run_cap: 1 }, [
    { config: { x: 2 }, summary: { loss: 0.5 }, origin: "old run a" },
    { config: { x: 9 }, summary: { loss: 0.1 }, origin: "old run b" },
  ]);
  assert.equal(sweep.priorRunCount, 1);
  assert.ok(sweep.warnings.some((w) => w.startsWith("prior run old run b left out: config.x: 9")),
    sweep.warnings.join("\n"));
  await agent(sweep.id, async (run) => { run.log({ loss: Number(run.config.x) }); },
    { client: env.client, logger: silentLogger });
  const runs = await env.client.listRuns(sweep.id);
  assert.deepEqual(runs.map((r) => [r.number, r.prior]), [[1, true], [2, false]]);
  assert.equal(runs[0].note, "prior: old run a");
  assert.deepEqual(runs[0].summary, { loss: 0.5 });
});

test("setRunIgnored recomputes the best run; requeueRun runs a config again", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({ ...CONFIG, run_cap: 2 });
  let n = 0;
  await agent(sweep.id, async (run) => { run.log({ loss: ++n }); }, { client: env.client, logger: silentLogger });
  const [first, second] = await env.client.listRuns(sweep.id);
  assert.equal((await env.client.getSweep(sweep.id)).bestRunId, first.id);

  const ignored = await env.client.setRunIgnored(sweep.id, first.id);
  assert.equal(ignored.ignored, true);
  assert.equal((await env.client.getSweep(sweep.id)).bestRunId, second.id);
  assert.equal((await env.client.setRunIgnored(sweep.id, first.id, false)).ignored, false);
  assert.equal((await env.client.getSweep(sweep.id)).bestRunId, first.id);
  await assert.rejects(env.client.setRunIgnored(sweep.id, "nosuchrun"), NotFoundError);

  // the sweep finished when its run_cap was reached: nothing more may run
  await assert.rejects(env.client.requeueRun(sweep.id, first.id), FailedPreconditionError);
  const open = await env.client.createSweep({ ...CONFIG, run_cap: 2 });
  await agent(open.id, async (run) => { run.log({ loss: 1 }); }, { client: env.client, logger: silentLogger, count: 1 });
  const [only] = await env.client.listRuns(open.id);
  await env.client.pauseSweep(open.id);
  assert.equal(await env.client.requeueRun(open.id, only.id), 1);
  await env.client.resumeSweep(open.id);
  await agent(open.id, async (run) => { run.log({ loss: 2 }); }, { client: env.client, logger: silentLogger });
  const runs = await env.client.listRuns(open.id);
  // the requeued run comes first and does not count against run_cap
  assert.equal(runs.length, 3);
  assert.deepEqual(runs[1].config, only.config);
  assert.equal(runs[1].note, `requeued from run ${only.id}`);
  assert.notEqual(runs[1].id, only.id);
});
