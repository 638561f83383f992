// Original file: sweepd/v1/sweep_service.proto


export interface SetRunIgnoredRequest {
  'sweep_id'?: (string);
  'run_id'?: (string);
  'ignored'?: (boolean);
}

export interface SetRunIgnoredRequest__Output {
  'sweep_id': (string);
  'run_id': (string);
  'ignored': (boolean);
}
