// Original file: sweepd/v1/agent_service.proto

import type { Sweep as _sweepd_v1_Sweep, Sweep__Output as _sweepd_v1_Sweep__Output } from '../../sweepd/v1/Sweep';

export interface Welcome {
  'agent_id'?: (string);
  'lease_duration_seconds'?: (number | string);
  'heartbeat_interval_seconds'?: (number | string);
  'sweep'?: (_sweepd_v1_Sweep | null);
}

export interface Welcome__Output {
  'agent_id': (string);
  'lease_duration_seconds': (number);
  'heartbeat_interval_seconds': (number);
  'sweep': (_sweepd_v1_Sweep__Output | null);
}
