/**
 * The agent: joins a sweep over AgentService.Connect, takes runs, calls the user's
 * function for each, and reports the runs' ends.
 *
 *   await agent(sweepId, async (run) => {
 *     for (let epoch = 0; epoch < 10 && !run.signal.aborted; epoch++) {
 *       run.log({ loss: await train(run.config) });
 *     }
 *   }, { count: 5 });
 *
 * A `Connection` keeps the Connect stream open: it sends AgentHello (with the runs it
 * still holds after a reconnect), RunRequest when a slot is free, and Heartbeat every
 * `heartbeat_interval_seconds` from Welcome, listing the held runs. It reconnects with
 * jittered exponential backoff (capped at a quarter of the lease while runs are held)
 * and re-sends RunRequest for what is still wanted. StopRun aborts the run's `signal`.
 *
 * For each run: StartRun, the user's function, a metrics flush, FinishRun as
 * "finished", "failed" (the function threw; the error is recorded) or "stopped"
 * (the run was asked to stop). See docs/agent-protocol.md.
 */

import type { ClientDuplexStream, StatusObject } from "@grpc/grpc-js";
import { status as Status } from "@grpc/grpc-js";

import { sleep } from "./backoff";
import { Client, hostname as machineName } from "./client";
import {
  fromGrpcError,
  LeaseLostError,
  NotFoundError,
  SweepdError,
  UnavailableError,
} from "./errors";
import { defaultLogger, type Logger } from "./logger";
import { MetricSender, Run, RunStoppedError } from "./run";
import {
  runFromProto,
  stopReasonFromProto,
  sweepFromProto,
  type FinalRunState,
  type RunInfo,
  type StopReason,
  type Sweep,
} from "./types";
import type { PbAgentMessageIn, PbControllerMessage, PbHeldRunIn } from "./wire";

export type RunFunction = (run: Run) => unknown;

export interface AgentOptions {
  /** Take at most this many runs (default: until the sweep is done). */
  count?: number;
  /** Controller HOST:PORT (default $SWEEPD_CONTROLLER or 127.0.0.1:50051); ignored with `client`. */
  controller?: string;
  /** A client to use (not closed by the agent). */
  client?: Client;
  /** Runs at once (default 1). */
  parallel?: number;
  /** Kept across reconnects (default: hostname-pid-random). */
  agentId?: string;
  hostname?: string;
  /** Give up when the controller is unreachable this long and no run is held (default 60 s). */
  connectTimeoutMs?: number;
  /** How long StartRun, FinishRun and metric batches are retried while unreachable (default 10 min). */
  retryLimitMs?: number;
  /** Aborting it stops the agent: no new runs; running ones are stopped and finished as "stopped". */
  signal?: AbortSignal;
  logger?: Logger;
}

/** A run this agent holds, proven by its lease token. */
interface Held {
  runId: string;
  token: string;
  info: RunInfo;
  command: string[];
  program: string;
  run?: Run;
  stopReason?: StopReason;
}

/** Status codes after which reconnecting cannot help. */
const FATAL = new Set<number>([
  Status.NOT_FOUND, Status.INVALID_ARGUMENT, Status.OUT_OF_RANGE, Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED, Status.FAILED_PRECONDITION, Status.UNIMPLEMENTED, Status.ALREADY_EXISTS,
]);

/** The agent's Connect stream, kept open (reconnecting) until closed. */
class Connection {
  readonly held = new Map<string, Held>();
  /** Runs requested and not yet assigned. */
  wanted = 0;
  done = false;
  doneMessage = "";
  fatal: SweepdError | undefined;
  sweep: Sweep | undefined;
  heartbeatMs = 5_000;
  leaseMs = 30_000;
  reconnects = 0;
  onStop: (held: Held, reason: StopReason) => void = () => {};

  private stream: ClientDuplexStream<PbAgentMessageIn, PbControllerMessage> | undefined;
  private closed = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private unreachableSince: number | undefined;
  private attempt = 0;
  private readonly queue: Held[] = [];
  private waiter: ((held: Held | null) => void) | undefined;
  private welcomed = false;
  private readonly welcome: Promise<void>;
  private resolveWelcome!: () => void;
  private rejectWelcome!: (err: Error) => void;

