// Original file: sweepd/v1/agent_service.proto

import type { SweepState as _sweepd_v1_SweepState, SweepState__Output as _sweepd_v1_SweepState__Output } from '../../sweepd/v1/SweepState';

export interface SweepDone {
  'state'?: (_sweepd_v1_SweepState);
  'message'?: (string);
}

export interface SweepDone__Output {
  'state': (_sweepd_v1_SweepState__Output);
  'message': (string);
}
