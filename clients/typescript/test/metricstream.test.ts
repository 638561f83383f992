// A run's metric transport (MetricStream): its batches on one ReportMetrics stream,
// acknowledged in order; a resent batch is a duplicate; an error ends the stream and
// the next batch opens another (real controller). An ack that never comes cancels the
// stream and is UnavailableError, not a hang; close() half-closes the stream (a small
// grpc-js MetricService on loopback that acknowledges, or reads and never answers).

import assert from "node:assert/strict";
import { test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

import {
  agent,
  Client,
  LeaseLostError,
  MetricSender,
  MetricStream,
  protoDir,
  silentLogger,
  UnavailableError,
  type MetricBatchInput,
  type Run,
} from "@sweepd/client";

import { deferred, useStack } from "./stack";

const env = useStack();

const batch = (sweepId: string, runId: string, leaseToken: string, seq: number): MetricBatchInput =>
  ({ sweepId, runId, leaseToken, seq, points: [{ step: seq, values: { loss: seq } }] });

/** Runs `body` while an agent holds the one run of a new sweep; the agent then finishes it. */
async function holding<T>(body: (sweepId: string, run: Run) => Promise<T>): Promise<T> {
  const sweep = await env.client.createSweep({ method: "grid", parameters: { a: { value: 1 } } });
  const held = deferred<Run>();
  const done = deferred();
  const agentDone = agent(sweep.id, async (run) => {
    held.resolve(run);
    await done.promise;
  }, { client: env.client, count: 1, logger: silentLogger });
  const run = await held.promise;
  try {
    return await body(sweep.id, run);
  } finally {
    done.resolve();
    await agentDone;
  }
}

test("a run's batches go on one stream, acknowledged in order; a resend is a duplicate", async () => {
  await holding(async (sweepId, run) => {
    const stream = new MetricStream(env.client);
    const acks = [];
    for (let seq = 1; seq <= 20; seq++) acks.push(await stream.report(batch(sweepId, run.id, run.leaseToken, seq)));
    // written back to back, without waiting for the acks: they come in order
    const more = [21, 22, 23, 24, 25].map((seq) => stream.report(batch(sweepId, run.id, run.leaseToken, seq)));
    acks.push(...await Promise.all(more));
    assert.deepEqual(acks.map((a) => [a.runId, a.seq, a.duplicate]),
      Array.from({ length: 25 }, (_, i) => [run.id, i + 1, false]));
    assert.equal(stream.opened, 1);
    const again = await stream.report(batch(sweepId, run.id, run.leaseToken, 25)); // nothing stored twice
    assert.equal(again.duplicate, true);
    assert.equal(again.seq, 25);
    assert.equal(stream.opened, 1);
    stream.close();
    await assert.rejects(stream.report(batch(sweepId, run.id, run.leaseToken, 26)), /after close/);
    const stored = await env.client.getRunMetrics(sweepId, run.id);
    assert.deepEqual(stored.map((p) => p.step), Array.from({ length: 25 }, (_, i) => i + 1));
  });
});

test("a refused batch ends the stream and the next batch opens another", async () => {
  await holding(async (sweepId, run) => {
    const stream = new MetricStream(env.client);
    assert.equal((await stream.report(batch(sweepId, run.id, run.leaseToken, 1))).seq, 1);
    const err = await stream.report(batch(sweepId, run.id, "not-the-token", 2)).catch((e: unknown) => e);
    assert.ok(err instanceof LeaseLostError, String(err));
    assert.equal(err.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(err.reason, "LEASE_LOST");
    const ack = await stream.report(batch(sweepId, run.id, run.leaseToken, 2)); // the refused one stored nothing
    assert.deepEqual([ack.seq, ack.duplicate], [2, false]);
    assert.equal(stream.opened, 2);
    stream.close();
    assert.deepEqual((await env.client.getRunMetrics(sweepId, run.id)).map((p) => p.step), [1, 2]);
  });
});

/** A MetricService on loopback that records the batches and acks them, unless silent. */
async function tinyMetricService(silent: boolean) {
  const def = protoLoader.loadSync("sweepd/v1/metric_service.proto",
    { keepCase: true, longs: String, defaults: true, oneofs: true, includeDirs: [protoDir()] });
  const received: { seq: string }[] = [];
  const ended = deferred();
  const server = new grpc.Server();
  server.addService(def["sweepd.v1.MetricService"] as grpc.ServiceDefinition, {
    ReportMetrics: (call: grpc.ServerDuplexStream<{ run_id: string; seq: string }, object>) => {
      call.on("data", (b: { run_id: string; seq: string }) => {
        received.push({ seq: b.seq });
        if (!silent) call.write({ run_id: b.run_id, seq: b.seq });
      });
      call.on("end", () => {
        ended.resolve();
        call.end();
      });
      call.on("error", () => {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { address: `127.0.0.1:${port}`, received, ended: ended.promise, stop: () => server.forceShutdown() };
}

test("an ack that never comes cancels the stream: UnavailableError, and the sender gives up in time", async () => {
  const service = await tinyMetricService(true);
  const client = new Client(service.address, { retries: 0 });
  try {
    const stream = new MetricStream(client, { ackTimeoutMs: 500 });
    const err = await stream.report(batch("s", "r", "t", 1)).catch((e: unknown) => e);
    assert.ok(err instanceof UnavailableError, String(err));
    assert.match(err.message, /did not acknowledge a metric batch within 500 ms/);
    assert.deepEqual(service.received, [{ seq: "1" }]);
    // the next batch opens another stream (the resend of an unacknowledged batch)
    await assert.rejects(stream.report(batch("s", "r", "t", 1)), UnavailableError);
    assert.equal(stream.opened, 2);
    stream.close();

    // the run's sender resends the same seq while it may, then drops the batch: flush() returns
    const reporter = new MetricStream(client, { ackTimeoutMs: 300 });
    const sender = new MetricSender(client, "s", "r", "t", { lingerMs: 0, retryLimitMs: 1_000, logger: silentLogger, reporter });
    sender.put({ step: 0, values: { loss: 1 } });
    await sender.close();
    assert.equal(sender.lastSeq, 0);
    assert.equal(sender.sentPoints, 0);
    assert.ok(reporter.opened >= 2, `opened ${reporter.opened}`);
    assert.deepEqual(new Set(service.received.slice(2).map((b) => b.seq)), new Set(["1"]));
  } finally {
    client.close();
    service.stop();
  }
});

test("close() half-closes the run's stream", async () => {
  const service = await tinyMetricService(false);
  const client = new Client(service.address, { retries: 0 });
  try {
    const sender = new MetricSender(client, "s", "r", "t", { lingerMs: 0, logger: silentLogger });
    sender.put({ step: 0, values: { loss: 1 } });
    sender.put({ step: 1, values: { loss: 2 } });
    await sender.flush();
    sender.put({ step: 2, values: { loss: 3 } });
    await sender.close();
    await service.ended; // the controller saw the end of the run's stream
    assert.deepEqual(service.received.map((b) => b.seq), ["1", "2"]);
    assert.equal(sender.lastSeq, 2);
    assert.equal(sender.sentPoints, 3);
    assert.equal((sender.reporter as MetricStream).opened, 1);
  } finally {
    client.close();
    service.stop();
  }
});
