// Original file: sweepd/v1/sweep_service.proto

import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from '../../sweepd/v1/Sweep';
import type { ConfigVersion as _sweepd_v1_ConfigVersion, ConfigVersion__Output as _sweepd_v1_ConfigVersion__Output } from '../../sweepd/v1/ConfigVersion';

export interface UpdateSweepResponse {
  'sweep'?: (_sweepd_v1_Sweep | null);
  'version'?: (_sweepd_v1_ConfigVersion | null);
  'changed'?: (boolean);
}

export interface UpdateSweepResponse__Output {
  'sweep': (_sweepd_v1_Sweep__Output | null);
  'version': (_sweepd_v1_ConfigVersion__Output | null);
  'changed': (boolean);
}
