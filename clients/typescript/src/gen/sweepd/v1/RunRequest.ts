// Original file: sweepd/v1/agent_service.proto


export interface RunRequest {
  'count'?: (number);
}

export interface RunRequest__Output {
  'count': (number);
}
