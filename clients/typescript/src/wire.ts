/**
 * The sweepd.v1 messages on the wire, as generated from proto/ by @grpc/proto-loader's
 * generator (src/gen, made by scripts/gen_proto.sh with the loader options of proto.ts;
 * never edited by hand). `Pb<Name>` is a message as this package receives it (int64 as
 * decimal strings, enums as their names, unset scalars as their defaults, unset
 * messages as null, `kind` naming the member of a oneof that is set); `Pb<Name>In` is
 * what may be sent (every field optional, numbers accepted for int64).
 */

export type { AgentMessage as PbAgentMessageIn } from "./gen/sweepd/v1/AgentMessage";
export type { ConfigVersion__Output as PbConfigVersion } from "./gen/sweepd/v1/ConfigVersion";
export type { ControllerMessage__Output as PbControllerMessage } from "./gen/sweepd/v1/ControllerMessage";
export type { Distribution as PbDistributionIn } from "./gen/sweepd/v1/Distribution";
export type { EarlyTerminate as PbEarlyTerminateIn } from "./gen/sweepd/v1/EarlyTerminate";
export type { EarlyTerminateType as PbEarlyTerminateTypeIn } from "./gen/sweepd/v1/EarlyTerminateType";
export type { FinishRunRequest as PbFinishRunRequestIn } from "./gen/sweepd/v1/FinishRunRequest";
export type { Goal as PbGoalIn } from "./gen/sweepd/v1/Goal";
export type { HeldRun as PbHeldRunIn } from "./gen/sweepd/v1/HeldRun";
export type { ListConfigVersionsResponse__Output as PbListConfigVersionsResponse } from "./gen/sweepd/v1/ListConfigVersionsResponse";
export type { ListRunsResponse__Output as PbListRunsResponse } from "./gen/sweepd/v1/ListRunsResponse";
export type { ListSweepsResponse__Output as PbListSweepsResponse } from "./gen/sweepd/v1/ListSweepsResponse";
export type { GetRunMetricsResponse__Output as PbGetRunMetricsResponse } from "./gen/sweepd/v1/GetRunMetricsResponse";
export type { MetricAck__Output as PbMetricAck } from "./gen/sweepd/v1/MetricAck";
export type { MetricBatch as PbMetricBatchIn } from "./gen/sweepd/v1/MetricBatch";
export type { MetricSpec as PbMetricSpecIn } from "./gen/sweepd/v1/MetricSpec";
export type { Objective as PbObjectiveIn, Objective__Output as PbObjective } from "./gen/sweepd/v1/Objective";
export type {
  ParameterSpec as PbParameterSpecIn,
  ParameterSpec__Output as PbParameterSpec,
} from "./gen/sweepd/v1/ParameterSpec";
export type { RequeueRunResponse__Output as PbRequeueRunResponse } from "./gen/sweepd/v1/RequeueRunResponse";
export type { Run__Output as PbRun } from "./gen/sweepd/v1/Run";
export type { RunState as PbRunStateIn } from "./gen/sweepd/v1/RunState";
export type { SearchMethod as PbSearchMethodIn } from "./gen/sweepd/v1/SearchMethod";
export type { StopReason__Output as PbStopReason } from "./gen/sweepd/v1/StopReason";
export type { Sweep__Output as PbSweep } from "./gen/sweepd/v1/Sweep";
export type { SweepConfig as PbSweepConfigIn, SweepConfig__Output as PbSweepConfig } from "./gen/sweepd/v1/SweepConfig";
export type { UpdateSweepResponse__Output as PbUpdateSweepResponse } from "./gen/sweepd/v1/UpdateSweepResponse";
export type { ValidateSweepResponse__Output as PbValidateSweepResponse } from "./gen/sweepd/v1/ValidateSweepResponse";
export type { Value as PbValueIn, Value__Output as PbValue } from "./gen/sweepd/v1/Value";
export type { Timestamp as PbTimestampIn, Timestamp__Output as PbTimestamp } from "./gen/google/protobuf/Timestamp";
