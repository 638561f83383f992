// Original file: sweepd/v1/metric_service.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetRunMetricsRequest as _sweepd_v1_GetRunMetricsRequest, GetRunMetricsRequest__Output as _sweepd_v1_GetRunMetricsRequest__Output } from '../../sweepd/v1/GetRunMetricsRequest';
import type { GetRunMetricsResponse as _sweepd_v1_GetRunMetricsResponse, GetRunMetricsResponse__Output as _sweepd_v1_GetRunMetricsResponse__Output } from '../../sweepd/v1/GetRunMetricsResponse';
import type { MetricAck as _sweepd_v1_MetricAck, MetricAck__Output as _sweepd_v1_MetricAck__Output } from '../../sweepd/v1/MetricAck';
import type { MetricBatch as _sweepd_v1_MetricBatch, MetricBatch__Output as _sweepd_v1_MetricBatch__Output } from '../../sweepd/v1/MetricBatch';

export interface MetricServiceClient extends grpc.Client {
  GetRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  GetRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  getRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  getRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  getRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  getRunMetrics(argument: _sweepd_v1_GetRunMetricsRequest, callback: grpc.requestCallback<_sweepd_v1_GetRunMetricsResponse__Output>): grpc.ClientUnaryCall;
  
  ReportMetrics(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck__Output>;
  ReportMetrics(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck__Output>;
  reportMetrics(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck__Output>;
  reportMetrics(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck__Output>;
  
  ReportMetricsOnce(argument: _sweepd_v1_MetricBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  ReportMetricsOnce(argument: _sweepd_v1_MetricBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  ReportMetricsOnce(argument: _sweepd_v1_MetricBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  ReportMetricsOnce(argument: _sweepd_v1_MetricBatch, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  reportMetricsOnce(argument: _sweepd_v1_MetricBatch, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  reportMetricsOnce(argument: _sweepd_v1_MetricBatch, metadata: grpc.Metadata, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  reportMetricsOnce(argument: _sweepd_v1_MetricBatch, options: grpc.CallOptions, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  reportMetricsOnce(argument: _sweepd_v1_MetricBatch, callback: grpc.requestCallback<_sweepd_v1_MetricAck__Output>): grpc.ClientUnaryCall;
  
}

export interface MetricServiceHandlers extends grpc.UntypedServiceImplementation {
  GetRunMetrics: grpc.handleUnaryCall<_sweepd_v1_GetRunMetricsRequest__Output, _sweepd_v1_GetRunMetricsResponse>;
  
  ReportMetrics: grpc.handleBidiStreamingCall<_sweepd_v1_MetricBatch__Output, _sweepd_v1_MetricAck>;
  
  ReportMetricsOnce: grpc.handleUnaryCall<_sweepd_v1_MetricBatch__Output, _sweepd_v1_MetricAck>;
  
}

export interface MetricServiceDefinition extends grpc.ServiceDefinition {
  GetRunMetrics: MethodDefinition<_sweepd_v1_GetRunMetricsRequest, _sweepd_v1_GetRunMetricsResponse, _sweepd_v1_GetRunMetricsRequest__Output, _sweepd_v1_GetRunMetricsResponse__Output>
  ReportMetrics: MethodDefinition<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck, _sweepd_v1_MetricBatch__Output, _sweepd_v1_MetricAck__Output>
  ReportMetricsOnce: MethodDefinition<_sweepd_v1_MetricBatch, _sweepd_v1_MetricAck, _sweepd_v1_MetricBatch__Output, _sweepd_v1_MetricAck__Output>
}
