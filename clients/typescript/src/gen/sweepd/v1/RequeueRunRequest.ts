// Original file: sweepd/v1/sweep_service.proto


export interface RequeueRunRequest {
  'sweep_id'?: (string);
  'run_id'?: (string);
}

export interface RequeueRunRequest__Output {
  'sweep_id': (string);
  'run_id': (string);
}
