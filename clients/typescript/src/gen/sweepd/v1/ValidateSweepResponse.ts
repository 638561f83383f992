// Original file: sweepd/v1/sweep_service.proto

import type { FieldViolation as _sweepd_v1_FieldViolation, FieldViolation__Output as _sweepd_v1_FieldViolation__Output } from '../../sweepd/v1/FieldViolation';

export interface ValidateSweepResponse {
  'violations'?: (_sweepd_v1_FieldViolation)[];
  'warnings'?: (string)[];
}

export interface ValidateSweepResponse__Output {
  'violations': (_sweepd_v1_FieldViolation__Output)[];
  'warnings': (string)[];
}
