// Conditional parameters (`when`) and `constraints` travel through the TypeScript client:
// a grid with both runs exactly its valid combinations, each holding only its active
// parameters; bad conditions and constraints are refused naming their field paths.

import assert from "node:assert/strict";
import { test } from "node:test";

import { agent, InvalidArgumentError, silentLogger } from "@sweepd/client";

import { useStack } from "./stack";

const env = useStack();

test("a conditional, constrained grid runs only its valid combinations", { timeout: 30_000 }, async () => {
  const sweep = await env.client.createSweep({
    method: "grid",
    parameters: {
      optimizer: { values: ["sgd", "adam"] },
      momentum: { values: [0.8, 0.9], when: { optimizer: "sgd" } },
      beta2: { values: [0.99, 0.999], when: { optimizer: ["adam"] } },
      lr: { values: [0.1, 0.01] },
    },
    constraints: ['lr < 0.05 or optimizer == "adam"'],
  });
  assert.deepEqual(sweep.config.parameters.momentum.when, { optimizer: ["sgd"] });
  assert.deepEqual(sweep.config.parameters.beta2.when, { optimizer: ["adam"] });
  assert.deepEqual(sweep.config.constraints, ['lr < 0.05 or optimizer == "adam"']);

  const seen: Record<string, unknown>[] = [];
  const ran = await agent(sweep.id, (run) => {
    seen.push({ ...run.config });
  }, { client: env.client, logger: silentLogger });
  // sgd: 2 momenta x 1 lr allowed by the constraint; adam: 2 beta2 x 2 lr
  assert.equal(ran, 6);
  for (const config of seen) {
    if (config.optimizer === "sgd") {
      assert.deepEqual(Object.keys(config).sort(), ["lr", "momentum", "optimizer"]);
      assert.equal(config.lr, 0.01);
    } else {
      assert.deepEqual(Object.keys(config).sort(), ["beta2", "lr", "optimizer"]);
    }
  }
  assert.equal(new Set(seen.map((c) => JSON.stringify(c))).size, 6, "no combination twice");
});

test("bad conditions and constraints are refused with their field paths", async () => {
  const err = await env.client.createSweep({
    method: "random",
    parameters: {
      a: { values: [1, 2], when: { b: 1 } },
      b: { values: [1, 2], when: { a: 1 } },
      c: { min: 0.0, max: 1.0, when: { nope: 1 } },
    },
    constraints: ["a +", "zz < 1"],
  }).then(() => assert.fail("created"), (e: unknown) => e);
  assert.ok(err instanceof InvalidArgumentError, String(err));
  const fields = new Set(err.fields);
  assert.ok(fields.has("parameters.a.when") || fields.has("parameters.b.when"), [...fields].join());
  for (const f of ["parameters.c.when.nope", "constraints[0]", "constraints[1]"]) assert.ok(fields.has(f), f);
  assert.equal(fields.size, 4);
  const cycle = await env.client.validateSweep({
    method: "random",
    parameters: { a: { values: [1, 2], when: { b: 1 } }, b: { values: [1, 2], when: { a: 1 } } },
  });
  assert.equal(cycle.violations.length, 1);
  assert.match(cycle.violations[0].field, /^parameters\.(a|b)\.when$/);
  assert.match(cycle.violations[0].description, /cycle/);
});
