/**
 * The public objects of this package and their mapping from and to sweepd.v1 messages.
 * Proto enum names never leak out: states, methods, goals and distributions are the
 * lower-case words of the sweep-config vocabulary ("grid", "finished", "int_uniform").
 */

import { InvalidArgumentError } from "./errors";
import { Double, fromTimestamp, fromValue, int64ToNumber, toValue, valuesFromProto } from "./values";
import type {
  PbConfigVersion,
  PbDistributionIn,
  PbEarlyTerminateIn,
  PbEarlyTerminateTypeIn,
  PbGoalIn,
  PbMetricSpecIn,
  PbObjective,
  PbObjectiveIn,
  PbParameterSpec,
  PbParameterSpecIn,
  PbRun,
  PbRunStateIn,
  PbSearchMethodIn,
  PbStopReason,
  PbSweep,
  PbSweepConfig,
  PbSweepConfigIn,
  PbValueIn,
} from "./wire";

export const SEARCH_METHODS = ["grid", "random", "bayes"] as const;
export const GOALS = ["minimize", "maximize"] as const;
export const DISTRIBUTIONS = [
  "constant", "categorical", "categorical_w_probabilities", "int_uniform", "uniform", "q_uniform",
  "log_uniform", "log_uniform_values", "q_log_uniform", "q_log_uniform_values", "inv_log_uniform",
  "inv_log_uniform_values", "normal", "q_normal", "log_normal", "q_log_normal", "beta", "q_beta",
  "nested",
] as const;
export const EARLY_TERMINATE_TYPES = ["hyperband", "asha", "median"] as const;
export const RUN_STATES = ["pending", "running", "finished", "failed", "crashed", "stopped"] as const;
export const SWEEP_STATES = ["running", "paused", "finishing", "finished", "cancelled"] as const;

export type SearchMethod = (typeof SEARCH_METHODS)[number];
export type Goal = (typeof GOALS)[number];
export type Distribution = (typeof DISTRIBUTIONS)[number];
export type EarlyTerminateType = (typeof EARLY_TERMINATE_TYPES)[number];
export type RunState = (typeof RUN_STATES)[number];
export type SweepState = (typeof SWEEP_STATES)[number];
/** The states a run can be finished in. */
export type FinalRunState = "finished" | "failed" | "stopped";

/** A bound or step: a number, a `double(x)` to force a float, or a bigint. */
export type Bound = number | Double | bigint;

/** One parameter of the search space, in the W&B sweep-config vocabulary. */
export interface ParameterConfig {
  distribution?: Distribution;
  value?: unknown;
  values?: unknown[];
  probabilities?: number[];
  min?: Bound;
  max?: Bound;
  q?: Bound;
  mu?: number;
  sigma?: number;
  a?: number;
  b?: number;
  parameters?: Record<string, ParameterConfig>;
  /** The value runs made before this parameter was added (updateSweep) are taken to have had. */
  default?: unknown;
  /**
   * sweepd's conditions: the parameter exists only while every named parent (dotted
   * path for a nested one) holds the value, or one of the list of values.
   * `{ optimizer: "sgd" }`, `{ optimizer: ["adam", "adamw"], layers: 2 }`.
   */
  when?: Record<string, unknown>;
}

/**
 * One objective of a multi-objective sweep (sweepd's `metrics`): the logged key, its
 * goal, and the worst value that still counts (the hypervolume's reference there).
 */
export interface Objective {
  name: string;
  goal?: Goal;
  threshold?: number;
}

/** A sweep config, as in a W&B sweep YAML (snake_case keys). */
export interface SweepConfig {
  method: SearchMethod;
  metric?: { name: string; goal?: Goal; target?: number };
  /** sweepd's: 2 to 4 objectives make a multi-objective sweep (not together with `metric`). */
  metrics?: Objective[];
  parameters: Record<string, ParameterConfig>;
  early_terminate?: {
    type: EarlyTerminateType;
    min_iter?: number;
    max_iter?: number;
    s?: number;
    eta?: number;
    strict?: boolean;
  };
  run_cap?: number;
  program?: string;
  command?: string[];
  name?: string;
  description?: string;
  project?: string;
  entity?: string;
  retry?: { max_attempts: number };
  /** sweepd's constraints: expressions every suggested config satisfies ("a * b <= 4096"). */
  constraints?: string[];
}

