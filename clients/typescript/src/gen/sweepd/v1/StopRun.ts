// Original file: sweepd/v1/agent_service.proto

import type { StopReason as _sweepd_v1_StopReason, StopReason__Output as _sweepd_v1_StopReason__Output } from '../../sweepd/v1/StopReason';

export interface StopRun {
  'run_id'?: (string);
  'reason'?: (_sweepd_v1_StopReason | null);
}

export interface StopRun__Output {
  'run_id': (string);
  'reason': (_sweepd_v1_StopReason__Output | null);
}
