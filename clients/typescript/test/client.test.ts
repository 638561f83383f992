// The client API against a real controller: errors come back typed, with the gRPC
// status code, the controller's message and, for a bad config, every violation with
// its field path; metric batches are idempotent by seq.

import assert from "node:assert/strict";
import { test } from "node:test";
import { status } from "@grpc/grpc-js";

import {
  agent,
  Client,
  double,
  FailedPreconditionError,
  InvalidArgumentError,
  InvalidStateError,
  LeaseLostError,
  NotFoundError,
  silentLogger,
  SweepdError,
  UnavailableError,
  type SweepConfig,
} from "@sweepd/client";

import { useStack } from "./stack";

const env = useStack();

const BAD: SweepConfig = {
  method: "grid",
  metric: { name: "loss" },
  parameters: {
    lr: { distribution: "uniform", min: 0.5, max: 0.1 },
    bs: { values: [] },
    ok: { values: [1, 2] },
  },
};

test("an invalid config gives InvalidArgumentError listing every field path", async () => {
  const before = (await env.client.listSweeps()).length;
  const err = await env.client.createSweep(BAD).then(() => assert.fail("created"), (e: unknown) => e);
  assert.ok(err instanceof InvalidArgumentError, String(err));
  assert.ok(err instanceof SweepdError);
  assert.equal(err.code, status.INVALID_ARGUMENT);
  assert.equal(err.codeName, "INVALID_ARGUMENT");
  // the violations came from the standard google.rpc.BadRequest details
  assert.equal(err.reason, "INVALID_ARGUMENT");
  assert.deepEqual(new Set(err.fields), new Set([
    "parameters.lr.max", "parameters.lr", "parameters.bs.distribution",
  ]));
  const max = err.violations.find((v) => v.field === "parameters.lr.max");
  assert.equal(max?.description, "must be greater than min");
  // the message is the controller's, naming each error
  assert.match(err.message, /^invalid sweep config:/);
  assert.equal(err.message, err.details);
  for (const v of err.violations) assert.ok(err.message.includes(`${v.field}: ${v.description}`));
  assert.equal((await env.client.listSweeps()).length, before, "nothing registered");
});

test("validateSweep returns violations and warnings without registering", async () => {
  const bad = await env.client.validateSweep(BAD);
  assert.deepEqual(new Set(bad.violations.map((v) => v.field)), new Set([
    "parameters.lr.max", "parameters.lr", "parameters.bs.distribution",
  ]));
  const ok = await env.client.validateSweep({
    method: "random",
    parameters: { lr: { distribution: "log_uniform", min: 1e-5, max: 0.1 } },
  });
  assert.deepEqual(ok.violations, []);
  assert.equal(ok.warnings.length, 1);
  assert.match(ok.warnings[0], /^parameters\.lr: .*log_uniform_values/);
});

test("ints and floats: integral bounds infer int_uniform, double() and the distribution force floats", async () => {
  const ambiguous = await env.client.validateSweep({ method: "random", parameters: { x: { min: 1, max: 2.5 } } });
  assert.deepEqual(ambiguous.violations, [], "1 and 2.5 are both sent as floats");
  const sweep = await env.client.createSweep({
    method: "random",
    parameters: {
      depth: { min: 1, max: 4 },
      lr: { min: double(1), max: double(2) },
      wd: { distribution: "uniform", min: 0, max: 1 },
      nested: { parameters: { k: { value: "v" } } },
    },
  });
  const p = sweep.config.parameters;
  assert.equal(p.depth.distribution, "int_uniform");
  assert.equal(p.lr.distribution, "uniform");
  assert.equal(p.wd.distribution, "uniform");
  assert.equal(p.nested.distribution, "nested");
  assert.equal(p.nested.parameters?.k.value, "v");
  const fetched = await env.client.getSweep(sweep.id);
  assert.deepEqual(fetched.config, sweep.config);
  assert.ok((await env.client.listSweeps()).some((s) => s.id === sweep.id));
});

test("a config that cannot be encoded fails before it is sent, naming the field", async () => {
  await assert.rejects(
    env.client.createSweep({ method: "grid", parameters: { x: { distribution: "zipf" as never, values: [1] } } }),
    (e: unknown) => e instanceof InvalidArgumentError && e.fields[0] === "parameters.x.distribution");
  await assert.rejects(
    env.client.createSweep({ method: "grid", parameters: { x: { values: [() => 1] } } }),
    (e: unknown) => e instanceof InvalidArgumentError && e.fields[0] === "parameters.x.values[0]");
  await assert.rejects(
    env.client.createSweep({ method: "grid", paramters: {} } as unknown as SweepConfig),
    (e: unknown) => e instanceof InvalidArgumentError && e.fields[0] === "paramters");
});