export interface RunCounts {
  pending: number;
  running: number;
  finished: number;
  failed: number;
  crashed: number;
  stopped: number;
}

export interface Sweep {
  id: string;
  config: SweepConfig;
  state: SweepState;
  createTime?: Date;
  updateTime?: Date;
  runCounts: RunCounts;
  /** The best run so far by the sweep's metric ("" when none logged it). */
  bestRunId: string;
  bestValue?: number;
  /** Remarks on the config; in createSweep's reply also one per prior run left out. */
  warnings: string[];
  /** Prior runs the sweep was created with (those that fit its space). */
  priorRunCount: number;
  /** The version of `config` (1 until updateSweep changes it). */
  configVersion: number;
  /** Multi-objective sweeps: how many ranked runs are on the Pareto front. */
  paretoFrontSize: number;
  /** Multi-objective sweeps: the volume the ranked runs dominate (unset: none is ranked). */
  hypervolume?: number;
  /** Its reference point, one value per objective in config.metrics order (own units). */
  hypervolumeReference: number[];
}

/** One version of a sweep's config. */
export interface ConfigVersion {
  /** 1 for the config the sweep was created with, then 2, 3, ... */
  version: number;
  createTime?: Date;
  config: SweepConfig;
  /** The field paths it changed from the version before (e.g. "run_cap"); empty for version 1. */
  changedPaths: string[];
}

/** What updateSweep did. */
export interface SweepUpdate {
  sweep: Sweep;
  /** The version made (the current one when nothing changed). */
  version: ConfigVersion;
  changed: boolean;
}

/** Why a run was stopped. */
export interface StopReason {
  /** "user", "cancelled", "hyperband", "asha", "median", "lease", ... */
  kind: string;
  message: string;
  band?: number;
  value?: number;
  threshold?: number;
}

export interface RunInfo {
  id: string;
  sweepId: string;
  state: RunState;
  config: Record<string, unknown>;
  /** 1-based creation order within the sweep. */
  number: number;
  agentId: string;
  attempt: number;
  createTime?: Date;
  startTime?: Date;
  endTime?: Date;
  exitCode?: number;
  error: string;
  stopReason?: StopReason;
  /** Latest value of each logged key. */
  summary: Record<string, unknown>;
  /** Metric points stored for this run. */
  pointCount: number;
  /** How the search chose this config; for a prior run, where it came from. */
  note: string;
  /** Done elsewhere and given to createSweep (PriorRun): an observation, not a run of this sweep. */
  prior: boolean;
  /** Left out of search and of the sweep's best run (Client.setRunIgnored). */
  ignored: boolean;
  /** The sweep's config version this run was made under. */
  configVersion: number;
  /**
   * Multi-objective sweeps: objective name -> the best value of it the run logged
   * (set, maybe empty, on every run the client reads; optional for RunInfo built by hand).
   */
  objectives?: Record<string, number>;
  /**
   * Multi-objective sweeps (listRuns, setRunIgnored): the run's non-dominated rank,
   * 0 = on the Pareto front; unset for a run that is not ranked (missing an objective,
   * prior, ignored) and for runs of single-objective sweeps.
   */
  paretoRank?: number;
  /** paretoRank is 0 (set on every run the client reads). */
  paretoOptimal?: boolean;
}

/**
 * A run done elsewhere, given to createSweep so that search starts from it: its
 * parameter values and final logged values (which must hold the sweep's metric).
 */
export interface PriorRun {
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** Where it came from (e.g. "runs.csv row 4"), quoted in warnings and the run's note. */
  origin?: string;
}

