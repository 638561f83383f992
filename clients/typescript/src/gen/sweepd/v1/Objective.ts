// Original file: sweepd/v1/types.proto

import type { Goal as _sweepd_v1_Goal, Goal__Output as _sweepd_v1_Goal__Output } from '../../sweepd/v1/Goal';

export interface Objective {
  'name'?: (string);
  'goal'?: (_sweepd_v1_Goal);
  'threshold'?: (number | string);
  '_threshold'?: "threshold";
}

export interface Objective__Output {
  'name': (string);
  'goal': (_sweepd_v1_Goal__Output);
  'threshold'?: (number);
  '_threshold'?: "threshold";
}
