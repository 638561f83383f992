// Original file: sweepd/v1/sweep_service.proto

import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from '../../sweepd/v1/Run';

export interface ListRunsResponse {
  'runs'?: (_sweepd_v1_Run)[];
  'next_page_token'?: (string);
}

export interface ListRunsResponse__Output {
  'runs': (_sweepd_v1_Run__Output)[];
  'next_page_token': (string);
}
