// Original file: sweepd/v1/sweep_service.proto

import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from '../../sweepd/v1/SweepConfig';
import type { PriorRun as _sweepd_v1_PriorRun, PriorRun__Output as _sweepd_v1_PriorRun__Output } from '../../sweepd/v1/PriorRun';

export interface CreateSweepRequest {
  'config'?: (_sweepd_v1_SweepConfig | null);
  'prior_runs'?: (_sweepd_v1_PriorRun)[];
}

export interface CreateSweepRequest__Output {
  'config': (_sweepd_v1_SweepConfig__Output | null);
  'prior_runs': (_sweepd_v1_PriorRun__Output)[];
}
