// Original file: sweepd/v1/sweep_service.proto

import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from '../../sweepd/v1/Sweep';

export interface ListSweepsResponse {
  'sweeps'?: (_sweepd_v1_Sweep)[];
  'next_page_token'?: (string);
}

export interface ListSweepsResponse__Output {
  'sweeps': (_sweepd_v1_Sweep__Output)[];
  'next_page_token': (string);
}
