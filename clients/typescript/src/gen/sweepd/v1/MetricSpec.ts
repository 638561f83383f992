// Original file: sweepd/v1/types.proto

import type { Goal as _sweepd_v1_Goal, Goal__Output as _sweepd_v1_Goal__Output } from '../../sweepd/v1/Goal';

export interface MetricSpec {
  'name'?: (string);
  'goal'?: (_sweepd_v1_Goal);
  'target'?: (number | string);
  '_target'?: "target";
}

export interface MetricSpec__Output {
  'name': (string);
  'goal': (_sweepd_v1_Goal__Output);
  'target'?: (number);
  '_target'?: "target";
}
