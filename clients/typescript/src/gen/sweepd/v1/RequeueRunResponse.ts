// Original file: sweepd/v1/sweep_service.proto

import type { Long } from '@grpc/proto-loader';

export interface RequeueRunResponse {
  'waiting'?: (number | string | Long);
}

export interface RequeueRunResponse__Output {
  'waiting': (string);
}
