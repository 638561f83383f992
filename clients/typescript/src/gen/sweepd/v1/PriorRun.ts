// Original file: sweepd/v1/sweep_service.proto

import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from '../../sweepd/v1/Value';

export interface PriorRun {
  'config'?: ({[key: string]: _sweepd_v1_Value});
  'summary'?: ({[key: string]: _sweepd_v1_Value});
  'origin'?: (string);
}

export interface PriorRun__Output {
  'config': ({[key: string]: _sweepd_v1_Value__Output});
  'summary': ({[key: string]: _sweepd_v1_Value__Output});
  'origin': (string);
}
