// Original file: sweepd/v1/sweep_service.proto


export interface GetSweepRequest {
  'sweep_id'?: (string);
}

export interface GetSweepRequest__Output {
  'sweep_id': (string);
}