  constructor(
    private readonly client: Client,
    private readonly sweepId: string,
    readonly agentId: string,
    private readonly hostname: string,
    private readonly connectTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.welcome = new Promise((resolve, reject) => {
      this.resolveWelcome = resolve;
      this.rejectWelcome = reject;
    });
    this.welcome.catch(() => {}); // start() hands it over; never an unhandled rejection
  }

  /** Opens the stream; resolves at the first Welcome, rejects on a fatal error before it. */
  start(): Promise<void> {
    this.open();
    return this.welcome;
  }

  /** The next assignment; null once the sweep is done, the agent failed or was interrupted. */
  next(): Promise<Held | null> {
    const first = this.queue.shift();
    if (first) return Promise.resolve(first);
    if (this.done || this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Assignments received and not taken. */
  takeQueued(): Held[] {
    return this.queue.splice(0);
  }

  /** Wakes a pending next() with null. */
  interrupt(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(null);
  }

  requestRun(): void {
    this.wanted += 1;
    this.send({ run_request: { count: 1 } });
  }

  release(runId: string): void {
    this.held.delete(runId);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.reconnectTimer);
    this.interrupt();
    const stream = this.stream;
    this.stream = undefined;
    if (stream) {
      stream.end(); // half-close: the controller ends the call
      setTimeout(() => stream.cancel(), 2_000).unref();
    }
  }

  private heldRuns(): PbHeldRunIn[] {
    return [...this.held.values()].map((h) => ({ run_id: h.runId, lease_token: h.token }));
  }

  private send(message: PbAgentMessageIn): void {
    try {
      this.stream?.write(message);
    } catch (err) {
      this.logger.warn(`agent ${this.agentId}: could not write to the stream: ${(err as Error).message}`);
    }
  }

  private open(): void {
    if (this.closed) return;
    const call = this.client.connectStream();
    this.stream = call;
    call.on("data", (message: PbControllerMessage) => this.handle(message));
    call.on("error", () => {}); // reported through "status"
    call.on("status", (status: StatusObject) => this.broken(call, status));
    this.send({
      hello: { sweep_id: this.sweepId, agent_id: this.agentId, hostname: this.hostname, held_runs: this.heldRuns() },
    });
    if (this.wanted > 0) this.send({ run_request: { count: this.wanted } });
  }

  private handle(message: PbControllerMessage): void {
    switch (message.kind) {
      case "welcome": {
        const w = message.welcome!;
        this.unreachableSince = undefined;
        this.attempt = 0;
        if (w.heartbeat_interval_seconds > 0) this.heartbeatMs = w.heartbeat_interval_seconds * 1000;
        if (w.lease_duration_seconds > 0) this.leaseMs = w.lease_duration_seconds * 1000;
        if (w.sweep) this.sweep = sweepFromProto(w.sweep);
        clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = setInterval(() => this.send({ heartbeat: { held_runs: this.heldRuns() } }),
          this.heartbeatMs);
        if (!this.welcomed) {
          this.welcomed = true;
          this.resolveWelcome();
        }
        break;
      }
      case "assignment": {
        const a = message.assignment!;
        if (!a.run || this.held.has(a.run.id)) break; // a redelivery of a run already held
        const held: Held = {
          runId: a.run.id, token: a.lease_token, info: runFromProto(a.run),
          command: [...a.command], program: a.program,
        };
        this.held.set(held.runId, held);
        this.wanted = Math.max(0, this.wanted - 1);
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w(held);
        else this.queue.push(held);
        break;
      }
      case "stop": {
        const s = message.stop!;
        const held = this.held.get(s.run_id);
        if (held) this.onStop(held, stopReasonFromProto(s.reason) ?? { kind: "user", message: "" });
        break;
      }
      case "done": {
        this.done = true;
        this.doneMessage = message.done?.message || "the sweep is done";
        this.interrupt();
        break;
      }
    }
  }

  private broken(call: ClientDuplexStream<PbAgentMessageIn, PbControllerMessage>, status: StatusObject): void {
    if (call !== this.stream) return;
    this.stream = undefined;
    clearInterval(this.heartbeatTimer);
    if (this.closed) return;
    if (FATAL.has(status.code)) {
      this.fail(fromGrpcError(status, { address: this.client.address }));
      return;
    }
    if (this.done && this.held.size === 0) return; // nothing left to say
    const now = Date.now();
    this.unreachableSince ??= now;
    if (this.held.size === 0 && now - this.unreachableSince > this.connectTimeoutMs) {
      this.fail(new UnavailableError(
        `controller at ${this.client.address} is unreachable (for ${Math.round((now - this.unreachableSince) / 1000)} s): ` +
          (status.details || Status[status.code]), status.code, status.details));
      return;
    }
    // While runs are held, come back well within their lease.
    const cap = this.held.size ? Math.min(3_000, this.leaseMs / 4) : 3_000;
    const delay = Math.random() * Math.min(cap, 200 * 2 ** Math.min(this.attempt++, 20));
    this.logger.warn(`agent ${this.agentId}: stream to ${this.client.address} ended ` +
      `(${Status[status.code]}: ${status.details}); reconnecting in ${Math.round(delay)} ms`);
    this.reconnects += 1;
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  private fail(err: SweepdError): void {
    this.fatal = err;
    this.done = true;
    this.doneMessage = err.message;
    this.rejectWelcome(err);
    this.interrupt();
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Runs a sweep's runs in this process until the sweep is done or `count` runs were taken. */
export class Agent {
  readonly sweepId: string;
  readonly agentId: string;
  /** Runs this agent ran to their end. */
  runsDone = 0;

  private readonly fn: RunFunction;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly options: AgentOptions;
  private readonly logger: Logger;
  private readonly connection: Connection;
  private started = false;
  private stopping = false;

  constructor(sweepId: string, fn: RunFunction, options: AgentOptions = {}) {
    if (typeof fn !== "function") throw new TypeError("agent(): the second argument must be a function");
    if (options.count !== undefined && !(Number.isSafeInteger(options.count) && options.count >= 0)) {
      throw new TypeError(`agent(): count must be a non-negative integer, not ${options.count}`);
    }
    this.sweepId = sweepId;
    this.fn = fn;
    this.options = options;
    this.logger = options.logger ?? defaultLogger;
    this.ownsClient = !options.client;
    this.client = options.client ?? new Client(options.controller);
    const host = options.hostname ?? machineName();
    this.agentId = options.agentId ?? `${host}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    this.connection = new Connection(this.client, sweepId, this.agentId, host,
      options.connectTimeoutMs ?? 60_000, this.logger);
    this.connection.onStop = (held, reason) => this.stopHeld(held, reason);
  }

  /** The sweep as the controller described it in Welcome (after run() started). */
  get sweep(): Sweep | undefined {
    return this.connection.sweep;
  }

  /** How often the Connect stream was re-opened. */
  get reconnects(): number {
    return this.connection.reconnects;
  }

  /** Runs until the sweep is done, `count` runs were taken, or `signal` aborts; returns runsDone. */
  async run(): Promise<number> {
    if (this.started) throw new Error("Agent.run() can be called once");
    this.started = true;
    const conn = this.connection;
    const { count, signal } = this.options;
    const parallel = Math.max(1, this.options.parallel ?? 1);
    const onAbort = () => {
      this.stopping = true;
      for (const held of conn.held.values()) {
        this.stopHeld(held, { kind: "agent", message: "the agent was stopped" });
      }
      conn.interrupt();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const active = new Set<Promise<void>>();
    try {
      await conn.start();
      this.logger.info(`agent ${this.agentId} joined sweep ${this.sweepId}`);
      let taken = 0;
      const more = () => count === undefined || taken + conn.wanted < count;
      while (!conn.done && !this.stopping && (count === undefined || taken < count)) {
        while (active.size + conn.wanted < parallel && more()) conn.requestRun();
        const held = await conn.next();
        if (!held) break;
        if (this.stopping) {
          await this.abandon(held);
          break;
        }
        taken += 1;
        const job: Promise<void> = this.execute(held)
          .catch((err) => this.logger.error(`run ${held.runId}: ${describeError(err)}`))
          .finally(() => active.delete(job));
        active.add(job);
        while (active.size >= parallel) await Promise.race(active);
      }
      await Promise.all(active);
      for (const held of conn.takeQueued()) await this.abandon(held);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      conn.close();
      if (this.ownsClient) this.client.close();
    }
    if (conn.fatal) throw conn.fatal;
    this.logger.info(`agent ${this.agentId}: ${conn.doneMessage || "count reached"} (${this.runsDone} runs)`);
    return this.runsDone;
  }

  private stopHeld(held: Held, reason: StopReason): void {
    if (!held.stopReason) {
      held.stopReason = reason;
      this.logger.info(`run ${held.runId}: stop requested (${reason.kind}${reason.message ? `: ${reason.message}` : ""})`);
    }
    held.run?.stop(reason);
  }

  /** An assignment that arrived as the agent was stopping: ended as stopped, never started. */
  private async abandon(held: Held): Promise<void> {
    try {
      await this.retrying(() => this.client.finishRun({
        sweepId: this.sweepId, runId: held.runId, leaseToken: held.token, state: "stopped",
        error: "the agent stopped before the run started",
      }));
    } catch (err) {
      this.logger.warn(`run ${held.runId}: could not be given back: ${(err as Error).message}`);
    } finally {
      this.connection.release(held.runId);
    }
  }

  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    const limit = Date.now() + (this.options.retryLimitMs ?? 600_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof UnavailableError) || Date.now() > limit) throw err;
        await sleep(Math.random() * Math.min(3_000, 200 * 2 ** Math.min(attempt, 20)));
      }
    }
  }

  private async execute(held: Held): Promise<void> {
    const { client, sweepId } = this;
    try {
      await this.retrying(() => client.startRun(sweepId, held.runId, held.token));
    } catch (err) {
      const why = err instanceof LeaseLostError || err instanceof NotFoundError ? "the lease is gone" : "";
      this.logger.warn(`run ${held.runId}: not started${why ? `, ${why}` : ""}: ${(err as Error).message}`);
      this.connection.release(held.runId);
      return;
    }
    const stopRun = (reason: StopReason) => this.stopHeld(held, reason);
    const sender = new MetricSender(client, sweepId, held.runId, held.token, {
      retryLimitMs: this.options.retryLimitMs,
      logger: this.logger,
      onShouldStop: () => stopRun({ kind: "should_stop", message: "the controller asked the run to stop" }),
      onLeaseLost: (err) => stopRun({ kind: "lease", message: err.details }),
    });
    const run = new Run({ info: held.info, leaseToken: held.token, sender, logger: this.logger });
    held.run = run;
    if (held.stopReason) run.stop(held.stopReason);

    let state: FinalRunState = "finished";
    let error = "";
    let traceback = "";
    this.logger.info(`run ${held.runId}: starting with ${JSON.stringify(held.info.config)}`);
    if (!run.signal.aborted) {
      try {
        await this.fn(run);
      } catch (err) {
        state = "failed";
        const abortNoise = err === run.signal.reason || (err instanceof Error && err.name === "AbortError") ||
          err instanceof RunStoppedError;
        error = run.signal.aborted && abortNoise ? "" : describeError(err);
        if (error && err instanceof Error && err.stack) traceback = err.stack;
      }
    }
    await run.finish();
    if (run.signal.aborted) state = "stopped"; // however it ended, it ended because it was stopped
    try {
      await this.retrying(() => client.finishRun({
        sweepId, runId: held.runId, leaseToken: held.token, state, error, traceback,
      }));
      this.logger.info(`run ${held.runId}: ${state}`);
    } catch (err) {
      this.logger.warn(`run ${held.runId}: could not be finished: ${(err as Error).message}`);
    } finally {
      this.connection.release(held.runId);
      this.runsDone += 1;
    }
  }
}

/**
 * Runs an agent in this process (W&B's `wandb.agent`): calls `fn(run)` for each run the
 * controller hands out until the sweep is done or `count` runs were taken. Resolves to
 * the number of runs it ran; rejects with a SweepdError when it cannot go on
 * (NotFoundError for an unknown sweep, UnavailableError when the controller is gone).
 */
export function agent(sweepId: string, fn: RunFunction, options: AgentOptions = {}): Promise<number> {
  return new Agent(sweepId, fn, options).run();
}
