// Original file: sweepd/v1/types.proto


export interface StopReason {
  'kind'?: (string);
  'message'?: (string);
  'band'?: (number);
  'value'?: (number | string);
  'threshold'?: (number | string);
  '_band'?: "band";
  '_value'?: "value";
  '_threshold'?: "threshold";
}

export interface StopReason__Output {
  'kind': (string);
  'message': (string);
  'band'?: (number);
  'value'?: (number);
  'threshold'?: (number);
  '_band'?: "band";
  '_value'?: "value";
  '_threshold'?: "threshold";
}