/**
 * One page of a listing (ListRuns, GetRunMetrics) and the token of the next page
 * ("" when this page is the last one). Tokens are opaque.
 */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/** Which page to read: `pageSize` items (0: the controller's default, 1,000), after `pageToken`. */
export interface PageOptions {
  pageSize?: number;
  pageToken?: string;
}

export interface MetricPoint {
  step: number;
  wallTime?: Date;
  values: Record<string, unknown>;
}

// ------------------------------------------------------------------ enums

/** The enum value's wire name (`E`: the generated enum type it is sent as). */
function enumToProto<E extends string | number, T extends string = string>(
  prefix: string, known: readonly T[], value: unknown, path: string,
): E {
  if (value === undefined || value === null || value === "") return `${prefix}UNSPECIFIED` as E;
  if (typeof value === "string" && (known as readonly string[]).includes(value)) {
    return (prefix + value.toUpperCase()) as E;
  }
  const description = `unknown value ${JSON.stringify(value)}; expected one of ${known.join(", ")}`;
  throw new InvalidArgumentError(`${path}: ${description}`, [{ field: path, description }]);
}

function enumFromProto(prefix: string, name: string | undefined): string | undefined {
  if (!name || !name.startsWith(prefix) || name.endsWith("_UNSPECIFIED")) return undefined;
  return name.slice(prefix.length).toLowerCase();
}

export function runStateToProto(state: FinalRunState | RunState): PbRunStateIn {
  return enumToProto<PbRunStateIn>("RUN_STATE_", RUN_STATES, state, "state");
}

export function runStateFromProto(name: string): RunState {
  return (enumFromProto("RUN_STATE_", name) as RunState | undefined) ?? "pending";
}

export function sweepStateFromProto(name: string): SweepState {
  return (enumFromProto("SWEEP_STATE_", name) as SweepState | undefined) ?? "running";
}

// ------------------------------------------------------------------ config

const SPEC_KEYS = new Set([
  "distribution", "value", "values", "probabilities", "min", "max", "q", "mu", "sigma", "a", "b",
  "parameters", "default", "when",
]);
const TOP_KEYS = new Set([
  "method", "metric", "metrics", "parameters", "early_terminate", "run_cap", "program", "command",
  "name", "description", "project", "entity", "retry", "constraints",
]);
const OBJECTIVE_KEYS = new Set(["name", "goal", "threshold"]);
/** Distributions whose bounds are always floats. */
const FLOAT_BOUNDS = new Set([
  "uniform", "log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values",
  "normal", "log_normal", "beta",
]);

function violation(path: string, description: string): InvalidArgumentError {
  return new InvalidArgumentError(`${path}: ${description}`, [{ field: path, description }]);
}

function isIntegral(b: Bound): boolean {
  if (typeof b === "bigint") return true;
  if (b instanceof Double) return false;
  return typeof b === "number" && Number.isSafeInteger(b);
}

function boundToProto(b: Bound, asInt: boolean, path: string): PbValueIn {
  if (typeof b === "bigint" || b instanceof Double) return toValue(b, path);
  if (typeof b !== "number") throw violation(path, "must be a number");
  return asInt && Number.isSafeInteger(b) ? { int_value: b } : { double_value: b };
}

function numberField(x: unknown, path: string): number {
  const n = x instanceof Double ? x.value : x;
  if (typeof n !== "number") throw violation(path, "must be a number");
  return n;
}

