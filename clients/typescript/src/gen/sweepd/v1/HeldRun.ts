// Original file: sweepd/v1/agent_service.proto


export interface HeldRun {
  'run_id'?: (string);
  'lease_token'?: (string);
}

export interface HeldRun__Output {
  'run_id': (string);
  'lease_token': (string);
}
