// Original file: sweepd/v1/agent_service.proto

import type { Run as _sweepd_v1_Run, Run__Output as _sweepd_v1_Run__Output } from '../../sweepd/v1/Run';

export interface RunAssignment {
  'run'?: (_sweepd_v1_Run | null);
  'lease_token'?: (string);
  'command'?: (string)[];
  'program'?: (string);
}

export interface RunAssignment__Output {
  'run': (_sweepd_v1_Run__Output | null);
  'lease_token': (string);
  'command': (string)[];
  'program': (string);
}
