// Multi-objective sweeps from TypeScript: a config with sweepd's `metrics`, each run's
// objectives, Pareto rank and optimality, the sweep's front size and hypervolume, and
// Client.paretoFront returning the front.

import assert from "node:assert/strict";
import { test } from "node:test";

import { agent, InvalidArgumentError, silentLogger } from "@sweepd/client";

import { useStack } from "./stack";

const env = useStack();

// k -> [accuracy, latency]: k1, k2 and k4 are the front; k3 and k5 are dominated.
const VALUES: Record<number, [number, number]> = {
  1: [0.5, 10], 2: [0.7, 20], 3: [0.6, 30], 4: [0.9, 40], 5: [0.8, 60],
};

const CONFIG = {
  method: "grid" as const,
  metrics: [
    { name: "acc", goal: "maximize" as const },
    { name: "latency", goal: "minimize" as const, threshold: 50 },
  ],
  parameters: { k: { values: [1, 2, 3, 4, 5] } },
};

test("runs carry ranks, the sweep its front, paretoFront the front's runs", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep(CONFIG);
  assert.deepEqual(sweep.config.metrics, CONFIG.metrics);
  await agent(sweep.id, async (run) => {
    const [acc, latency] = VALUES[Number(run.config.k)];
    run.log({ acc, latency });
  }, { client: env.client, logger: silentLogger });

  const runs = await env.client.listRuns(sweep.id);
  const rankOf = Object.fromEntries(runs.map((r) => [Number(r.config.k), r.paretoRank]));
  assert.deepEqual(rankOf, { 1: 0, 2: 0, 3: 1, 4: 0, 5: 1 });
  assert.deepEqual(runs.find((r) => r.config.k === 4)?.objectives, { acc: 0.9, latency: 40 });

  const front = await env.client.paretoFront(sweep.id);
  assert.deepEqual(front.map((r) => r.config.k), [1, 2, 4]);
  assert.ok(front.every((r) => r.paretoOptimal));

  const read = await env.client.getSweep(sweep.id);
  assert.equal(read.paretoFrontSize, 3);
  // reference (0.5, 50): k4 adds 0.2 * 10, k2 0.2 * 30
  assert.ok(Math.abs((read.hypervolume ?? 0) - 8) < 1e-9, String(read.hypervolume));
  assert.deepEqual(read.hypervolumeReference, [0.5, 50]);
});

test("a single-objective sweep has no ranks and an empty front", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({
    method: "grid", metric: { name: "loss" }, parameters: { x: { values: [1] } },
  });
  await agent(sweep.id, async (run) => { run.log({ loss: 1 }); }, { client: env.client, logger: silentLogger });
  const [run] = await env.client.listRuns(sweep.id);
  assert.equal(run.paretoRank, undefined);
  assert.equal(run.paretoOptimal, false);
  assert.deepEqual(await env.client.paretoFront(sweep.id), []);
  const read = await env.client.getSweep(sweep.id);
  assert.equal(read.paretoFrontSize, 0);
  assert.equal(read.hypervolume, undefined);
});

test("metric and metrics together are refused naming metrics", { timeout: 30_000 }, async () => {
  const result = await env.client.validateSweep({ ...CONFIG, metric: { name: "acc" } });
  assert.deepEqual(result.violations.map((v) => v.field), ["metrics"]);
  await assert.rejects(env.client.createSweep({ ...CONFIG, metrics: [{ name: "a", size: 1 }] } as never),
    (err: InvalidArgumentError) => err.violations[0].field === "metrics[0].size");
});