function specToProto(spec: unknown, path: string): PbParameterSpecIn {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw violation(path, "must be a mapping");
  const s = spec as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!SPEC_KEYS.has(key)) throw violation(`${path}.${key}`, "unknown key");
  }
  const out: PbParameterSpecIn = {
    distribution: enumToProto<PbDistributionIn>("DISTRIBUTION_", DISTRIBUTIONS, s.distribution, `${path}.distribution`),
  };
  if ("value" in s) out.value = toValue(s.value, `${path}.value`);
  if (s.default !== undefined && s.default !== null) out.default = toValue(s.default, `${path}.default`);
  if (s.values !== undefined) {
    if (!Array.isArray(s.values)) throw violation(`${path}.values`, "must be a list");
    out.values = s.values.map((v, i) => toValue(v, `${path}.values[${i}]`));
  }
  if (s.probabilities !== undefined) {
    if (!Array.isArray(s.probabilities)) throw violation(`${path}.probabilities`, "must be a list of numbers");
    out.probabilities = s.probabilities.map((p, i) => numberField(p, `${path}.probabilities[${i}]`));
  }
  // Ints or floats: JS cannot tell 1 from 1.0, so the distribution decides, and
  // without one, bounds that are all integral are ints (as in a YAML file).
  const bounds = (["min", "max", "q"] as const).filter((k) => s[k] !== undefined && s[k] !== null);
  const dist = typeof s.distribution === "string" ? s.distribution : "";
  const asInt = dist === "int_uniform" ||
    (!FLOAT_BOUNDS.has(dist) && bounds.every((k) => isIntegral(s[k] as Bound)));
  for (const k of bounds) out[k] = boundToProto(s[k] as Bound, asInt, `${path}.${k}`);
  for (const k of ["mu", "sigma", "a", "b"] as const) {
    if (s[k] !== undefined && s[k] !== null) out[k] = numberField(s[k], `${path}.${k}`);
  }
  if (s.parameters !== undefined) {
    if (s.parameters === null || typeof s.parameters !== "object") {
      throw violation(`${path}.parameters`, "must be a mapping");
    }
    out.parameters = {};
    for (const [name, sub] of Object.entries(s.parameters as Record<string, unknown>)) {
      out.parameters[name] = specToProto(sub, `${path}.parameters.${name}`);
    }
  }
  if (s.when !== undefined) {
    if (s.when === null || typeof s.when !== "object" || Array.isArray(s.when)) {
      throw violation(`${path}.when`, "must be a mapping of parent to a value or a list of values");
    }
    out.when = Object.entries(s.when as Record<string, unknown>).map(([parent, allowed]) => ({
      parent,
      values: (Array.isArray(allowed) ? allowed : [allowed]).map((v, i) =>
        toValue(v, `${path}.when.${parent}[${i}]`)),
    }));
  }
  return out;
}

/** A sweep config as a sweepd.v1.SweepConfig; throws InvalidArgumentError naming the field. */
export function configToProto(config: SweepConfig): PbSweepConfigIn {
  if (config === null || typeof config !== "object") throw violation("config", "must be a mapping");
  const c = config as unknown as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!TOP_KEYS.has(key)) throw violation(key, "unknown key");
  }
  const out: PbSweepConfigIn = {
    method: enumToProto<PbSearchMethodIn>("SEARCH_METHOD_", SEARCH_METHODS, config.method, "method"),
    parameters: {},
  };
  if (config.metric) {
    const metric: PbMetricSpecIn = {
      name: String(config.metric.name ?? ""),
      goal: enumToProto<PbGoalIn>("GOAL_", GOALS, config.metric.goal, "metric.goal"),
    };
    if (config.metric.target !== undefined && config.metric.target !== null) {
      metric.target = numberField(config.metric.target, "metric.target");
    }
    out.metric = metric;
  }
  if (config.metrics !== undefined) out.metrics = objectivesToProto(config.metrics);
  for (const [name, spec] of Object.entries(config.parameters ?? {})) {
    out.parameters![name] = specToProto(spec, `parameters.${name}`);
  }
  const early = config.early_terminate;
  if (early) {
    const terminate: PbEarlyTerminateIn = {
      type: enumToProto<PbEarlyTerminateTypeIn>("EARLY_TERMINATE_TYPE_", EARLY_TERMINATE_TYPES, early.type,
        "early_terminate.type"),
    };
    for (const k of ["min_iter", "max_iter", "s", "eta"] as const) {
      if (early[k] !== undefined && early[k] !== null) {
        terminate[k] = numberField(early[k], `early_terminate.${k}`);
      }
    }
    if (early.strict !== undefined && early.strict !== null) terminate.strict = !!early.strict;
    out.early_terminate = terminate;
  }
  if (config.run_cap) out.run_cap = numberField(config.run_cap, "run_cap");
  for (const k of ["program", "name", "description", "project", "entity"] as const) {
    if (config[k]) out[k] = String(config[k]);
  }
  if (config.command) {
    if (!Array.isArray(config.command)) throw violation("command", "must be a list of strings");
    out.command = config.command.map(String);
  }
  if (config.retry) out.retry = { max_attempts: numberField(config.retry.max_attempts ?? 1, "retry.max_attempts") };
  if (config.constraints !== undefined) {
    if (!Array.isArray(config.constraints)) throw violation("constraints", "must be a list of strings");
    out.constraints = config.constraints.map((text, i) => {
      if (typeof text !== "string") throw violation(`constraints[${i}]`, "must be a string");
      return text;
    });
  }
  return out;
}

