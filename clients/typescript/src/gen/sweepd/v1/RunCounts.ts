// Original file: sweepd/v1/types.proto


export interface RunCounts {
  'pending'?: (number);
  'running'?: (number);
  'finished'?: (number);
  'failed'?: (number);
  'crashed'?: (number);
  'stopped'?: (number);
}

export interface RunCounts__Output {
  'pending': (number);
  'running': (number);
  'finished': (number);
  'failed': (number);
  'crashed': (number);
  'stopped': (number);
}
