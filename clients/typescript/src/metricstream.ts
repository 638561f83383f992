/**
 * One run's metric batches over a `MetricService.ReportMetrics` stream
 * (proto/sweepd/v1/metric_service.proto), as the Python SDK's sweepd.metric_stream.
 *
 * A run's batches go on one long-lived stream rather than a ReportMetricsOnce call
 * each: a message on an open stream costs the controller far less than a whole call
 * (bench/bench_ingest.py, Python client, one point a batch: 227 vs 607 us of
 * controller CPU per point).
 *
 * `report(batch)` writes the batch and resolves to its ack, in order, so the caller
 * (MetricSender, run.ts) sees the unary call's contract: an ack, or a SweepdError
 * (errors.ts; lease errors as for a lease call). It tries once: the caller retries.
 * The stream is opened by the first batch and again after any error; a batch whose
 * ack did not arrive may have been stored, and resending it is safe (the controller
 * acknowledges a seq it already stored as a duplicate and stores nothing twice). An
 * ack later than `ackTimeoutMs` (the client's call timeout) cancels the stream and
 * rejects with UnavailableError, as the unary call's deadline did, so a stuck
 * controller never holds a run's points forever. `close()` half-closes the stream.
 */

import type { ClientDuplexStream, StatusObject } from "@grpc/grpc-js";
import { status as Status } from "@grpc/grpc-js";

import type { Client, MetricAck, MetricBatchInput } from "./client";
import { fromGrpcError, UnavailableError } from "./errors";
import { int64ToNumber, toTimestamp, valuesToProto } from "./values";
import type { PbMetricAck, PbMetricBatchIn } from "./wire";

/** What a MetricSender sends a run's batches with: one at a time, in order. */
export interface MetricReporter {
  /** The batch's ack; rejects with a SweepdError (UnavailableError: worth a resend). */
  report(batch: MetricBatchInput): Promise<MetricAck>;
  /** No more batches: ends the transport. */
  close(): void;
}

/** A batch as the wire wants it; InvalidArgumentError naming the value at fault. */
export function metricBatchToProto(batch: MetricBatchInput): PbMetricBatchIn {
  return {
    sweep_id: batch.sweepId,
    run_id: batch.runId,
    lease_token: batch.leaseToken,
    seq: batch.seq,
    points: batch.points.map((p, i) => ({
      step: p.step,
      wall_time: toTimestamp(p.wallTime ?? Date.now()),
      values: valuesToProto(p.values, `points[${i}].values.`),
    })),
  };
}

export function metricAckFromProto(ack: PbMetricAck): MetricAck {
  return {
    runId: ack.run_id,
    seq: int64ToNumber(ack.seq),
    duplicate: ack.duplicate,
    shouldStop: ack.should_stop,
  };
}

export interface MetricStreamOptions {
  /** How long an ack may take before the stream is cancelled (default: the client's timeoutMs). */
  ackTimeoutMs?: number;
}

/** A batch written and not yet acknowledged. */
interface Waiter {
  resolve: (ack: MetricAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One opened stream and the batches awaiting their acks on it. */
interface Opened {
  call: ClientDuplexStream<PbMetricBatchIn, PbMetricAck>;
  waiters: Waiter[];
  /** Cancelled because an ack was late. */
  timedOut: boolean;
}

/** How long a half-closed stream may take to end before it is cancelled. */
const CLOSE_GRACE_MS = 2_000;

/** A run's ReportMetrics stream over a Client (see the module's comment). */
export class MetricStream implements MetricReporter {
  readonly ackTimeoutMs: number;
  /** Streams opened so far (one, unless errors ended some). */
  opened = 0;
  private current: Opened | undefined;
  private closed = false;

  constructor(private readonly client: Client, options: MetricStreamOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? client.timeoutMs;
  }

  report(batch: MetricBatchInput): Promise<MetricAck> {
    if (this.closed) return Promise.reject(new Error("MetricStream.report() after close()"));
    let message: PbMetricBatchIn;
    try {
      message = metricBatchToProto(batch); // a bad value throws before anything is sent
    } catch (err) {
      return Promise.reject(err);
    }
    const opened = this.current ?? this.open();
    return new Promise<MetricAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        opened.timedOut = true;
        if (this.current === opened) this.current = undefined;
        opened.call.cancel(); // its status rejects every waiter
      }, this.ackTimeoutMs);
      opened.waiters.push({ resolve, reject, timer });
      opened.call.write(message);
    });
  }

  /** Half-closes the stream (the controller then ends it); later report() calls reject. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const opened = this.current;
    this.current = undefined;
    if (!opened) return;
    opened.call.end();
    setTimeout(() => opened.call.cancel(), CLOSE_GRACE_MS).unref();
  }

  private open(): Opened {
    const opened: Opened = { call: this.client.reportMetricsStream(), waiters: [], timedOut: false };
    this.current = opened;
    this.opened += 1;
    opened.call.on("data", (ack: PbMetricAck) => {
      const waiter = opened.waiters.shift();
      if (!waiter) return; // an ack for nothing awaited: nothing to do with it
      clearTimeout(waiter.timer);
      waiter.resolve(metricAckFromProto(ack));
    });
    opened.call.on("error", () => {}); // reported through "status"
    opened.call.on("status", (st: StatusObject) => {
      // The next batch opens a new stream. Acks received just before the status may
      // still sit in the stream's buffer: settle the waiters once those are delivered.
      if (this.current === opened) this.current = undefined;
      setImmediate(() => this.ended(opened, st));
    });
    return opened;
  }

  /** The stream ended: every batch still awaiting its ack fails with the reason. */
  private ended(opened: Opened, st: StatusObject): void {
    const waiters = opened.waiters.splice(0);
    if (!waiters.length) return;
    const address = this.client.address;
    let err: Error;
    if (opened.timedOut) {
      err = new UnavailableError(`controller at ${address} did not acknowledge a metric batch ` +
        `within ${this.ackTimeoutMs} ms`, Status.UNAVAILABLE, "metric ack timed out");
    } else if (st.code === Status.OK) {
      err = new UnavailableError(`controller at ${address} ended the metric stream without an ack`,
        Status.UNAVAILABLE, st.details);
    } else {
      err = fromGrpcError(st, { address, leaseCall: true });
    }
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
