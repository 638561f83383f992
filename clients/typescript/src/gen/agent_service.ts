import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { AgentHello as _sweepd_v1_AgentHello, AgentHello__Output as _sweepd_v1_AgentHello__Output } from './sweepd/v1/AgentHello';
import type { AgentMessage as _sweepd_v1_AgentMessage, AgentMessage__Output as _sweepd_v1_AgentMessage__Output } from './sweepd/v1/AgentMessage';
import type { AgentServiceClient as _sweepd_v1_AgentServiceClient, AgentServiceDefinition as _sweepd_v1_AgentServiceDefinition } from './sweepd/v1/AgentService';
import type { Condition as _sweepd_v1_Condition, Condition__Output as _sweepd_v1_Condition__Output } from './sweepd/v1/Condition';
import type { ControllerMessage as _sweepd_v1_ControllerMessage, ControllerMessage__Output as _sweepd_v1_ControllerMessage__Output } from './sweepd/v1/ControllerMessage';
import type { EarlyTerminate as _sweepd_v1_EarlyTerminate, EarlyTerminate__Output as _sweepd_v1_EarlyTerminate__Output } from './sweepd/v1/EarlyTerminate';
import type { FieldViolation as _sweepd_v1_FieldViolation, FieldViolation__Output as _sweepd_v1_FieldViolation__Output } from './sweepd/v1/FieldViolation';
import type { FinishRunRequest as _sweepd_v1_FinishRunRequest, FinishRunRequest__Output as _sweepd_v1_FinishRunRequest__Output } from './sweepd/v1/FinishRunRequest';
import type { GetRunMetricsRequest as _sweepd_v1_GetRunMetricsRequest, GetRunMetricsRequest__Output as _sweepd_v1_GetRunMetricsRequest__Output } from './sweepd/v1/GetRunMetricsRequest';
import type { GetRunMetricsResponse as _sweepd_v1_GetRunMetricsResponse, GetRunMetricsResponse__Output as _sweepd_v1_GetRunMetricsResponse__Output } from './sweepd/v1/GetRunMetricsResponse';
import type { Heartbeat as _sweepd_v1_Heartbeat, Heartbeat__Output as _sweepd_v1_Heartbeat__Output } from './sweepd/v1/Heartbeat';
import type { HeldRun as _sweepd_v1_HeldRun, HeldRun__Output as _sweepd_v1_HeldRun__Output } from './sweepd/v1/HeldRun';
import type { MetricAck as _sweepd_v1_MetricAck, MetricAck__Output as _sweepd_v1_MetricAck__Output } from './sweepd/v1/MetricAck';
import type { MetricBatch as _sweepd_v1_MetricBatch, MetricBatch__Output as _sweepd_v1_MetricBatch__Output } from './sweepd/v1/MetricBatch';
import type { MetricPoint as _sweepd_v1_MetricPoint, MetricPoint__Output as _sweepd_v1_MetricPoint__Output } from './sweepd/v1/MetricPoint';
import type { MetricServiceClient as _sweepd_v1_MetricServiceClient, MetricServiceDefinition as _sweepd_v1_MetricServiceDefinition } from './sweepd/v1/MetricService';
import type { MetricSpec as _sweepd_v1_MetricSpec, MetricSpec__Output as _sweepd_v1_MetricSpec__Output } from './sweepd/v1/MetricSpec';
import type { Objective as _sweepd_v1_Objective, Objective__Output as _sweepd_v1_Objective__Output } from './sweepd/v1/Objective';
import type { ParameterSpec as _sweepd_v1_ParameterSpec, ParameterSpec__Output as _sweepd_v1_ParameterSpec__Output } from './sweepd/v1/ParameterSpec';
import type { RetryPolicy as _sweepd_v1_RetryPolicy, RetryPolicy__Output as _sweepd_v1_RetryPolicy__Output } from './sweepd/v1/RetryPolicy';
import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from './sweepd/v1/Run';
import type { RunAssignment as _sweepd_v1_RunAssignment, RunAssignment__Output as _sweepd_v1_RunAssignment__Output } from './sweepd/v1/RunAssignment';
import type { RunCounts as _sweepd_v1_RunCounts, RunCounts__Output as _sweepd_v1_RunCounts__Output } from './sweepd/v1/RunCounts';
import type { RunOutput as _sweepd_v1_RunOutput, RunOutput__Output as _sweepd_v1_RunOutput__Output } from './sweepd/v1/RunOutput';
import type { RunRequest as _sweepd_v1_RunRequest, RunRequest__Output as _sweepd_v1_RunRequest__Output } from './sweepd/v1/RunRequest';
import type { StartRunRequest as _sweepd_v1_StartRunRequest, StartRunRequest__Output as _sweepd_v1_StartRunRequest__Output } from './sweepd/v1/StartRunRequest';
import type { StopReason as _sweepd_v1_StopReason, StopReason__Output as _sweepd_v1_StopReason__Output } from './sweepd/v1/StopReason';
import type { StopRun as _sweepd_v1_StopRun, StopRun__Output as _sweepd_v1_StopRun__Output } from './sweepd/v1/StopRun';
import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from './sweepd/v1/Sweep';
import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from './sweepd/v1/SweepConfig';
import type { SweepDone as _sweepd_v1_SweepDone, SweepDone__Output as _sweepd_v1_SweepDone__Output } from './sweepd/v1/SweepDone';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from './sweepd/v1/Value';
import type { ValueList as _sweepd_v1_ValueList, ValueList__Output as _sweepd_v1_ValueList__Output } from './sweepd/v1/ValueList';
import type { ValueMap as _sweepd_v1_ValueMap, ValueMap__Output as _sweepd_v1_ValueMap__Output } from './sweepd/v1/ValueMap';
import type { Welcome as _sweepd_v1_Welcome, Welcome__Output as _sweepd_v1_Welcome__Output } from './sweepd/v1/Welcome';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  sweepd: {
    v1: {
      AgentHello: MessageTypeDefinition<_sweepd_v1_AgentHello, _sweepd_v1_AgentHello__Output>
      AgentMessage: MessageTypeDefinition<_sweepd_v1_AgentMessage, _sweepd_v1_AgentMessage__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _sweepd_v1_AgentServiceClient> & { service: _sweepd_v1_AgentServiceDefinition }
      Condition: MessageTypeDefinition<_sweepd_v1_Condition, _sweepd_v1_Condition__Output>
      ControllerMessage: MessageTypeDefinition<_sweepd_v1_ControllerMessage, _sweepd_v1_ControllerMessage__Output>
      Distribution: EnumTypeDefinition
      EarlyTerminate: MessageTypeDefinition<_sweepd_v1_EarlyTerminate, _sweepd_v1_EarlyTerminate__Output>
      EarlyTerminateType: EnumTypeDefinition
      FieldViolation: MessageTypeDefinition<_sweepd_v1_FieldViolation, _sweepd_v1_FieldViolation__Output>
      FinishRunRequest: MessageTypeDefinition<_sweepd_v1_FinishRunRequest, _sweepd_v1_FinishRunRequest__Output>
      GetRunMetricsRequest: MessageTypeDefinition<_sweepd_v1_GetRunMetricsRequest, _sweepd_v1_GetRunMetricsRequest__Output>
      GetRunMetricsResponse: MessageTypeDefinition<_sweepd_v1_GetRunMetricsResponse, _sweepd_v1_GetRunMetricsResponse__Output>
      Goal: EnumTypeDefinition
      Heartbeat: MessageTypeDefinition<_sweepd_v1_Heartbeat, _sweepd_v1_Heartbeat__Output>
      HeldRun: MessageTypeDefinition<_sweepd_v1_HeldRun, _sweepd_v1_HeldRun__Output>
      MetricAck: MessageTypeDefinition<_sweepd_v1_MetricAck, _sweepd_v1_MetricAck__Output>
      MetricBatch: MessageTypeDefinition<_sweepd_v1_MetricBatch, _sweepd_v1_MetricBatch__Output>
      MetricPoint: MessageTypeDefinition<_sweepd_v1_MetricPoint, _sweepd_v1_MetricPoint__Output>
      MetricService: SubtypeConstructor<typeof grpc.Client, _sweepd_v1_MetricServiceClient> & { service: _sweepd_v1_MetricServiceDefinition }
      MetricSpec: MessageTypeDefinition<_sweepd_v1_MetricSpec, _sweepd_v1_MetricSpec__Output>
      Objective: MessageTypeDefinition<_sweepd_v1_Objective, _sweepd_v1_Objective__Output>
      ParameterSpec: MessageTypeDefinition<_sweepd_v1_ParameterSpec, _sweepd_v1_ParameterSpec__Output>
      RetryPolicy: MessageTypeDefinition<_sweepd_v1_RetryPolicy, _sweepd_v1_RetryPolicy__Output>
      Run: MessageTypeDefinition<_sweepd_v1_Run, _sweepd_v1_Run__Output>
      RunAssignment: MessageTypeDefinition<_sweepd_v1_RunAssignment, _sweepd_v1_RunAssignment__Output>
      RunCounts: MessageTypeDefinition<_sweepd_v1_RunCounts, _sweepd_v1_RunCounts__Output>
      RunOutput: MessageTypeDefinition<_sweepd_v1_RunOutput, _sweepd_v1_RunOutput__Output>
      RunRequest: MessageTypeDefinition<_sweepd_v1_RunRequest, _sweepd_v1_RunRequest__Output>
      RunState: EnumTypeDefinition
      SearchMethod: EnumTypeDefinition
      StartRunRequest: MessageTypeDefinition<_sweepd_v1_StartRunRequest, _sweepd_v1_StartRunRequest__Output>
      StopReason: MessageTypeDefinition<_sweepd_v1_StopReason, _sweepd_v1_StopReason__Output>
      StopRun: MessageTypeDefinition<_sweepd_v1_StopRun, _sweepd_v1_StopRun__Output>
      Sweep: MessageTypeDefinition<_sweepd_v1_Sweep, _sweepd_v1_Sweep__Output>
      SweepConfig: MessageTypeDefinition<_sweepd_v1_SweepConfig, _sweepd_v1_SweepConfig__Output>
      SweepDone: MessageTypeDefinition<_sweepd_v1_SweepDone, _sweepd_v1_SweepDone__Output>
      SweepState: EnumTypeDefinition
      Value: MessageTypeDefinition<_sweepd_v1_Value, _sweepd_v1_Value__Output>
      ValueList: MessageTypeDefinition<_sweepd_v1_ValueList, _sweepd_v1_ValueList__Output>
      ValueMap: MessageTypeDefinition<_sweepd_v1_ValueMap, _sweepd_v1_ValueMap__Output>
      Welcome: MessageTypeDefinition<_sweepd_v1_Welcome, _sweepd_v1_Welcome__Output>
    }
  }
}

