/**
 * The run an agent hands to the user's function: its config, `log()` for metrics, and
 * `signal`, an AbortSignal that fires when the controller asks the run to stop.
 *
 * Logged points are queued and sent in batches by a MetricSender, on the run's one
 * ReportMetrics stream (a MetricStream, metricstream.ts); each batch has a sequence
 * number (1, 2, ... per run), so a batch resent after a lost reply is stored once.
 * The agent flushes them and closes the stream before it finishes the run.
 */

import { backoffDelays, sleep } from "./backoff";
import type { Client, MetricPointInput } from "./client";
import { InvalidArgumentError, LeaseLostError, UnavailableError } from "./errors";
import { defaultLogger, type Logger } from "./logger";
import { MetricStream, type MetricReporter } from "./metricstream";
import type { RunInfo, StopReason } from "./types";
import { Double, nonFinitePath, toValue } from "./values";

/** The controller refuses a metric batch with an empty or longer key. */
const MAX_KEY_LENGTH = 256;

/** The reason of an aborted `run.signal`: why the controller (or the agent) stopped the run. */
export class RunStoppedError extends Error {
  readonly reason: StopReason;

  constructor(reason: StopReason) {
    super(`run stopped (${reason.kind}${reason.message ? `: ${reason.message}` : ""})`);
    this.name = "RunStoppedError";
    this.reason = reason;
  }
}

export interface MetricSenderOptions {
  /** At most this many points per batch (default 500). */
  maxBatch?: number;
  /** How long to wait for more points before sending a batch (default 50 ms). */
  lingerMs?: number;
  /** How long a batch is retried while the controller is unreachable (default 10 min). */
  retryLimitMs?: number;
  logger?: Logger;
  /** The controller's ack says the run should stop. */
  onShouldStop?: () => void;
  /** The controller refused a batch because the run is no longer held. */
  onLeaseLost?: (err: LeaseLostError) => void;
  /** What sends the batches (default: a MetricStream over the client, the run's one stream). */
  reporter?: MetricReporter;
}

/**
 * Sends one run's points in order, in batches numbered from 1, retrying through outages;
 * `close()` when the run is done.
 */
export class MetricSender {
  private readonly queue: MetricPointInput[] = [];
  /** The seq of the last batch the controller acknowledged. */
  private seq = 0;
  /** The last batch given up on (controller unreachable) may have been stored. */
  private unsure = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private flushing = false;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly retryLimitMs: number;
  private readonly logger: Logger;
  /** The run is no longer held: further points are dropped. */
  leaseLost = false;
  /** Points the controller acknowledged (duplicates included). */
  sentPoints = 0;
  /** Sends the batches: the run's MetricStream unless options.reporter was given. */
  readonly reporter: MetricReporter;

  constructor(
    client: Client,
    private readonly sweepId: string,
    private readonly runId: string,
    private readonly leaseToken: string,
    private readonly options: MetricSenderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 50;
    this.retryLimitMs = options.retryLimitMs ?? 600_000;
    this.logger = options.logger ?? defaultLogger;
    this.reporter = options.reporter ?? new MetricStream(client);
  }

  /** The seq of the last batch the controller acknowledged. */
  get lastSeq(): number {
    return this.seq;
  }

  put(point: MetricPointInput): void {
    this.queue.push(point);
    if (!this.loop) this.loop = this.drain();
  }

  /** Resolves once every point put so far has been sent (or given up on). */
  async flush(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    try {
      while (this.loop) await this.loop;
    } finally {
      this.flushing = false;
    }
  }

  /** Sends every point put so far, then ends the reporter (half-closes the run's stream). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.reporter.close();
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        if (!this.flushing && this.queue.length < this.maxBatch) {
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            timer = setTimeout(resolve, this.lingerMs);
          });
          clearTimeout(timer);
          this.wake = undefined;
        }
        const points = this.queue.splice(0, this.maxBatch);
        if (this.leaseLost) continue;
        // a refused batch stored nothing: the next one takes its seq (no gap)
        if (await this.send(this.seq + 1, points)) this.seq += 1;
      }
    } finally {
      this.loop = undefined;
    }
  }

  /** Sends one batch until it is acknowledged (true) or cannot be (false). */
  private async send(seq: number, points: MetricPointInput[]): Promise<boolean> {
    const delays = backoffDelays(200, 2000);
    const giveUp = Date.now() + this.retryLimitMs;
    for (;;) {
      try {
        const ack = await this.reporter.report({
          sweepId: this.sweepId, runId: this.runId, leaseToken: this.leaseToken, seq, points,
        });
        this.sentPoints += points.length;
        if (ack.duplicate && this.unsure) {
          this.logger.warn(`run ${this.runId}: metric batch ${seq} was stored before (a batch given up ` +
            `on earlier got through); these ${points.length} points are not stored`);
        }
        this.unsure = false;
        if (ack.shouldStop) this.options.onShouldStop?.();
        return true;
      } catch (err) {
        if (err instanceof LeaseLostError) {
          this.logger.warn(`run ${this.runId}: metrics refused, the run is no longer held: ${err.details}`);
          this.leaseLost = true;
          this.options.onLeaseLost?.(err);
          return false;
        }
        if (err instanceof UnavailableError && Date.now() < giveUp) {
          await sleep(delays.next().value); // then resend the same seq: stored once
          continue;
        }
        this.unsure = err instanceof UnavailableError; // it may have been stored after all
        this.logger.error(`run ${this.runId}: dropping metric batch ${seq} (${points.length} points): ` +
          `${(err as Error).message}`);
        return false;
      }
    }
  }
}

