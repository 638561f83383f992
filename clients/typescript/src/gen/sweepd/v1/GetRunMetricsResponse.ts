// Original file: sweepd/v1/metric_service.proto

import type { MetricPoint as _sweepd_v1_MetricPoint, MetricPoint__Output as _sweepd_v1_MetricPoint__Output } from '../../sweepd/v1/MetricPoint';

export interface GetRunMetricsResponse {
  'points'?: (_sweepd_v1_MetricPoint)[];
  'next_page_token'?: (string);
}

export interface GetRunMetricsResponse__Output {
  'points': (_sweepd_v1_MetricPoint__Output)[];
  'next_page_token': (string);
}
