// Original file: sweepd/v1/agent_service.proto

import type { AgentHello as _sweepd_v1_AgentHello, AgentHello__Output as _sweepd_v1_AgentHello__Output } from '../../sweepd/v1/AgentHello';
import type { RunRequest as _sweepd_v1_RunRequest, RunRequest__Output as _sweepd_v1_RunRequest__Output } from '../../sweepd/v1/RunRequest';
import type { Heartbeat as _sweepd_v1_Heartbeat, Heartbeat__Output as _sweepd_v1_Heartbeat__Output } from '../../sweepd/v1/Heartbeat';

export interface AgentMessage {
  'hello'?: (_sweepd_v1_AgentHello | null);
  'run_request'?: (_sweepd_v1_RunRequest | null);
  'heartbeat'?: (_sweepd_v1_Heartbeat | null);
  'kind'?: "hello"|"run_request"|"heartbeat";
}

export interface AgentMessage__Output {
  'hello'?: (_sweepd_v1_AgentHello__Output | null);
  'run_request'?: (_sweepd_v1_RunRequest__Output | null);
  'heartbeat'?: (_sweepd_v1_Heartbeat__Output | null);
  'kind'?: "hello"|"run_request"|"heartbeat";
}
