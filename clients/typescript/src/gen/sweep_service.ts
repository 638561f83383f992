import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from './google/protobuf/FieldMask';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { Condition as _sweepd_v1_Condition, Condition__Output as _sweepd_v1_Condition__Output } from './sweepd/v1/Condition';
import type { ConfigVersion as _sweepd_v1_ConfigVersion, ConfigVersion__Output as _sweepd_v1_ConfigVersion__Output } from './sweepd/v1/ConfigVersion';
import type { CreateSweepRequest as _sweepd_v1_CreateSweepRequest, CreateSweepRequest__Output as _sweepd_v1_CreateSweepRequest__Output } from './sweepd/v1/CreateSweepRequest';
import type { EarlyTerminate as _sweepd_v1_EarlyTerminate, EarlyTerminate__Output as _sweepd_v1_EarlyTerminate__Output } from './sweepd/v1/EarlyTerminate';
import type { FieldViolation as _sweepd_v1_FieldViolation, FieldViolation__Output as _sweepd_v1_FieldViolation__Output } from './sweepd/v1/FieldViolation';
import type { GetSweepRequest as _sweepd_v1_GetSweepRequest, GetSweepRequest__Output as _sweepd_v1_GetSweepRequest__Output } from './sweepd/v1/GetSweepRequest';
import type { ListConfigVersionsResponse as _sweepd_v1_ListConfigVersionsResponse, ListConfigVersionsResponse__Output as _sweepd_v1_ListConfigVersionsResponse__Output } from './sweepd/v1/ListConfigVersionsResponse';
import type { ListRunsRequest as _sweepd_v1_ListRunsRequest, ListRunsRequest__Output as _sweepd_v1_ListRunsRequest__Output } from './sweepd/v1/ListRunsRequest';
import type { ListRunsResponse as _sweepd_v1_ListRunsResponse, ListRunsResponse__Output as _sweepd_v1_ListRunsResponse__Output } from './sweepd/v1/ListRunsResponse';
import type { ListSweepsRequest as _sweepd_v1_ListSweepsRequest, ListSweepsRequest__Output as _sweepd_v1_ListSweepsRequest__Output } from './sweepd/v1/ListSweepsRequest';
import type { ListSweepsResponse as _sweepd_v1_ListSweepsResponse, ListSweepsResponse__Output as _sweepd_v1_ListSweepsResponse__Output } from './sweepd/v1/ListSweepsResponse';
import type { MetricSpec as _sweepd_v1_MetricSpec, MetricSpec__Output as _sweepd_v1_MetricSpec__Output } from './sweepd/v1/MetricSpec';
import type { Objective as _sweepd_v1_Objective, Objective__Output as _sweepd_v1_Objective__Output } from './sweepd/v1/Objective';
import type { ParameterSpec as _sweepd_v1_ParameterSpec, ParameterSpec__Output as _sweepd_v1_ParameterSpec__Output } from './sweepd/v1/ParameterSpec';
import type { PriorRun as _sweepd_v1_PriorRun, PriorRun__Output as _sweepd_v1_PriorRun__Output } from './sweepd/v1/PriorRun';
import type { RequeueRunRequest as _sweepd_v1_RequeueRunRequest, RequeueRunRequest__Output as _sweepd_v1_RequeueRunRequest__Output } from './sweepd/v1/RequeueRunRequest';
import type { RequeueRunResponse as _sweepd_v1_RequeueRunResponse, RequeueRunResponse__Output as _sweepd_v1_RequeueRunResponse__Output } from './sweepd/v1/RequeueRunResponse';
import type { RetryPolicy as _sweepd_v1_RetryPolicy, RetryPolicy__Output as _sweepd_v1_RetryPolicy__Output } from './sweepd/v1/RetryPolicy';
import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from './sweepd/v1/Run';
import type { RunCounts as _sweepd_v1_RunCounts, RunCounts__Output as _sweepd_v1_RunCounts__Output } from './sweepd/v1/RunCounts';
import type { SetRunIgnoredRequest as _sweepd_v1_SetRunIgnoredRequest, SetRunIgnoredRequest__Output as _sweepd_v1_SetRunIgnoredRequest__Output } from './sweepd/v1/SetRunIgnoredRequest';
import type { StopReason as _sweepd_v1_StopReason, StopReason__Output as _sweepd_v1_StopReason__Output } from './sweepd/v1/StopReason';
import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from './sweepd/v1/Sweep';
import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from './sweepd/v1/SweepConfig';
import type { SweepRef as _sweepd_v1_SweepRef, SweepRef__Output as _sweepd_v1_SweepRef__Output } from './sweepd/v1/SweepRef';
import type { SweepServiceClient as _sweepd_v1_SweepServiceClient, SweepServiceDefinition as _sweepd_v1_SweepServiceDefinition } from './sweepd/v1/SweepService';
import type { UpdateSweepRequest as _sweepd_v1_UpdateSweepRequest, UpdateSweepRequest__Output as _sweepd_v1_UpdateSweepRequest__Output } from './sweepd/v1/UpdateSweepRequest';
import type { UpdateSweepResponse as _sweepd_v1_UpdateSweepResponse, UpdateSweepResponse__Output as _sweepd_v1_UpdateSweepResponse__Output } from './sweepd/v1/UpdateSweepResponse';
import type { ValidateSweepRequest as _sweepd_v1_ValidateSweepRequest, ValidateSweepRequest__Output as _sweepd_v1_ValidateSweepRequest__Output } from './sweepd/v1/ValidateSweepRequest';
import type { ValidateSweepResponse as _sweepd_v1_ValidateSweepResponse, ValidateSweepResponse__Output as _sweepd_v1_ValidateSweepResponse__Output } from './sweepd/v1/ValidateSweepResponse';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from './sweepd/v1/Value';
import type { ValueList as _sweepd_v1_ValueList, ValueList__Output as _sweepd_v1_ValueList__Output } from './sweepd/v1/ValueList';
import type { ValueMap as _sweepd_v1_ValueMap, ValueMap__Output as _sweepd_v1_ValueMap__Output } from './sweepd/v1/ValueMap';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      FieldMask: MessageTypeDefinition<_google_protobuf_FieldMask, _google_protobuf_FieldMask__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  sweepd: {
    v1: {
      Condition: MessageTypeDefinition<_sweepd_v1_Condition, _sweepd_v1_Condition__Output>
      ConfigVersion: MessageTypeDefinition<_sweepd_v1_ConfigVersion, _sweepd_v1_ConfigVersion__Output>
      CreateSweepRequest: MessageTypeDefinition<_sweepd_v1_CreateSweepRequest, _sweepd_v1_CreateSweepRequest__Output>
      Distribution: EnumTypeDefinition
      EarlyTerminate: MessageTypeDefinition<_sweepd_v1_EarlyTerminate, _sweepd_v1_EarlyTerminate__Output>
      EarlyTerminateType: EnumTypeDefinition
      FieldViolation: MessageTypeDefinition<_sweepd_v1_FieldViolation, _sweepd_v1_FieldViolation__Output>
      GetSweepRequest: MessageTypeDefinition<_sweepd_v1_GetSweepRequest, _sweepd_v1_GetSweepRequest__Output>
      Goal: EnumTypeDefinition
      ListConfigVersionsResponse: MessageTypeDefinition<_sweepd_v1_ListConfigVersionsResponse, _sweepd_v1_ListConfigVersionsResponse__Output>
      ListRunsRequest: MessageTypeDefinition<_sweepd_v1_ListRunsRequest, _sweepd_v1_ListRunsRequest__Output>
      ListRunsResponse: MessageTypeDefinition<_sweepd_v1_ListRunsResponse, _sweepd_v1_ListRunsResponse__Output>
      ListSweepsRequest: MessageTypeDefinition<_sweepd_v1_ListSweepsRequest, _sweepd_v1_ListSweepsRequest__Output>
      ListSweepsResponse: MessageTypeDefinition<_sweepd_v1_ListSweepsResponse, _sweepd_v1_ListSweepsResponse__Output>
      MetricSpec: MessageTypeDefinition<_sweepd_v1_MetricSpec, _sweepd_v1_MetricSpec__Output>
      Objective: MessageTypeDefinition<_sweepd_v1_Objective, _sweepd_v1_Objective__Output>
      ParameterSpec: MessageTypeDefinition<_sweepd_v1_ParameterSpec, _sweepd_v1_ParameterSpec__Output>
      PriorRun: MessageTypeDefinition<_sweepd_v1_PriorRun, _sweepd_v1_PriorRun__Output>
      RequeueRunRequest: MessageTypeDefinition<_sweepd_v1_RequeueRunRequest, _sweepd_v1_RequeueRunRequest__Output>
      RequeueRunResponse: MessageTypeDefinition<_sweepd_v1_RequeueRunResponse, _sweepd_v1_RequeueRunResponse__Output>
      RetryPolicy: MessageTypeDefinition<_sweepd_v1_RetryPolicy, _sweepd_v1_RetryPolicy__Output>
      Run: MessageTypeDefinition<_sweepd_v1_Run, _sweepd_v1_Run__Output>
      RunCounts: MessageTypeDefinition<_sweepd_v1_RunCounts, _sweepd_v1_RunCounts__Output>
      RunState: EnumTypeDefinition
      SearchMethod: EnumTypeDefinition
      SetRunIgnoredRequest: MessageTypeDefinition<_sweepd_v1_SetRunIgnoredRequest, _sweepd_v1_SetRunIgnoredRequest__Output>
      StopReason: MessageTypeDefinition<_sweepd_v1_StopReason, _sweepd_v1_StopReason__Output>
      Sweep: MessageTypeDefinition<_sweepd_v1_Sweep, _sweepd_v1_Sweep__Output>
      SweepConfig: MessageTypeDefinition<_sweepd_v1_SweepConfig, _sweepd_v1_SweepConfig__Output>
      SweepRef: MessageTypeDefinition<_sweepd_v1_SweepRef, _sweepd_v1_SweepRef__Output>
      SweepService: SubtypeConstructor<typeof grpc.Client, _sweepd_v1_SweepServiceClient> & { service: _sweepd_v1_SweepServiceDefinition }
      SweepState: EnumTypeDefinition
      UpdateSweepRequest: MessageTypeDefinition<_sweepd_v1_UpdateSweepRequest, _sweepd_v1_UpdateSweepRequest__Output>
      UpdateSweepResponse: MessageTypeDefinition<_sweepd_v1_UpdateSweepResponse, _sweepd_v1_UpdateSweepResponse__Output>
      ValidateSweepRequest: MessageTypeDefinition<_sweepd_v1_ValidateSweepRequest, _sweepd_v1_ValidateSweepRequest__Output>
      ValidateSweepResponse: MessageTypeDefinition<_sweepd_v1_ValidateSweepResponse, _sweepd_v1_ValidateSweepResponse__Output>
      Value: MessageTypeDefinition<_sweepd_v1_Value, _sweepd_v1_Value__Output>
      ValueList: MessageTypeDefinition<_sweepd_v1_ValueList, _sweepd_v1_ValueList__Output>
      ValueMap: MessageTypeDefinition<_sweepd_v1_ValueMap, _sweepd_v1_ValueMap__Output>
    }
  }
}

