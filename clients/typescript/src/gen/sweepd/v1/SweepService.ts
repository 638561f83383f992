// Original file: sweepd/v1/sweep_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateSweepRequest as _sweepd_v1_CreateSweepRequest, CreateSweepRequest__Output as _sweepd_v1_CreateSweepRequest__Output } from '../../sweepd/v1/CreateSweepRequest';
import type { GetSweepRequest as _sweepd_v1_GetSweepRequest, GetSweepRequest__Output as _sweepd_v1_GetSweepRequest__Output } from '../../sweepd/v1/GetSweepRequest';
import type { ListConfigVersionsResponse as _sweepd_v1_ListConfigVersionsResponse, ListConfigVersionsResponse__Output as _sweepd_v1_ListConfigVersionsResponse__Output } from '../../sweepd/v1/ListConfigVersionsResponse';
import type { ListRunsRequest as _sweepd_v1_ListRunsRequest, ListRunsRequest__Output as _sweepd_v1_ListRunsRequest__Output } from '../../sweepd/v1/ListRunsRequest';
import type { ListRunsResponse as _sweepd_v1_ListRunsResponse, ListRunsResponse__Output as _sweepd_v1_ListRunsResponse__Output } from '../../sweepd/v1/ListRunsResponse';
import type { ListSweepsRequest as _sweepd_v1_ListSweepsRequest, ListSweepsRequest__Output as _sweepd_v1_ListSweepsRequest__Output } from '../../sweepd/v1/ListSweepsRequest';
import type { ListSweepsResponse as _sweepd_v1_ListSweepsResponse, ListSweepsResponse__Output as _sweepd_v1_ListSweepsResponse__Output } from '../../sweepd/v1/ListSweepsResponse';
import type { RequeueRunRequest as _sweepd_v1_RequeueRunRequest, RequeueRunRequest__Output as _sweepd_v1_RequeueRunRequest__Output } from '../../sweepd/v1/RequeueRunRequest';
import type { RequeueRunResponse as _sweepd_v1_RequeueRunResponse, RequeueRunResponse__Output as _sweepd_v1_RequeueRunResponse__Output } from '../../sweepd/v1/RequeueRunResponse';
import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from '../../sweepd/v1/Run';
import type { SetRunIgnoredRequest as _sweepd_v1_SetRunIgnoredRequest, SetRunIgnoredRequest__Output as _sweepd_v1_SetRunIgnoredRequest__Output } from '../../sweepd/v1/SetRunIgnoredRequest';
import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from '../../sweepd/v1/Sweep';
import type { SweepRef as _sweepd_v1_SweepRef, SweepRef__Output as _sweepd_v1_SweepRef__Output } from '../../sweepd/v1/SweepRef';
import type { UpdateSweepRequest as _sweepd_v1_UpdateSweepRequest, UpdateSweepRequest__Output as _sweepd_v1_UpdateSweepRequest__Output } from '../../sweepd/v1/UpdateSweepRequest';
import type { UpdateSweepResponse as _sweepd_v1_UpdateSweepResponse, UpdateSweepResponse__Output as _sweepd_v1_UpdateSweepResponse__Output } from '../../sweepd/v1/UpdateSweepResponse';
import type { ValidateSweepRequest as _sweepd_v1_ValidateSweepRequest, ValidateSweepRequest__Output as _sweepd_v1_ValidateSweepRequest__Output } from '../../sweepd/v1/ValidateSweepRequest';
import type { ValidateSweepResponse as _sweepd_v1_ValidateSweepResponse, ValidateSweepResponse__Output as _sweepd_v1_ValidateSweepResponse__Output } from '../../sweepd/v1/ValidateSweepResponse';

