// Original file: sweepd/v1/agent_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _sweepd_v1_AgentMessage, AgentMessage__Output as _sweepd_v1_AgentMessage__Output } from '../../sweepd/v1/AgentMessage';
import type { ControllerMessage as _sweepd_v1_ControllerMessage, ControllerMessage__Output as _sweepd_v1_ControllerMessage__Output } from '../../sweepd/v1/ControllerMessage';
import type { FinishRunRequest as _sweepd_v1_FinishRunRequest, FinishRunRequest__Output as _sweepd_v1_FinishRunRequest__Output } from '../../sweepd/v1/FinishRunRequest';
import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from '../../sweepd/v1/Run';
import type { StartRunRequest as _sweepd_v1_StartRunRequest, StartRunRequest__Output as _sweepd_v1_StartRunRequest__Output } from '../../sweepd/v1/StartRunRequest';

export interface AgentServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_AgentMessage, _sweepd_v1_ControllerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_AgentMessage, _sweepd_v1_ControllerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_AgentMessage, _sweepd_v1_ControllerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_AgentMessage, _sweepd_v1_ControllerMessage__Output>;
  
  FinishRun(argument: _sweepd_v1_FinishRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  FinishRun(argument: _sweepd_v1_FinishRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  FinishRun(argument: _sweepd_v1_FinishRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  FinishRun(argument: _sweepd_v1_FinishRunRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  finishRun(argument: _sweepd_v1_FinishRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  finishRun(argument: _sweepd_v1_FinishRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  finishRun(argument: _sweepd_v1_FinishRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  finishRun(argument: _sweepd_v1_FinishRunRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  
  StartRun(argument: _sweepd_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _sweepd_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _sweepd_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _sweepd_v1_StartRunRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _sweepd_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _sweepd_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _sweepd_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  startRun(argument: _sweepd_v1_StartRunRequest, callback: grpc.requestCallback<_sweepd_v1_Run__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_sweepd_v1_AgentMessage__Output, _sweepd_v1_ControllerMessage>;
  
  FinishRun: grpc.handleUnaryCall<_sweepd_v1_FinishRunRequest__Output, _sweepd_v1_Run>;
  
  StartRun: grpc.handleUnaryCall<_sweepd_v1_StartRunRequest__Output, _sweepd_v1_Run>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_sweepd_v1_AgentMessage, _sweepd_v1_ControllerMessage, _sweepd_v1_AgentMessage__Output, _sweepd_v1_ControllerMessage__Output>
  FinishRun: MethodDefinition<_sweepd_v1_FinishRunRequest, _sweepd_v1_Run, _sweepd_v1_FinishRunRequest__Output, _sweepd_v1_Run__Output>
  StartRun: MethodDefinition<_sweepd_v1_StartRunRequest, _sweepd_v1_Run, _sweepd_v1_StartRunRequest__Output, _sweepd_v1_Run__Output>
}
