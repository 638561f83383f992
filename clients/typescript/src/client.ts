/**
 * The controller's API: sweeps (create, validate, read, pause/resume/stop/cancel), runs,
 * metrics, and the agent-side calls. Unary calls get a deadline; idempotent ones are
 * retried with backoff while the controller is unreachable. Every failure is a typed
 * SweepdError (errors.ts).
 */

import * as fs from "fs";
import * as os from "os";
import * as grpc from "@grpc/grpc-js";

import { backoffDelays, sleep } from "./backoff";
import { fromGrpcError, SweepdError, UnavailableError, type FieldViolation, type GrpcErrorLike } from "./errors";
import { metricAckFromProto, metricBatchToProto } from "./metricstream";
import { methods, type MethodDefinition } from "./proto";
import {
  configToProto,
  configVersionFromProto,
  runFromProto,
  runStateToProto,
  sweepFromProto,
  type FinalRunState,
  type MetricPoint,
  type Page,
  type PageOptions,
  type PriorRun,
  type RunInfo,
  type Sweep,
  type SweepConfig,
  type ConfigVersion,
  type SweepUpdate,
} from "./types";
import { fromTimestamp, int64ToNumber, valuesFromProto, valuesToProto } from "./values";
import type {
  PbAgentMessageIn,
  PbConfigVersion,
  PbControllerMessage,
  PbFinishRunRequestIn,
  PbGetRunMetricsResponse,
  PbListConfigVersionsResponse,
  PbListRunsResponse,
  PbListSweepsResponse,
  PbMetricAck,
  PbMetricBatchIn,
  PbRequeueRunResponse,
  PbRun,
  PbSweep,
  PbUpdateSweepResponse,
  PbValidateSweepResponse,
} from "./wire";

export const DEFAULT_CONTROLLER = "127.0.0.1:50051";

/** The controller address: the argument, else $SWEEPD_CONTROLLER, else 127.0.0.1:50051. */
export function controllerAddress(explicit?: string): string {
  return explicit || process.env.SWEEPD_CONTROLLER || DEFAULT_CONTROLLER;
}

/**
 * The gRPC target and channel options for a controller address: one `HOST:PORT`; several
 * replicas as `IP:PORT,IP:PORT,...` (addresses, not names); or `dns:///NAME:PORT` (every
 * record of a name). With several replicas, calls and new streams are spread over them
 * round-robin and a replica whose connection fails is skipped (docs/clusters.md).
 */
