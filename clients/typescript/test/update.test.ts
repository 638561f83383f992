// updateSweep and listConfigVersions from TypeScript: a raised cap resumes a finished
// sweep and its new runs record version 2; refused changes come back as one
// RefusedChangeError listing every path; a parameter added with a default.

import assert from "node:assert/strict";
import { test } from "node:test";

import { agent, InvalidArgumentError, RefusedChangeError, silentLogger, type SweepConfig } from "@sweepd/client";

import { useStack } from "./stack";

const env = useStack();

const CONFIG: SweepConfig = {
  method: "grid",
  metric: { name: "loss" },
  parameters: { a: { values: [1, 2] } },
  run_cap: 2,
};

test("a raised run_cap resumes a finished sweep; new runs record version 2", { timeout: 60_000 }, async () => {
  const sweep = await env.client.createSweep({ ...CONFIG, parameters: { a: { values: [1, 2, 3, 4] } } });
  const work = async (run: { config: Record<string, unknown>; log: (v: Record<string, number>) => void }) => {
    run.log({ loss: Number(run.config.a) });
  };
  assert.equal(await agent(sweep.id, work, { client: env.client, logger: silentLogger }), 2);
  assert.equal((await env.client.getSweep(sweep.id)).state, "finished");

  const result = await env.client.updateSweep(sweep.id, { runCap: 3 });

  assert.equal(result.changed, true);
  assert.equal(result.version.version, 2);
  assert.deepEqual(result.version.changedPaths, ["run_cap"]);
  assert.equal(result.sweep.state, "running");
  assert.equal(result.sweep.configVersion, 2);
  assert.equal(await agent(sweep.id, work, { client: env.client, logger: silentLogger }), 1);
  assert.deepEqual((await env.client.listRuns(sweep.id)).map((r) => r.configVersion), [1, 1, 2]);
  const versions = await env.client.listConfigVersions(sweep.id);
  assert.deepEqual(versions.map((v) => [v.version, v.config.run_cap, v.changedPaths]),
    [[1, 2, []], [2, 3, ["run_cap"]]]);
});

test("changes that cannot be honoured are refused, every path at once", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep(CONFIG);
  await assert.rejects(
    env.client.updateSweep(sweep.id, {
      config: { ...CONFIG, method: "random", parameters: { a: { values: [1] }, b: { values: [5, 6] } } },
    }),
    (err: unknown) => {
      assert.ok(err instanceof RefusedChangeError, String(err));
      assert.equal(err.codeName, "FAILED_PRECONDITION");
      assert.deepEqual([...err.fields].sort(), ["method", "parameters.a.values", "parameters.b.default"]);
      return true;
    });
  await assert.rejects(env.client.updateSweep(sweep.id, { config: CONFIG, updateMask: ["methodd"] }),
    (err: unknown) => err instanceof InvalidArgumentError && err.fields[0] === "update_mask.methodd");
  assert.equal((await env.client.getSweep(sweep.id)).configVersion, 1);
});

test("a parameter added with a default reaches the config and new runs", { timeout: 60_000 }, async () => {
  const sweep = await env.client.createSweep(CONFIG);
  const added: SweepConfig = { ...CONFIG, run_cap: 4, parameters: { ...CONFIG.parameters, b: { values: ["x", "y"], default: "x" } } };
  const result = await env.client.updateSweep(sweep.id, { config: added });
  assert.deepEqual([...result.version.changedPaths].sort(), ["parameters.b", "run_cap"]);
  assert.equal(result.sweep.config.parameters.b.default, "x");
  let seen = 0;
  await agent(sweep.id, async (run) => {
    assert.ok(run.config.b === "x" || run.config.b === "y");
    seen += 1;
    run.log({ loss: 1 });
  }, { client: env.client, logger: silentLogger });
  assert.equal(seen, 4);
});
