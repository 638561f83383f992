/**
 * The shapes of sweepd.v1 messages as @grpc/proto-loader hands them over with the
 * options in proto.ts: field names as in the .proto files (keepCase), int64 as
 * decimal strings (longs: String; numbers are accepted on the way out), enums as
 * their names, unset scalars as their defaults, unset messages as null, and a
 * `kind` naming the member that is set for every oneof.
 *
 * Only what this package reads or writes is typed; the .proto files are the contract.
 */

export type Int64 = string | number;

export interface PbTimestamp {
  seconds: Int64;
  nanos: number;
}

export interface PbValue {
  kind?: "null_value" | "double_value" | "int_value" | "string_value" | "bool_value" | "map_value" | "list_value";
  null_value?: boolean;
  double_value?: number;
  int_value?: Int64;
  string_value?: string;
  bool_value?: boolean;
  map_value?: { fields: Record<string, PbValue> } | null;
  list_value?: { items: PbValue[] } | null;
}

export interface PbParameterSpec {
  distribution?: string;
  value?: PbValue | null;
  values?: PbValue[];
  probabilities?: number[];
  min?: PbValue | null;
  max?: PbValue | null;
  q?: PbValue | null;
  mu?: number;
  sigma?: number;
  a?: number;
  b?: number;
  parameters?: Record<string, PbParameterSpec>;
  default?: PbValue | null;
  when?: PbCondition[];
}

export interface PbCondition {
  parent: string;
  values?: PbValue[];
}

export interface PbSweepConfig {
  method?: string;
  metric?: { name: string; goal: string; target?: number } | null;
  parameters?: Record<string, PbParameterSpec>;
  early_terminate?: {
    type: string;
    min_iter?: number;
    max_iter?: number;
    s?: number;
    eta?: number;
    strict?: boolean;
  } | null;
  run_cap?: number;
  program?: string;
  command?: string[];
  name?: string;
  description?: string;
  project?: string;
  entity?: string;
  retry?: { max_attempts: number } | null;
  constraints?: string[];
  metrics?: PbObjective[];
}

export interface PbObjective {
  name: string;
  goal: string;
  threshold?: number;
}

export interface PbRunCounts {
  pending: number;
  running: number;
  finished: number;
  failed: number;
  crashed: number;
  stopped: number;
}

export interface PbSweep {
  id: string;
  config: PbSweepConfig | null;
  state: string;
  create_time: PbTimestamp | null;
  update_time: PbTimestamp | null;
  run_counts: PbRunCounts | null;
  best_run_id: string;
  best_value?: number;
  warnings: string[];
  prior_run_count: number;
  config_version: number;
  pareto_front_size?: number;
  hypervolume?: number;
  hypervolume_reference?: number[];
}

export interface PbStopReason {
  kind: string;
  message: string;
  band?: number;
  value?: number;
  threshold?: number;
}

export interface PbRun {
  id: string;
  sweep_id: string;
  state: string;
  config: Record<string, PbValue>;
  number: number;
  agent_id: string;
  attempt: number;
  create_time: PbTimestamp | null;
  start_time: PbTimestamp | null;
  end_time: PbTimestamp | null;
  exit_code?: number;
  error: string;
  stop_reason: PbStopReason | null;
  summary: Record<string, PbValue>;
  point_count: Int64;
  note: string;
  prior: boolean;
  ignored: boolean;
  config_version: number;
  objective_values?: Record<string, number>;
  pareto_rank?: number;
  pareto_optimal?: boolean;
}

export interface PbPriorRun {
  config: Record<string, PbValue>;
  summary: Record<string, PbValue>;
  origin: string;
}

export interface PbConfigVersion {
  version: number;
  create_time: PbTimestamp | null;
  config: PbSweepConfig | null;
  changed_paths: string[];
}

export interface PbUpdateSweepResponse {
  sweep: PbSweep | null;
  version: PbConfigVersion | null;
  changed: boolean;
}

export interface PbFieldViolation {
  field: string;
  description: string;
}

export interface PbValidateSweepResponse {
  violations: PbFieldViolation[];
  warnings: string[];
}

export interface PbHeldRun {
  run_id: string;
  lease_token: string;
}

export interface PbAgentMessage {
  hello?: { sweep_id: string; agent_id: string; hostname: string; held_runs: PbHeldRun[] };
  run_request?: { count: number };
  heartbeat?: { held_runs: PbHeldRun[] };
}

export interface PbWelcome {
  agent_id: string;
  lease_duration_seconds: number;
  heartbeat_interval_seconds: number;
  sweep: PbSweep | null;
}

export interface PbRunAssignment {
  run: PbRun | null;
  lease_token: string;
  command: string[];
  program: string;
}

export interface PbControllerMessage {
  kind?: "welcome" | "assignment" | "stop" | "done";
  welcome?: PbWelcome | null;
  assignment?: PbRunAssignment | null;
  stop?: { run_id: string; reason: PbStopReason | null } | null;
  done?: { state: string; message: string } | null;
}

export interface PbMetricPoint {
  step: Int64;
  wall_time: PbTimestamp | null;
  values: Record<string, PbValue>;
}

export interface PbMetricBatch {
  sweep_id: string;
  run_id: string;
  lease_token: string;
  seq: Int64;
  points: PbMetricPoint[];
}

export interface PbMetricAck {
  run_id: string;
  seq: Int64;
  duplicate: boolean;
  should_stop: boolean;
}
