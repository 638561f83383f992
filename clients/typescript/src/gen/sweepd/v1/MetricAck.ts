// Original file: sweepd/v1/metric_service.proto

import type { Long } from '@grpc/proto-loader';

export interface MetricAck {
  'run_id'?: (string);
  'seq'?: (number | string | Long);
  'duplicate'?: (boolean);
  'should_stop'?: (boolean);
}

export interface MetricAck__Output {
  'run_id': (string);
  'seq': (string);
  'duplicate': (boolean);
  'should_stop': (boolean);
}
