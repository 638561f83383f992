// Original file: sweepd/v1/types.proto

import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from '../../sweepd/v1/Value';

export interface Condition {
  'parent'?: (string);
  'values'?: (_sweepd_v1_Value)[];
}

export interface Condition__Output {
  'parent': (string);
  'values': (_sweepd_v1_Value__Output)[];
}