export function channelTarget(address: string): { target: string; options: Record<string, string> } {
  const spread = { "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) };
  const trimmed = address.trim();
  if (trimmed.startsWith("dns:")) return { target: trimmed, options: spread };
  const parts = trimmed.split(",").map((p) => p.trim());
  if (parts.length === 1) return { target: trimmed, options: {} };
  const v4 = /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/;
  const v6 = /^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;
  for (const part of parts) {
    if (!v4.test(part) && !v6.test(part)) {
      throw new Error(`controller: ${JSON.stringify(part)} is not IP:PORT; list replicas by address, ` +
        "or give one DNS name as dns:///NAME:PORT");
    }
  }
  const family = parts.every((p) => v4.test(p)) ? "ipv4" : parts.every((p) => v6.test(p)) ? "ipv6" : "";
  if (!family) throw new Error(`controller: ${JSON.stringify(address)} mixes IPv4 and IPv6 replicas`);
  return { target: `${family}:${parts.join(",")}`, options: spread };
}

export interface ClientOptions {
  /** Deadline of each unary call (default 10 s). */
  timeoutMs?: number;
  /** Retries of an idempotent call while the controller is unreachable (default 4). */
  retries?: number;
  /**
   * API key for a controller started with --auth, sent as `authorization: Bearer <key>`
   * on every call (default: $SWEEPD_API_KEY).
   */
  apiKey?: string;
  /**
   * TLS: the CA certificate (a PEM file path or its bytes) of a controller started with
   * --tls-cert (default: $SWEEPD_TLS_CA); without it the channel is plaintext.
   */
  tlsCa?: string | Buffer;
  /** Channel credentials; overrides tlsCa. */
  credentials?: grpc.ChannelCredentials;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

export interface ValidationResult {
  /** Empty when the config is valid. */
  violations: FieldViolation[];
  /** Non-fatal remarks. */
  warnings: string[];
}

/** A metric point to report: values are plain JS values (see values.ts). */
export interface MetricPointInput {
  step: number;
  /** ms since the epoch (default: now). */
  wallTime?: number;
  values: Record<string, unknown>;
}

export interface MetricBatchInput {
  sweepId: string;
  runId: string;
  leaseToken: string;
  /** Per run and lease, from 1, one more per batch; a resent seq is stored once. */
  seq: number;
  points: MetricPointInput[];
}

export interface MetricAck {
  runId: string;
  seq: number;
  /** This seq had been stored before (a resend). */
  duplicate: boolean;
  /** The run should stop (early termination or a user's stop). */
  shouldStop: boolean;
}

export interface FinishRunInput {
  sweepId: string;
  runId: string;
  leaseToken: string;
  state: FinalRunState;
  exitCode?: number;
  /** For "failed": what went wrong. */
  error?: string;
  /**
   * For a function that threw: its stack trace, shown on the run's page. Its last
   * 65,536 bytes of UTF-8 are sent (the controller refuses more).
   */
  traceback?: string;
}

/** What FinishRun's output may hold of each text: its last 64 KiB of UTF-8. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;

/** The end of `text` within `limit` bytes of UTF-8, never splitting a character. */
export function utf8Tail(text: string, limit: number = OUTPUT_TAIL_BYTES): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  let start = bytes.length - limit;
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++; // continuation bytes
  return bytes.subarray(start).toString("utf8");
}

/** What FinishRun's error may hold: 10,000 characters (code points); more is refused. */
export const ERROR_MAX_CHARS = 10_000;
const ERROR_CUT_MARK = "[...] ";

/** `error` if it fits ERROR_MAX_CHARS, else its end behind "[...] " (as the Python SDK). */
export function errorTail(error: string): string {
  const chars = Array.from(error);
  if (chars.length <= ERROR_MAX_CHARS) return error;
  return ERROR_CUT_MARK + chars.slice(chars.length - ERROR_MAX_CHARS + ERROR_CUT_MARK.length).join("");
}

interface CallOptions {
  /** Retry while UNAVAILABLE / DEADLINE_EXCEEDED (only for idempotent calls). */
  retry?: boolean;
  /** A call about a held run (see ErrorContext.leaseCall). */
  leaseCall?: boolean;
}

const RETRYABLE = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

/** What updateSweep changes: a whole config, the fields of it `updateMask` names, and/or run_cap. */
export interface UpdateSweepInput {
  /** The new config; without `updateMask` it replaces the whole config ("*"). */
  config?: SweepConfig;
  /** The new run cap (0 = none); alone, only run_cap changes. */
  runCap?: number;
  /** Field paths of `config` to take: run_cap, parameters, parameters.<name>, constraints, early_terminate, ... */
  updateMask?: string[];
  /** Refuse (RefusedChangeError) unless the sweep's config is at this version. */
  expectedVersion?: number;
}

export class Client {
  readonly address: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly grpcClient: grpc.Client;
  private readonly apiKey: string | undefined;

  constructor(address?: string, options: ClientOptions = {}) {
    this.address = controllerAddress(address);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 4;
    this.apiKey = options.apiKey || process.env.SWEEPD_API_KEY || undefined;
    methods(); // load the proto now: a missing .proto fails here, not on first use
    const ca = options.tlsCa || process.env.SWEEPD_TLS_CA || undefined;
    const credentials = options.credentials ??
      (ca ? grpc.credentials.createSsl(typeof ca === "string" ? fs.readFileSync(ca) : ca)
        : grpc.credentials.createInsecure());
    const { target, options: spread } = channelTarget(this.address);
    this.grpcClient = new grpc.Client(target, credentials, {
      ...spread,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      "grpc.keepalive_time_ms": 20_000,
      "grpc.keepalive_permit_without_calls": 1,
      // Reconnect quickly after a controller restart: agents must be back within a lease.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1_000,
      ...options.channelOptions,
    });
  }

  close(): void {
    this.grpcClient.close();
  }

  /** The metadata every call carries (the API key, when there is one). */
  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.apiKey) md.set("authorization", `Bearer ${this.apiKey}`);
    return md;
  }

  /** Waits until the channel is connected; UnavailableError after `timeoutMs`. */
  waitForReady(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.grpcClient.waitForReady(Date.now() + timeoutMs, (err) => {
        if (err) {
          reject(new UnavailableError(
            `controller at ${this.address} is unreachable (no answer within ${timeoutMs} ms)`,
            grpc.status.UNAVAILABLE, err.message));
        } else {
          resolve();
        }
      });
    });
  }

  private once<Res>(method: MethodDefinition, request: object, leaseCall: boolean): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.grpcClient.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        this.metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (err, value) => {
          if (err) reject(fromGrpcError(err as GrpcErrorLike, { address: this.address, leaseCall }));
          else resolve(value as Res);
        },
      );
    });
  }

  private async call<Res>(method: MethodDefinition, request: object, opts: CallOptions = {}): Promise<Res> {
    const retry = opts.retry ?? true;
    const delays = backoffDelays();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<Res>(method, request, !!opts.leaseCall);
      } catch (err) {
        if (retry && attempt < this.retries && err instanceof SweepdError && RETRYABLE.has(err.code)) {
          await sleep(delays.next().value);
          continue;
        }
        throw err;
      }
    }
  }

  // ------------------------------------------------------------------ sweeps

  /**
   * Validates and registers a sweep; `priorRuns` (runs done elsewhere) are observations
   * for its search from the first suggestion. Prior runs that do not fit the space are
   * left out, each named in the reply's `warnings`. Not retried: a lost reply would
   * register it twice.
   */
  async createSweep(config: SweepConfig, priorRuns: PriorRun[] = []): Promise<Sweep> {
    const prior_runs = priorRuns.map((p, i) => ({
      config: valuesToProto(p.config, `priorRuns[${i}].config.`),
      summary: valuesToProto(p.summary, `priorRuns[${i}].summary.`),
      origin: p.origin ?? "",
    }));
    const reply = await this.call<PbSweep>(methods().sweeps.CreateSweep,
      { config: configToProto(config), prior_runs }, { retry: false });
    return sweepFromProto(reply);
  }

  /** Validates a config without registering it; violations are returned, not thrown. */
  async validateSweep(config: SweepConfig): Promise<ValidationResult> {
    const reply = await this.call<PbValidateSweepResponse>(methods().sweeps.ValidateSweep,
      { config: configToProto(config) });
    return {
      violations: reply.violations.map((v) => ({ field: v.field, description: v.description })),
      warnings: [...reply.warnings],
    };
  }

  async getSweep(sweepId: string): Promise<Sweep> {
    return sweepFromProto(await this.call<PbSweep>(methods().sweeps.GetSweep, { sweep_id: sweepId }));
  }

  /** Every sweep the caller may see (of `project`, when given), newest first, read page by page. */
  async listSweeps(project = "", options: { pageSize?: number } = {}): Promise<Sweep[]> {
    const sweeps: Sweep[] = [];
    let pageToken = "";
    do {
      const page = await this.listSweepsPage(project, { pageSize: options.pageSize, pageToken });
      sweeps.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return sweeps;
  }

  /**
   * One page of sweeps, newest first; pass its nextPageToken (and the same project) for
   * the next one. A page may hold fewer sweeps than pageSize, even none, while more follow.
   */
  async listSweepsPage(project = "", options: PageOptions = {}): Promise<Page<Sweep>> {
    const reply = await this.call<PbListSweepsResponse>(methods().sweeps.ListSweeps,
      { project, page_size: options.pageSize ?? 0, page_token: options.pageToken ?? "" });
    return { items: reply.sweeps.map(sweepFromProto), nextPageToken: reply.next_page_token };
  }

  /**
   * Every run of a sweep, in creation order, read page by page (`pageSize` runs a page;
   * 0: the controller's default, 1,000).
   */
  async listRuns(sweepId: string, options: { pageSize?: number } = {}): Promise<RunInfo[]> {
    const runs: RunInfo[] = [];
    for await (const run of this.iterRuns(sweepId, options)) runs.push(run);
    return runs;
  }

  /** The runs of a sweep in creation order, one page read at a time; runs created meanwhile come at the end. */
  async *iterRuns(sweepId: string, options: { pageSize?: number } = {}): AsyncGenerator<RunInfo> {
    let pageToken = "";
    do {
      const page = await this.listRunsPage(sweepId, { pageSize: options.pageSize, pageToken });
      yield* page.items;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** One page of a sweep's runs; pass its nextPageToken for the next one. */
  async listRunsPage(sweepId: string, options: PageOptions = {}): Promise<Page<RunInfo>> {
    const reply = await this.call<PbListRunsResponse>(methods().sweeps.ListRuns,
      { sweep_id: sweepId, page_size: options.pageSize ?? 0, page_token: options.pageToken ?? "" });
    return { items: reply.runs.map(runFromProto), nextPageToken: reply.next_page_token };
  }

  /**
   * The runs on a multi-objective sweep's Pareto front (paretoRank 0), in creation
   * order, each with its objectives' values; empty for a single-objective sweep.
   */
  async paretoFront(sweepId: string, options: { pageSize?: number } = {}): Promise<RunInfo[]> {
    const front: RunInfo[] = [];
    for await (const run of this.iterRuns(sweepId, options)) {
      if (run.paretoOptimal) front.push(run);
    }
    return front;
  }

  /** No new runs until resumed; running runs go on. */
  pauseSweep(sweepId: string): Promise<Sweep> {
    return this.changeState("PauseSweep", sweepId);
  }

  /** Back to running after a pause. */
  resumeSweep(sweepId: string): Promise<Sweep> {
    return this.changeState("ResumeSweep", sweepId);
  }

  /** No new runs; running runs finish; then the sweep is finished. */
  stopSweep(sweepId: string): Promise<Sweep> {
    return this.changeState("StopSweep", sweepId);
  }

  /** Running runs are stopped at once (their agents get StopRun); the sweep is cancelled. */
  cancelSweep(sweepId: string): Promise<Sweep> {
    return this.changeState("CancelSweep", sweepId);
  }

  /**
   * Makes a new config version of a live or finished sweep (UpdateSweep). Changes the
   * sweep cannot honour throw RefusedChangeError listing every refused path; a bad
   * mask or an invalid result, InvalidArgumentError.
   */
  async updateSweep(sweepId: string, input: UpdateSweepInput): Promise<SweepUpdate> {
    const config = input.config ? configToProto(input.config) : {};
    const paths = input.updateMask ? [...input.updateMask] : input.config ? ["*"] : [];
    if (input.runCap !== undefined) {
      (config as { run_cap?: number }).run_cap = input.runCap;
      if (!paths.includes("run_cap") && !paths.includes("*")) paths.push("run_cap");
    }
    const reply = await this.call<PbUpdateSweepResponse>(methods().sweeps.UpdateSweep, {
      sweep_id: sweepId, config, update_mask: { paths }, expected_version: input.expectedVersion ?? 0,
    }, { retry: !input.expectedVersion });
    return {
      sweep: sweepFromProto(reply.sweep as PbSweep),
      version: configVersionFromProto(reply.version as PbConfigVersion),
      changed: reply.changed,
    };
  }

  /** Every config version of a sweep, oldest first. */
  async listConfigVersions(sweepId: string): Promise<ConfigVersion[]> {
    const reply = await this.call<PbListConfigVersionsResponse>(methods().sweeps.ListConfigVersions,
      { sweep_id: sweepId });
    return reply.versions.map(configVersionFromProto);
  }

  private async changeState(method: string, sweepId: string): Promise<Sweep> {
    return sweepFromProto(await this.call<PbSweep>(methods().sweeps[method], { sweep_id: sweepId }));
  }

  /**
   * Leaves a run out of search and of the sweep's best run (ignored = false takes it
   * back in); the run stays listed. Ignoring the best run recomputes the sweep's best.
   */
  async setRunIgnored(sweepId: string, runId: string, ignored = true): Promise<RunInfo> {
    return runFromProto(await this.call<PbRun>(methods().sweeps.SetRunIgnored,
      { sweep_id: sweepId, run_id: runId, ignored }));
  }

  /**
   * Queues a run's configuration to run again as a new run, before new suggestions;
   * returns how many configurations wait. FailedPreconditionError when the sweep is
   * finished or cancelled. Not retried: a lost reply would queue it twice.
   */
  async requeueRun(sweepId: string, runId: string): Promise<number> {
    const reply = await this.call<PbRequeueRunResponse>(methods().sweeps.RequeueRun,
      { sweep_id: sweepId, run_id: runId }, { retry: false });
    return int64ToNumber(reply.waiting);
  }

  // ------------------------------------------------------------------ metrics

  /** A run's stored points, in order (only `keys`, when given), read page by page. */
  async getRunMetrics(sweepId: string, runId: string, keys: string[] = [],
    options: { pageSize?: number } = {}): Promise<MetricPoint[]> {
    const points: MetricPoint[] = [];
    let pageToken = "";
    do {
      const page = await this.getRunMetricsPage(sweepId, runId, keys, { pageSize: options.pageSize, pageToken });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return points;
  }

  /**
   * One page of a run's points; pass its nextPageToken (and the same keys) for the next
   * one. A page may hold fewer points than pageSize, even none, while more follow (with
   * `keys`, points without them are left out).
   */
  async getRunMetricsPage(sweepId: string, runId: string, keys: string[] = [],
    options: PageOptions = {}): Promise<Page<MetricPoint>> {
    const reply = await this.call<PbGetRunMetricsResponse>(
      methods().metrics.GetRunMetrics,
      { sweep_id: sweepId, run_id: runId, keys, page_size: options.pageSize ?? 0, page_token: options.pageToken ?? "" });
    const items = reply.points.map((p) => ({
      step: int64ToNumber(p.step),
      wallTime: fromTimestamp(p.wall_time),
      values: valuesFromProto(p.values),
    }));
    return { items, nextPageToken: reply.next_page_token };
  }

  /**
   * Sends one batch (MetricService.ReportMetricsOnce). Not retried here: the caller
   * resends the same seq, which the controller stores once. A run's batches go on one
   * ReportMetrics stream instead (MetricStream, metricstream.ts): a message on an open
   * stream costs the controller less than a call.
   */
  async reportMetrics(batch: MetricBatchInput): Promise<MetricAck> {
    const ack = await this.call<PbMetricAck>(methods().metrics.ReportMetricsOnce, metricBatchToProto(batch),
      { retry: false, leaseCall: true });
    return metricAckFromProto(ack);
  }

  /** Opens a ReportMetrics stream (no deadline: MetricStream times each ack). Used by MetricStream. */
  reportMetricsStream(): grpc.ClientDuplexStream<PbMetricBatchIn, PbMetricAck> {
    return this.bidi<PbMetricBatchIn, PbMetricAck>(methods().metrics.ReportMetrics);
  }

  // ------------------------------------------------------------------ agent side

  /** pending -> running. Idempotent; LeaseLostError when the lease is gone. */
  async startRun(sweepId: string, runId: string, leaseToken: string): Promise<RunInfo> {
    return runFromProto(await this.call<PbRun>(methods().agents.StartRun,
      { sweep_id: sweepId, run_id: runId, lease_token: leaseToken }, { retry: false, leaseCall: true }));
  }

  /** Ends a run. Idempotent for the same outcome; LeaseLostError when the lease is gone. */
  async finishRun(input: FinishRunInput): Promise<RunInfo> {
    const request: PbFinishRunRequestIn = {
      sweep_id: input.sweepId,
      run_id: input.runId,
      lease_token: input.leaseToken,
      state: runStateToProto(input.state),
      error: errorTail(input.error ?? ""),
    };
    if (input.exitCode !== undefined) request.exit_code = input.exitCode;
    if (input.traceback) request.output = { traceback: utf8Tail(input.traceback) };
    return runFromProto(await this.call<PbRun>(methods().agents.FinishRun, request,
      { retry: false, leaseCall: true }));
  }

  /** Opens the agent's Connect stream (no deadline). Used by Agent. */
  connectStream(): grpc.ClientDuplexStream<PbAgentMessageIn, PbControllerMessage> {
    return this.bidi<PbAgentMessageIn, PbControllerMessage>(methods().agents.Connect);
  }

  /** A bidi stream of `method` with the API key, no deadline. */
  private bidi<Req, Res>(method: MethodDefinition): grpc.ClientDuplexStream<Req, Res> {
    return this.grpcClient.makeBidiStreamRequest(
      method.path,
      method.requestSerialize as (value: Req) => Buffer,
      method.responseDeserialize as (value: Buffer) => Res,
      this.metadata(),
      {},
    );
  }
}

/** This machine's name, as agents report it. */
export function hostname(): string {
  return os.hostname();
}
