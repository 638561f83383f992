// Original file: sweepd/v1/types.proto

import type { EarlyTerminateType as _sweepd_v1_EarlyTerminateType, EarlyTerminateType__Output as _sweepd_v1_EarlyTerminateType__Output } from '../../sweepd/v1/EarlyTerminateType';

export interface EarlyTerminate {
  'type'?: (_sweepd_v1_EarlyTerminateType);
  'min_iter'?: (number);
  'max_iter'?: (number);
  's'?: (number);
  'eta'?: (number | string);
  'strict'?: (boolean);
  '_min_iter'?: "min_iter";
  '_max_iter'?: "max_iter";
  '_s'?: "s";
  '_eta'?: "eta";
  '_strict'?: "strict";
}

export interface EarlyTerminate__Output {
  'type': (_sweepd_v1_EarlyTerminateType__Output);
  'min_iter'?: (number);
  'max_iter'?: (number);
  's'?: (number);
  'eta'?: (number);
  'strict'?: (boolean);
  '_min_iter'?: "min_iter";
  '_max_iter'?: "max_iter";
  '_s'?: "s";
  '_eta'?: "eta";
  '_strict'?: "strict";
}
