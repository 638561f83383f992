// Original file: sweepd/v1/metric_service.proto


export interface GetRunMetricsRequest {
  'sweep_id'?: (string);
  'run_id'?: (string);
  'keys'?: (string)[];
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface GetRunMetricsRequest__Output {
  'sweep_id': (string);
  'run_id': (string);
  'keys': (string)[];
  'page_size': (number);
  'page_token': (string);
}
