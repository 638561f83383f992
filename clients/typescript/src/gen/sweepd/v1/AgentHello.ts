// Original file: sweepd/v1/agent_service.proto

import type { HeldRun as _sweepd_v1_HeldRun, HeldRun__Output as _sweepd_v1_HeldRun__Output } from '../../sweepd/v1/HeldRun';

export interface AgentHello {
  'sweep_id'?: (string);
  'agent_id'?: (string);
  'hostname'?: (string);
  'held_runs'?: (_sweepd_v1_HeldRun)[];
}

export interface AgentHello__Output {
  'sweep_id': (string);
  'agent_id': (string);
  'hostname': (string);
  'held_runs': (_sweepd_v1_HeldRun__Output)[];
}