export interface RunInit {
  info: RunInfo;
  leaseToken: string;
  sender?: MetricSender;
  logger?: Logger;
}

/** One run of a sweep, as the agent hands it to the user's function. */
export class Run {
  readonly id: string;
  readonly sweepId: string;
  /** 1-based creation order within the sweep. */
  readonly number: number;
  /** 1 for the first attempt at a config, 2 for its first retry, ... */
  readonly attempt: number;
  /** The hyperparameters chosen for this run (nested parameters as nested objects). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Proves the agent holds the run; sent with StartRun, FinishRun and metrics. */
  readonly leaseToken: string;
  /** Latest logged value of each key. */
  readonly summary: Record<string, unknown> = {};
  /** Fires when the run must stop (a user's stop, cancel, early termination, a lost lease). */
  readonly signal: AbortSignal;

  private readonly abort = new AbortController();
  private readonly sender: MetricSender | undefined;
  private readonly logger: Logger;
  private nextStep = 0;
  private finished = false;

  constructor(init: RunInit) {
    this.id = init.info.id;
    this.sweepId = init.info.sweepId;
    this.number = init.info.number;
    this.attempt = init.info.attempt;
    this.config = Object.freeze({ ...init.info.config });
    this.leaseToken = init.leaseToken;
    this.sender = init.sender;
    this.logger = init.logger ?? defaultLogger;
    this.signal = this.abort.signal;
  }

  /** True once the run was asked to stop. */
  get shouldStop(): boolean {
    return this.signal.aborted;
  }

  /** Why the run was asked to stop, once it was. */
  get stopReason(): StopReason | undefined {
    const reason: unknown = this.signal.reason;
    return this.signal.aborted && reason instanceof RunStoppedError ? reason.reason : undefined;
  }

  /** Throws the signal's RunStoppedError if the run was asked to stop. */
  throwIfStopped(): void {
    this.signal.throwIfAborted();
  }

  /**
   * Records values at a step (the next one when not given). Never blocks: points are
   * sent in the background. Non-finite numbers are skipped with a warning.
   */
  log(values: Record<string, unknown>, step?: number): void {
    if (this.finished) throw new Error("run.log() after the run finished");
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
      throw new TypeError("run.log() takes an object of name -> value");
    }
    if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
      throw new TypeError(`run.log(): step must be a non-negative integer, not ${step}`);
    }
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const n = value instanceof Double ? value.value : value;
      if (typeof n === "number" && !Number.isFinite(n)) {
        this.logger.warn(`run ${this.id}: ${key}=${n} is not finite; not logged`);
        continue;
      }
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
        throw new InvalidArgumentError(`run.log(): a key is 1 to ${MAX_KEY_LENGTH} characters`,
          [{ field: key.slice(0, 40), description: "bad key" }]);
      }
      const nested = nonFinitePath(toValue(value, key), key); // toValue throws naming the key
      if (nested) {
        this.logger.warn(`run ${this.id}: ${nested} is not finite; ${key} not logged`);
        continue;
      }
      clean[key] = value;
    }
    const at = step ?? this.nextStep;
    this.nextStep = Math.max(this.nextStep, at + 1);
    if (Object.keys(clean).length === 0) return;
    Object.assign(this.summary, clean);
    this.sender?.put({ step: at, wallTime: Date.now(), values: clean });
  }

  /** Resolves once every logged point has been sent. */
  async flush(): Promise<void> {
    await this.sender?.flush();
  }

  /** @internal Aborts `signal` (first reason wins). */
  stop(reason: StopReason): void {
    if (!this.signal.aborted) this.abort.abort(new RunStoppedError(reason));
  }

  /** @internal Sends what is left and closes the run's metric stream; later log() calls throw. */
  async finish(): Promise<void> {
    this.finished = true;
    await this.sender?.close();
  }
}
