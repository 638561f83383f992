// Original file: sweepd/v1/sweep_service.proto

import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from '../../sweepd/v1/SweepConfig';

export interface ValidateSweepRequest {
  'config'?: (_sweepd_v1_SweepConfig | null);
}

export interface ValidateSweepRequest__Output {
  'config': (_sweepd_v1_SweepConfig__Output | null);
}
