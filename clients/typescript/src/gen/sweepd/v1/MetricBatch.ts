// Original file: sweepd/v1/metric_service.proto

import type { MetricPoint as _sweepd_v1_MetricPoint, MetricPoint__Output as _sweepd_v1_MetricPoint__Output } from '../../sweepd/v1/MetricPoint';
import type { Long } from '@grpc/proto-loader';

export interface MetricBatch {
  'sweep_id'?: (string);
  'run_id'?: (string);
  'lease_token'?: (string);
  'seq'?: (number | string | Long);
  'points'?: (_sweepd_v1_MetricPoint)[];
}

export interface MetricBatch__Output {
  'sweep_id': (string);
  'run_id': (string);
  'lease_token': (string);
  'seq': (string);
  'points': (_sweepd_v1_MetricPoint__Output)[];
}
