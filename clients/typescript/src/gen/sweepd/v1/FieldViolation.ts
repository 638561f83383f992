// Original file: sweepd/v1/types.proto


export interface FieldViolation {
  'field'?: (string);
  'description'?: (string);
}

export interface FieldViolation__Output {
  'field': (string);
  'description': (string);
}
