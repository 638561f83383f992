// Original file: sweepd/v1/metric_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from '../../sweepd/v1/Value';
import type { Long } from '@grpc/proto-loader';

export interface MetricPoint {
  'step'?: (number | string | Long);
  'wall_time'?: (_google_protobuf_Timestamp | null);
  'values'?: ({[key: string]: _sweepd_v1_Value});
}

export interface MetricPoint__Output {
  'step': (string);
  'wall_time': (_google_protobuf_Timestamp__Output | null);
  'values': ({[key: string]: _sweepd_v1_Value__Output});
}
