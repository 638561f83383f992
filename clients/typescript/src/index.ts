/**
 * sweepd for TypeScript / Node.js: a client of the sweepd controller and an agent.
 *
 *   import { Client, agent } from "@sweepd/client";
 *   const client = new Client("127.0.0.1:50051");
 *   const sweep = await client.createSweep({ method: "grid", parameters: { lr: { values: [0.1, 0.01] } } });
 *   await agent(sweep.id, async (run) => { run.log({ loss: 1 / Number(run.config.lr) }); });
 */

export { Agent, agent, type AgentOptions, type RunFunction } from "./agent";
export { backoffDelays } from "./backoff";
export {
  Client,
  channelTarget,
  controllerAddress,
  DEFAULT_CONTROLLER,
  ERROR_MAX_CHARS,
  errorTail,
  type ClientOptions,
  type FinishRunInput,
  type MetricAck,
  type MetricBatchInput,
  type MetricPointInput,
  type UpdateSweepInput,
  type ValidationResult,
} from "./client";
export {
  AlreadyExistsError,
  CancelledError,
  DETAILS_METADATA_KEY,
  FailedPreconditionError,
  fromGrpcError,
  InternalError,
  InvalidArgumentError,
  InvalidStateError,
  LeaseLostError,
  NotFoundError,
  PermissionDeniedError,
  RefusedChangeError,
  SweepdError,
  UnauthenticatedError,
  UnavailableError,
  UnimplementedError,
  VIOLATIONS_METADATA_KEY,
  type FieldViolation,
} from "./errors";
export { defaultLogger, silentLogger, type Logger } from "./logger";
export {
  MetricStream,
  type MetricReporter,
  type MetricStreamOptions,
} from "./metricstream";
export { protoDir } from "./proto";
export { MetricSender, Run, RunStoppedError, type MetricSenderOptions } from "./run";
export {
  configFromProto,
  configToProto,
  configVersionFromProto,
  DISTRIBUTIONS,
  RUN_STATES,
  SEARCH_METHODS,
  SWEEP_STATES,
  type Bound,
  type ConfigVersion,
  type Distribution,
  type FinalRunState,
  type Goal,
  type MetricPoint,
  type Objective,
  type Page,
  type PageOptions,
  type ParameterConfig,
  type PriorRun,
  type RunCounts,
  type RunInfo,
  type RunState,
  type SearchMethod,
  type StopReason,
  type Sweep,
  type SweepConfig,
  type SweepState,
  type SweepUpdate,
} from "./types";
export { Double, double, fromValue, toValue } from "./values";
