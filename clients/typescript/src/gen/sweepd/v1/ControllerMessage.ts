// Original file: sweepd/v1/agent_service.proto

import type { Welcome as _sweepd_v1_Welcome, Welcome__Output as _sweepd_v1_Welcome__Output } from '../../sweepd/v1/Welcome';
import type { RunAssignment as _sweepd_v1_RunAssignment, RunAssignment__Output as _sweepd_v1_RunAssignment__Output } from '../../sweepd/v1/RunAssignment';
import type { StopRun as _sweepd_v1_StopRun, StopRun__Output as _sweepd_v1_StopRun__Output } from '../../sweepd/v1/StopRun';
import type { SweepDone as _sweepd_v1_SweepDone, SweepDone__Output as _sweepd_v1_SweepDone__Output } from '../../sweepd/v1/SweepDone';

export interface ControllerMessage {
  'welcome'?: (_sweepd_v1_Welcome | null);
  'assignment'?: (_sweepd_v1_RunAssignment | null);
  'stop'?: (_sweepd_v1_StopRun | null);
  'done'?: (_sweepd_v1_SweepDone | null);
  'kind'?: "welcome"|"assignment"|"stop"|"done";
}

export interface ControllerMessage__Output {
  'welcome'?: (_sweepd_v1_Welcome__Output | null);
  'assignment'?: (_sweepd_v1_RunAssignment__Output | null);
  'stop'?: (_sweepd_v1_StopRun__Output | null);
  'done'?: (_sweepd_v1_SweepDone__Output | null);
  'kind'?: "welcome"|"assignment"|"stop"|"done";
}