export interface SweepServiceClient extends grpc.Client {
  CancelSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CancelSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  cancelSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  CreateSweep(argument: _sweepd_v1_CreateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CreateSweep(argument: _sweepd_v1_CreateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CreateSweep(argument: _sweepd_v1_CreateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  CreateSweep(argument: _sweepd_v1_CreateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  createSweep(argument: _sweepd_v1_CreateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  createSweep(argument: _sweepd_v1_CreateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  createSweep(argument: _sweepd_v1_CreateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  createSweep(argument: _sweepd_v1_CreateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  GetSweep(argument: _sweepd_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sweepd_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sweepd_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  GetSweep(argument: _sweepd_v1_GetSweepRequest, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sweepd_v1_GetSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sweepd_v1_GetSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sweepd_v1_GetSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  getSweep(argument: _sweepd_v1_GetSweepRequest, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  ListConfigVersions(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListConfigVersions(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListConfigVersions(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  ListConfigVersions(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  listConfigVersions(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  listConfigVersions(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  listConfigVersions(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  listConfigVersions(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_ListConfigVersionsResponse__Output>): grpc.ClientUnaryCall;
  
  ListRuns(argument: _sweepd_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _sweepd_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _sweepd_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _sweepd_v1_ListRunsRequest, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _sweepd_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _sweepd_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _sweepd_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _sweepd_v1_ListRunsRequest, callback: grpc.requestCallback<_sweepd_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  
  ListSweeps(argument: _sweepd_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sweepd_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sweepd_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  ListSweeps(argument: _sweepd_v1_ListSweepsRequest, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sweepd_v1_ListSweepsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sweepd_v1_ListSweepsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sweepd_v1_ListSweepsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  listSweeps(argument: _sweepd_v1_ListSweepsRequest, callback: grpc.requestCallback<_sweepd_v1_ListSweepsResponse__Output>): grpc.ClientUnaryCall;
  
  PauseSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  PauseSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  PauseSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  PauseSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  pauseSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  pauseSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  pauseSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  pauseSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  RequeueRun(argument: _sweepd_v1_RequeueRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  RequeueRun(argument: _sweepd_v1_RequeueRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  RequeueRun(argument: _sweepd_v1_RequeueRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  RequeueRun(argument: _sweepd_v1_RequeueRunRequest, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  requeueRun(argument: _sweepd_v1_RequeueRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  requeueRun(argument: _sweepd_v1_RequeueRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  requeueRun(argument: _sweepd_v1_RequeueRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  requeueRun(argument: _sweepd_v1_RequeueRunRequest, callback: grpc.requestCallback<_sweepd_v1_RequeueRunResponse__Output>): grpc.ClientUnaryCall;
  
  ResumeSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  ResumeSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  ResumeSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  ResumeSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  resumeSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  resumeSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  resumeSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  resumeSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  SetRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  SetRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  SetRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  SetRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  setRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  setRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  setRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  setRunIgnored(argument: _sweepd_v1_SetRunIgnoredRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  
  StopSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  StopSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  StopSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  StopSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  stopSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  stopSweep(argument: _sweepd_v1_SweepRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  stopSweep(argument: _sweepd_v1_SweepRef, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  stopSweep(argument: _sweepd_v1_SweepRef, callback: grpc.requestCallback<_sweepd_v1_Sweep__Output>): grpc.ClientUnaryCall;
  
  UpdateSweep(argument: _sweepd_v1_UpdateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  UpdateSweep(argument: _sweepd_v1_UpdateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  UpdateSweep(argument: _sweepd_v1_UpdateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  UpdateSweep(argument: _sweepd_v1_UpdateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  updateSweep(argument: _sweepd_v1_UpdateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  updateSweep(argument: _sweepd_v1_UpdateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  updateSweep(argument: _sweepd_v1_UpdateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  updateSweep(argument: _sweepd_v1_UpdateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_UpdateSweepResponse__Output>): grpc.ClientUnaryCall;
  
  ValidateSweep(argument: _sweepd_v1_ValidateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  ValidateSweep(argument: _sweepd_v1_ValidateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  ValidateSweep(argument: _sweepd_v1_ValidateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  ValidateSweep(argument: _sweepd_v1_ValidateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  validateSweep(argument: _sweepd_v1_ValidateSweepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  validateSweep(argument: _sweepd_v1_ValidateSweepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  validateSweep(argument: _sweepd_v1_ValidateSweepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  validateSweep(argument: _sweepd_v1_ValidateSweepRequest, callback: grpc.requestCallback<_sweepd_v1_ValidateSweepResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface SweepServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelSweep: grpc.handleUnaryCall<_sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep>;
  
  CreateSweep: grpc.handleUnaryCall<_sweepd_v1_CreateSweepRequest__Output, _sweepd_v1_Sweep>;
  
  GetSweep: grpc.handleUnaryCall<_sweepd_v1_GetSweepRequest__Output, _sweepd_v1_Sweep>;
  
  ListConfigVersions: grpc.handleUnaryCall<_sweepd_v1_SweepRef__Output, _sweepd_v1_ListConfigVersionsResponse>;
  
  ListRuns: grpc.handleUnaryCall<_sweepd_v1_ListRunsRequest__Output, _sweepd_v1_ListRunsResponse>;
  
  ListSweeps: grpc.handleUnaryCall<_sweepd_v1_ListSweepsRequest__Output, _sweepd_v1_ListSweepsResponse>;
  
  PauseSweep: grpc.handleUnaryCall<_sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep>;
  
  RequeueRun: grpc.handleUnaryCall<_sweepd_v1_RequeueRunRequest__Output, _sweepd_v1_RequeueRunResponse>;
  
  ResumeSweep: grpc.handleUnaryCall<_sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep>;
  
  SetRunIgnored: grpc.handleUnaryCall<_sweepd_v1_SetRunIgnoredRequest__Output, _sweepd_v1_Run>;
  
  StopSweep: grpc.handleUnaryCall<_sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep>;
  
  UpdateSweep: grpc.handleUnaryCall<_sweepd_v1_UpdateSweepRequest__Output, _sweepd_v1_UpdateSweepResponse>;
  
  ValidateSweep: grpc.handleUnaryCall<_sweepd_v1_ValidateSweepRequest__Output, _sweepd_v1_ValidateSweepResponse>;
  
}

export interface SweepServiceDefinition extends grpc.ServiceDefinition {
  CancelSweep: MethodDefinition<_sweepd_v1_SweepRef, _sweepd_v1_Sweep, _sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep__Output>
  CreateSweep: MethodDefinition<_sweepd_v1_CreateSweepRequest, _sweepd_v1_Sweep, _sweepd_v1_CreateSweepRequest__Output, _sweepd_v1_Sweep__Output>
  GetSweep: MethodDefinition<_sweepd_v1_GetSweepRequest, _sweepd_v1_Sweep, _sweepd_v1_GetSweepRequest__Output, _sweepd_v1_Sweep__Output>
  ListConfigVersions: MethodDefinition<_sweepd_v1_SweepRef, _sweepd_v1_ListConfigVersionsResponse, _sweepd_v1_SweepRef__Output, _sweepd_v1_ListConfigVersionsResponse__Output>
  ListRuns: MethodDefinition<_sweepd_v1_ListRunsRequest, _sweepd_v1_ListRunsResponse, _sweepd_v1_ListRunsRequest__Output, _sweepd_v1_ListRunsResponse__Output>
  ListSweeps: MethodDefinition<_sweepd_v1_ListSweepsRequest, _sweepd_v1_ListSweepsResponse, _sweepd_v1_ListSweepsRequest__Output, _sweepd_v1_ListSweepsResponse__Output>
  PauseSweep: MethodDefinition<_sweepd_v1_SweepRef, _sweepd_v1_Sweep, _sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep__Output>
  RequeueRun: MethodDefinition<_sweepd_v1_RequeueRunRequest, _sweepd_v1_RequeueRunResponse, _sweepd_v1_RequeueRunRequest__Output, _sweepd_v1_RequeueRunResponse__Output>
  ResumeSweep: MethodDefinition<_sweepd_v1_SweepRef, _sweepd_v1_Sweep, _sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep__Output>
  SetRunIgnored: MethodDefinition<_sweepd_v1_SetRunIgnoredRequest, _sweepd_v1_Run, _sweepd_v1_SetRunIgnoredRequest__Output, _sweepd_v1_Run__Output>
  StopSweep: MethodDefinition<_sweepd_v1_SweepRef, _sweepd_v1_Sweep, _sweepd_v1_SweepRef__Output, _sweepd_v1_Sweep__Output>
  UpdateSweep: MethodDefinition<_sweepd_v1_UpdateSweepRequest, _sweepd_v1_UpdateSweepResponse, _sweepd_v1_UpdateSweepRequest__Output, _sweepd_v1_UpdateSweepResponse__Output>
  ValidateSweep: MethodDefinition<_sweepd_v1_ValidateSweepRequest, _sweepd_v1_ValidateSweepResponse, _sweepd_v1_ValidateSweepRequest__Output, _sweepd_v1_ValidateSweepResponse__Output>
}
