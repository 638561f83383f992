// Original file: sweepd/v1/agent_service.proto


export interface StartRunRequest {
  'sweep_id'?: (string);
  'run_id'?: (string);
  'lease_token'?: (string);
}

export interface StartRunRequest__Output {
  'sweep_id': (string);
  'run_id': (string);
  'lease_token': (string);
}
