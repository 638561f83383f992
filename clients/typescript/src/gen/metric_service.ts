import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Condition as _sweepd_v1_Condition, Condition__Output as _sweepd_v1_Condition__Output } from './sweepd/v1/Condition';
import type { EarlyTerminate as _sweepd_v1_EarlyTerminate, EarlyTerminate__Output as _sweepd_v1_EarlyTerminate__Output } from './sweepd/v1/EarlyTerminate';
import type { FieldViolation as _sweepd_v1_FieldViolation, FieldViolation__Output as _sweepd_v1_FieldViolation__Output } from './sweepd/v1/FieldViolation';
import type { GetRunMetricsRequest as _sweepd_v1_GetRunMetricsRequest, GetRunMetricsRequest__Output as _sweepd_v1_GetRunMetricsRequest__Output } from './sweepd/v1/GetRunMetricsRequest';
import type { GetRunMetricsResponse as _sweepd_v1_GetRunMetricsResponse, GetRunMetricsResponse__Output as _sweepd_v1_GetRunMetricsResponse__Output } from './sweepd/v1/GetRunMetricsResponse';
import type { MetricAck as _sweepd_v1_MetricAck, MetricAck__Output as _sweepd_v1_MetricAck__Output } from './sweepd/v1/MetricAck';
import type { MetricBatch as _sweepd_v1_MetricBatch, MetricBatch__Output as _sweepd_v1_MetricBatch__Output } from './sweepd/v1/MetricBatch';
import type { MetricPoint as _sweepd_v1_MetricPoint, MetricPoint__Output as _sweepd_v1_MetricPoint__Output } from './sweepd/v1/MetricPoint';
import type { MetricServiceClient as _sweepd_v1_MetricServiceClient, MetricServiceDefinition as _sweepd_v1_MetricServiceDefinition } from './sweepd/v1/MetricService';
import type { MetricSpec as _sweepd_v1_MetricSpec, MetricSpec__Output as _sweepd_v1_MetricSpec__Output } from './sweepd/v1/MetricSpec';
import type { Objective as _sweepd_v1_Objective, Objective__Output as _sweepd_v1_Objective__Output } from './sweepd/v1/Objective';
import type { ParameterSpec as _sweepd_v1_ParameterSpec, ParameterSpec__Output as _sweepd_v1_ParameterSpec__Output } from './sweepd/v1/ParameterSpec';
import type { RetryPolicy as _sweepd_v1_RetryPolicy, RetryPolicy__Output as _sweepd_v1_RetryPolicy__Output } from './sweepd/v1/RetryPolicy';
import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from './sweepd/v1/Run';
import type { RunCounts as _sweepd_v1_RunCounts, RunCounts__Output as _sweepd_v1_RunCounts__Output } from './sweepd/v1/RunCounts';
import type { StopReason as _sweepd_v1_StopReason, StopReason__Output as _sweepd_v1_StopReason__Output } from './sweepd/v1/StopReason';
import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from './sweepd/v1/Sweep';
import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from './sweepd/v1/SweepConfig';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from './sweepd/v1/Value';
import type { ValueList as _sweepd_v1_ValueList, ValueList__Output as _sweepd_v1_ValueList__Output } from './sweepd/v1/ValueList';
import type { ValueMap as _sweepd_v1_ValueMap, ValueMap__Output as _sweepd_v1_ValueMap__Output } from './sweepd/v1/ValueMap';

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
      Condition: MessageTypeDefinition<_sweepd_v1_Condition, _sweepd_v1_Condition__Output>
      Distribution: EnumTypeDefinition
      EarlyTerminate: MessageTypeDefinition<_sweepd_v1_EarlyTerminate, _sweepd_v1_EarlyTerminate__Output>
      EarlyTerminateType: EnumTypeDefinition
      FieldViolation: MessageTypeDefinition<_sweepd_v1_FieldViolation, _sweepd_v1_FieldViolation__Output>
      GetRunMetricsRequest: MessageTypeDefinition<_sweepd_v1_GetRunMetricsRequest, _sweepd_v1_GetRunMetricsRequest__Output>
      GetRunMetricsResponse: MessageTypeDefinition<_sweepd_v1_GetRunMetricsResponse, _sweepd_v1_GetRunMetricsResponse__Output>
      Goal: EnumTypeDefinition
      MetricAck: MessageTypeDefinition<_sweepd_v1_MetricAck, _sweepd_v1_MetricAck__Output>
      MetricBatch: MessageTypeDefinition<_sweepd_v1_MetricBatch, _sweepd_v1_MetricBatch__Output>
      MetricPoint: MessageTypeDefinition<_sweepd_v1_MetricPoint, _sweepd_v1_MetricPoint__Output>
      MetricService: SubtypeConstructor<typeof grpc.Client, _sweepd_v1_MetricServiceClient> & { service: _sweepd_v1_MetricServiceDefinition }
      MetricSpec: MessageTypeDefinition<_sweepd_v1_MetricSpec, _sweepd_v1_MetricSpec__Output>
      Objective: MessageTypeDefinition<_sweepd_v1_Objective, _sweepd_v1_Objective__Output>
      ParameterSpec: MessageTypeDefinition<_sweepd_v1_ParameterSpec, _sweepd_v1_ParameterSpec__Output>
      RetryPolicy: MessageTypeDefinition<_sweepd_v1_RetryPolicy, _sweepd_v1_RetryPolicy__Output>
      Run: MessageTypeDefinition<_sweepd_v1_Run, _sweepd_v1_Run__Output>
      RunCounts: MessageTypeDefinition<_sweepd_v1_RunCounts, _sweepd_v1_RunCounts__Output>
      RunState: EnumTypeDefinition
      SearchMethod: EnumTypeDefinition
      StopReason: MessageTypeDefinition<_sweepd_v1_StopReason, _sweepd_v1_StopReason__Output>
      Sweep: MessageTypeDefinition<_sweepd_v1_Sweep, _sweepd_v1_Sweep__Output>
      SweepConfig: MessageTypeDefinition<_sweepd_v1_SweepConfig, _sweepd_v1_SweepConfig__Output>
      SweepState: EnumTypeDefinition
      Value: MessageTypeDefinition<_sweepd_v1_Value, _sweepd_v1_Value__Output>
      ValueList: MessageTypeDefinition<_sweepd_v1_ValueList, _sweepd_v1_ValueList__Output>
      ValueMap: MessageTypeDefinition<_sweepd_v1_ValueMap, _sweepd_v1_ValueMap__Output>
    }
  }
}

