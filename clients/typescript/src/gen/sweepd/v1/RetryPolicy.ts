// Original file: sweepd/v1/types.proto


export interface RetryPolicy {
  'max_attempts'?: (number);
}

export interface RetryPolicy__Output {
  'max_attempts': (number);
}
