// Original file: sweepd/v1/sweep_service.proto


export interface SweepRef {
  'sweep_id'?: (string);
}

export interface SweepRef__Output {
  'sweep_id': (string);
}
