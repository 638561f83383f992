// Original file: sweepd/v1/sweep_service.proto

import type { ConfigVersion as _sweepd_v1_ConfigVersion, ConfigVersion__Output as _sweepd_v1_ConfigVersion__Output } from '../../sweepd/v1/ConfigVersion';

export interface ListConfigVersionsResponse {
  'versions'?: (_sweepd_v1_ConfigVersion)[];
}

export interface ListConfigVersionsResponse__Output {
  'versions': (_sweepd_v1_ConfigVersion__Output)[];
}
