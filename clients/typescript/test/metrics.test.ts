// Metric batching without a controller (a stand-in reporter records the batches the
// run's stream would carry), and value encoding. The stream itself, against a real
// controller: metricstream.test.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { status } from "@grpc/grpc-js";

import {
  Client,
  double,
  fromValue,
  InvalidArgumentError,
  LeaseLostError,
  MetricSender,
  Run,
  silentLogger,
  toValue,
  UnavailableError,
  type MetricAck,
  type MetricBatchInput,
  type MetricReporter,
} from "@sweepd/client";

/** The client a sender gets when a stand-in reporter sends its batches: never used. */
const client = {} as Client;

/** A stand-in for the run's MetricStream: `answer` decides each batch's outcome. */
function fakeReporter(answer: (batch: MetricBatchInput, call: number) => MetricAck | Error) {
  const calls: MetricBatchInput[] = [];
  const state = { closed: 0 };
  const reporter: MetricReporter = {
    async report(batch: MetricBatchInput): Promise<MetricAck> {
      calls.push(batch);
      const outcome = answer(batch, calls.length);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    close() {
      state.closed += 1;
    },
  };
  return { reporter, calls, state };
}

const ack = (b: MetricBatchInput, extra: Partial<MetricAck> = {}): MetricAck =>
  ({ runId: b.runId, seq: b.seq, duplicate: false, shouldStop: false, ...extra });

function runWith(sender: MetricSender): Run {
  return new Run({
    info: {
      id: "run1", sweepId: "sw1", state: "running", config: { lr: 0.1 }, number: 1, agentId: "a", attempt: 1,
      error: "", summary: {}, pointCount: 0, note: "", prior: false, ignored: false, configVersion: 1,
    },
    leaseToken: "tok",
    sender,
    logger: silentLogger,
  });
}

test("points go in batches numbered from 1, at most maxBatch each, flushed at once", async () => {
  const { reporter, calls, state } = fakeReporter((b) => ack(b));
  const sender = new MetricSender(client, "sw1", "run1", "tok",
    { maxBatch: 500, lingerMs: 10_000, logger: silentLogger, reporter });
  const run = runWith(sender);
  for (let i = 0; i < 1200; i++) run.log({ loss: i, half: double(i / 2) });
  await run.flush(); // does not wait for the linger
  assert.deepEqual(calls.map((c) => [c.seq, c.points.length]), [[1, 500], [2, 500], [3, 200]]);
  assert.deepEqual(calls.flatMap((c) => c.points.map((p) => p.step)), [...Array(1200).keys()]);
  assert.ok(calls.every((c) => c.sweepId === "sw1" && c.runId === "run1" && c.leaseToken === "tok"));
  assert.deepEqual(run.summary, { loss: 1199, half: double(599.5) });
  assert.equal(state.closed, 0, "the run's stream stays open between batches");
  run.log({ loss: 0 });
  await sender.close(); // sends what is left, then ends the run's stream (as the agent does at a run's end)
  assert.deepEqual(calls.map((c) => c.seq), [1, 2, 3, 4]);
  assert.equal(state.closed, 1);
});

test("a batch whose reply was lost is resent with the same seq", async () => {
  const unavailable = new UnavailableError("controller at x is unreachable", status.UNAVAILABLE, "gone");
  const { reporter, calls } = fakeReporter((b, n) => (n <= 2 ? unavailable : ack(b, { duplicate: n === 3 })));
  const sender = new MetricSender(client, "sw1", "run1", "tok", { lingerMs: 0, logger: silentLogger, reporter });
  sender.put({ step: 0, values: { loss: 1 } });
  await sender.flush();
  sender.put({ step: 1, values: { loss: 2 } });
  await sender.flush();
  assert.deepEqual(calls.map((c) => c.seq), [1, 1, 1, 2]);
  assert.equal(sender.sentPoints, 2);
});

test("a refused batch stored nothing: the next batch takes its seq", async () => {
  const refused = new InvalidArgumentError("points[0].values: 10001 keys in one point", [], status.INVALID_ARGUMENT);
  const { reporter, calls } = fakeReporter((b, n) => (n === 2 ? refused : ack(b)));
  const sender = new MetricSender(client, "sw1", "run1", "tok", { lingerMs: 0, logger: silentLogger, reporter });
  for (let step = 0; step < 4; step++) {
    sender.put({ step, values: { loss: step } });
    await sender.flush();
  }
  assert.deepEqual(calls.map((c) => c.seq), [1, 2, 2, 3]);
  assert.equal(sender.lastSeq, 3);
});

test("a lost lease stops sending and stops the run; should_stop stops the run", async () => {
  const lost = new LeaseLostError("run is not held", status.FAILED_PRECONDITION);
  let stops = 0;
  let leaseLost: Error | undefined;
  const { reporter, calls } = fakeReporter(() => lost);
  const sender = new MetricSender(client, "sw1", "run1", "tok", {
    lingerMs: 0, logger: silentLogger, reporter, onLeaseLost: (e) => (leaseLost = e), onShouldStop: () => stops++,
  });
  sender.put({ step: 0, values: { loss: 1 } });
  await sender.flush();
  sender.put({ step: 1, values: { loss: 2 } });
  await sender.flush();
  assert.equal(calls.length, 1, "nothing sent after the lease was lost");
  assert.equal(leaseLost, lost);
  assert.equal(sender.leaseLost, true);

  const second = fakeReporter((b) => ack(b, { shouldStop: true }));
  const s2 = new MetricSender(client, "sw1", "run1", "tok", {
    lingerMs: 0, logger: silentLogger, reporter: second.reporter, onShouldStop: () => stops++,
  });
  s2.put({ step: 0, values: { loss: 1 } });
  await s2.flush();
  assert.equal(stops, 1);
});

test("run.log: steps, non-finite values, bad values", async () => {
  const { reporter, calls } = fakeReporter((b) => ack(b));
  const run = runWith(new MetricSender(client, "sw1", "run1", "tok", { lingerMs: 0, logger: silentLogger, reporter }));
  run.log({ a: 1 });
  run.log({ a: 2 }, 10);
  run.log({ a: 3 });
  run.log({ a: NaN, b: Infinity }); // skipped entirely: nothing finite
  run.log({ a: 4, b: -Infinity }, 5);
  run.log({ a: 5, h: [1, NaN], m: { d: [{ v: -Infinity }] } }, 6); // nested: that key is skipped
  assert.throws(() => run.log({ f: () => 1 }), (e: unknown) => e instanceof InvalidArgumentError && e.fields[0] === "f");
  assert.throws(() => run.log({ "": 1 }), InvalidArgumentError);
  assert.throws(() => run.log({ ["k".repeat(257)]: 1 }), InvalidArgumentError);
  assert.throws(() => run.log({ a: 1 }, -1), TypeError);
  await run.flush();
  const points = calls.flatMap((c) => c.points);
  assert.deepEqual(points.map((p) => [p.step, p.values]), [[0, { a: 1 }], [10, { a: 2 }], [11, { a: 3 }], [5, { a: 4 }], [6, { a: 5 }]]);
  assert.deepEqual(run.config, { lr: 0.1 });
  assert.ok(Object.isFrozen(run.config));
});

test("values keep ints, floats, strings, nesting and 64-bit integers", () => {
  assert.deepEqual(toValue(3), { int_value: 3 });
  assert.deepEqual(toValue(0.5), { double_value: 0.5 });
  assert.deepEqual(toValue(double(3)), { double_value: 3 });
  assert.deepEqual(toValue(2n ** 62n), { int_value: "4611686018427387904" });
  assert.throws(() => toValue(2n ** 64n, "x"), InvalidArgumentError);
  assert.deepEqual(toValue(null), { null_value: true });
  const nested = { a: [1, "two", { b: true }], c: null };
  const pb = toValue(nested);
  assert.equal(pb.map_value?.fields?.a.list_value?.items?.[1].string_value, "two");
  // what comes back off the wire has `kind` set (proto-loader's oneofs option)
  const wire = {
    kind: "map_value" as const,
    map_value: {
      fields: {
        a: { kind: "list_value" as const, list_value: { items: [
          { kind: "int_value" as const, int_value: "1" },
          { kind: "string_value" as const, string_value: "two" },
          { kind: "map_value" as const, map_value: { fields: { b: { kind: "bool_value" as const, bool_value: true } } } },
        ] } },
        c: { kind: "null_value" as const, null_value: true },
        big: { kind: "int_value" as const, int_value: "9007199254740993" },
      },
    },
  };
  assert.deepEqual(fromValue(wire), { a: [1, "two", { b: true }], c: null, big: 9007199254740993n });
});