test("unknown sweeps are NotFoundError; forbidden state changes InvalidStateError", async () => {
  const err = await env.client.getSweep("nosuch00").catch((e: unknown) => e);
  assert.ok(err instanceof NotFoundError);
  assert.equal(err.code, status.NOT_FOUND);
  assert.match(err.message, /nosuch00.*not found/);
  await assert.rejects(env.client.listRuns("nosuch00"), NotFoundError);
  await assert.rejects(agent("nosuch00", () => {}, { client: env.client, logger: silentLogger }), NotFoundError);

  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { value: 1 } } });
  assert.equal((await env.client.cancelSweep(sweep.id)).state, "cancelled");
  const e2 = await env.client.resumeSweep(sweep.id).catch((e: unknown) => e);
  assert.ok(e2 instanceof InvalidStateError, String(e2));
  assert.ok(e2 instanceof FailedPreconditionError);
  assert.ok(!(e2 instanceof LeaseLostError), "a sweep's state is not a lease");
  assert.equal(e2.code, status.FAILED_PRECONDITION);
  assert.equal(e2.reason, "INVALID_STATE");
});

test("calls on a run the caller does not hold are LeaseLostError", async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { value: 1 } } });
  let held = { id: "", token: "" };
  await agent(sweep.id, (run) => {
    held = { id: run.id, token: run.leaseToken };
  }, { client: env.client, logger: silentLogger });
  const [run] = await env.client.listRuns(sweep.id);
  assert.equal(run.id, held.id);
  assert.equal(run.state, "finished");
  // the same outcome again is fine (idempotent); another one is not
  assert.equal((await env.client.finishRun({ sweepId: sweep.id, runId: held.id, leaseToken: held.token,
    state: "finished" })).state, "finished");
  const wrong = await env.client.finishRun({ sweepId: sweep.id, runId: held.id, leaseToken: "not-the-token",
    state: "failed", error: "x" }).catch((e: unknown) => e);
  assert.ok(wrong instanceof LeaseLostError, String(wrong));
  assert.equal(wrong.code, status.FAILED_PRECONDITION);
  assert.equal(wrong.reason, "LEASE_LOST");
  await assert.rejects(env.client.startRun(sweep.id, held.id, "not-the-token"), LeaseLostError);
  await assert.rejects(env.client.reportMetrics({ sweepId: sweep.id, runId: held.id, leaseToken: held.token, seq: 1,
    points: [{ step: 0, values: { loss: 1 } }] }), LeaseLostError);
});

test("an unreachable controller is UnavailableError", async () => {
  const dead = new Client("127.0.0.1:1", { retries: 1, timeoutMs: 2_000 });
  try {
    const err = await dead.getSweep("abc").catch((e: unknown) => e);
    assert.ok(err instanceof UnavailableError, String(err));
    assert.equal(err.code, status.UNAVAILABLE);
    assert.match(err.message, /127\.0\.0\.1:1 is unreachable/);
    await assert.rejects(agent("abc", () => {}, { client: dead, connectTimeoutMs: 300, logger: silentLogger }),
      UnavailableError);
  } finally {
    dead.close();
  }
});

test("a resent metric batch (same seq) is stored once", async () => {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { value: 1 } } });
  const acks: { seq: number; duplicate: boolean }[] = [];
  await agent(sweep.id, async (run) => {
    const batch = (seq: number, loss: number) => ({
      sweepId: sweep.id, runId: run.id, leaseToken: run.leaseToken, seq, points: [{ step: seq, values: { loss } }],
    });
    for (const [seq, loss] of [[1, 5], [1, 5], [2, 4], [2, 4]]) {
      const ack = await env.client.reportMetrics(batch(seq, loss));
      assert.equal(ack.runId, run.id);
      acks.push({ seq: ack.seq, duplicate: ack.duplicate });
    }
  }, { client: env.client, logger: silentLogger });
  assert.deepEqual(acks, [
    { seq: 1, duplicate: false }, { seq: 1, duplicate: true }, { seq: 2, duplicate: false }, { seq: 2, duplicate: true },
  ]);
  const [run] = await env.client.listRuns(sweep.id);
  assert.equal(run.pointCount, 2);
  assert.deepEqual((await env.client.getRunMetrics(sweep.id, run.id)).map((p) => p.values.loss), [5, 4]);
});