function objectivesToProto(metrics: unknown): PbObjectiveIn[] {
  if (!Array.isArray(metrics)) throw violation("metrics", "must be a list of objectives {name, goal, threshold}");
  return metrics.map((item, i) => {
    const path = `metrics[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw violation(path, "must be a mapping {name, goal, threshold}");
    }
    const o = item as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!OBJECTIVE_KEYS.has(key)) throw violation(`${path}.${key}`, "unknown key");
    }
    const out: PbObjectiveIn = {
      name: String(o.name ?? ""),
      goal: enumToProto<PbGoalIn>("GOAL_", GOALS, o.goal, `${path}.goal`),
    };
    if (o.threshold !== undefined && o.threshold !== null) {
      out.threshold = numberField(o.threshold, `${path}.threshold`);
    }
    return out;
  });
}

function objectivesFromProto(metrics: PbObjective[]): Objective[] {
  return metrics.map((o) => {
    const out: Objective = { name: o.name };
    const goal = enumFromProto("GOAL_", o.goal);
    if (goal) out.goal = goal as Goal;
    if (o.threshold !== undefined && o.threshold !== null) out.threshold = o.threshold;
    return out;
  });
}

function specFromProto(spec: PbParameterSpec): ParameterConfig {
  const out: ParameterConfig = {};
  const dist = enumFromProto("DISTRIBUTION_", spec.distribution);
  if (dist) out.distribution = dist as Distribution;
  if (spec.value) out.value = fromValue(spec.value);
  if (spec.default) out.default = fromValue(spec.default);
  if (spec.values && spec.values.length) out.values = spec.values.map(fromValue);
  if (spec.probabilities && spec.probabilities.length) out.probabilities = [...spec.probabilities];
  for (const k of ["min", "max", "q"] as const) {
    const v = spec[k];
    if (v) out[k] = fromValue(v) as number;
  }
  for (const k of ["mu", "sigma", "a", "b"] as const) {
    if (spec[k] !== undefined) out[k] = spec[k];
  }
  if (spec.parameters && Object.keys(spec.parameters).length) {
    out.parameters = {};
    for (const [k, v] of Object.entries(spec.parameters)) out.parameters[k] = specFromProto(v);
  }
  if (spec.when && spec.when.length) {
    const when: Record<string, unknown[]> = {};
    for (const c of spec.when) (when[c.parent] ??= []).push(...(c.values ?? []).map(fromValue));
    out.when = when;
  }
  return out;
}

/** A sweepd.v1.SweepConfig as a config object (unset fields left out). */
export function configFromProto(c: PbSweepConfig | null | undefined): SweepConfig {
  const out: SweepConfig = {
    method: (enumFromProto("SEARCH_METHOD_", c?.method) ?? "random") as SearchMethod,
    parameters: {},
  };
  if (!c) return out;
  if (c.metric) {
    out.metric = { name: c.metric.name };
    const goal = enumFromProto("GOAL_", c.metric.goal);
    if (goal) out.metric.goal = goal as Goal;
    if (c.metric.target !== undefined) out.metric.target = c.metric.target;
  }
  if (c.metrics && c.metrics.length) out.metrics = objectivesFromProto(c.metrics);
  for (const [k, v] of Object.entries(c.parameters ?? {})) out.parameters[k] = specFromProto(v);
  if (c.early_terminate) {
    const e = c.early_terminate;
    out.early_terminate = { type: enumFromProto("EARLY_TERMINATE_TYPE_", e.type) as EarlyTerminateType };
    for (const k of ["min_iter", "max_iter", "s", "eta", "strict"] as const) {
      if (e[k] !== undefined) (out.early_terminate as Record<string, unknown>)[k] = e[k];
    }
  }
  if (c.run_cap) out.run_cap = c.run_cap;
  for (const k of ["program", "name", "description", "project", "entity"] as const) {
    if (c[k]) out[k] = c[k];
  }
  if (c.command && c.command.length) out.command = [...c.command];
  if (c.retry) out.retry = { max_attempts: c.retry.max_attempts };
  if (c.constraints && c.constraints.length) out.constraints = [...c.constraints];
  return out;
}

// ------------------------------------------------------------------ sweeps and runs

export function sweepFromProto(s: PbSweep): Sweep {
  const c = s.run_counts;
  const out: Sweep = {
    id: s.id,
    config: configFromProto(s.config),
    state: sweepStateFromProto(s.state),
    createTime: fromTimestamp(s.create_time),
    updateTime: fromTimestamp(s.update_time),
    runCounts: {
      pending: c?.pending ?? 0,
      running: c?.running ?? 0,
      finished: c?.finished ?? 0,
      failed: c?.failed ?? 0,
      crashed: c?.crashed ?? 0,
      stopped: c?.stopped ?? 0,
    },
    bestRunId: s.best_run_id,
    warnings: [...(s.warnings ?? [])],
    priorRunCount: s.prior_run_count ?? 0,
    configVersion: s.config_version || 1,
    paretoFrontSize: s.pareto_front_size ?? 0,
    hypervolumeReference: [...(s.hypervolume_reference ?? [])],
  };
  if (s.best_value !== undefined) out.bestValue = s.best_value;
  if (s.hypervolume !== undefined && s.hypervolume !== null) out.hypervolume = s.hypervolume;
  return out;
}

export function stopReasonFromProto(r: PbStopReason | null | undefined): StopReason | undefined {
  if (!r || !r.kind) return undefined;
  const out: StopReason = { kind: r.kind, message: r.message };
  for (const k of ["band", "value", "threshold"] as const) {
    if (r[k] !== undefined) out[k] = r[k];
  }
  return out;
}

export function runFromProto(r: PbRun): RunInfo {
  const out: RunInfo = {
    id: r.id,
    sweepId: r.sweep_id,
    state: runStateFromProto(r.state),
    config: valuesFromProto(r.config),
    number: r.number,
    agentId: r.agent_id,
    attempt: r.attempt,
    createTime: fromTimestamp(r.create_time),
    startTime: fromTimestamp(r.start_time),
    endTime: fromTimestamp(r.end_time),
    error: r.error,
    stopReason: stopReasonFromProto(r.stop_reason),
    summary: valuesFromProto(r.summary),
    pointCount: int64ToNumber(r.point_count),
    note: r.note,
    prior: !!r.prior,
    ignored: !!r.ignored,
    configVersion: r.config_version || 1,
    objectives: { ...(r.objective_values ?? {}) },
    paretoOptimal: !!r.pareto_optimal,
  };
  if (r.exit_code !== undefined) out.exitCode = r.exit_code;
  if (r.pareto_rank !== undefined && r.pareto_rank !== null) out.paretoRank = r.pareto_rank;
  return out;
}

export function configVersionFromProto(v: PbConfigVersion): ConfigVersion {
  return {
    version: v.version,
    createTime: fromTimestamp(v.create_time),
    config: configFromProto(v.config),
    changedPaths: [...(v.changed_paths ?? [])],
  };
}
