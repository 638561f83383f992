// Original file: sweepd/v1/agent_service.proto

import type { RunState as _sweepd_v1_RunState, RunState__Output as _sweepd_v1_RunState__Output } from '../../sweepd/v1/RunState';
import type { MetricBatch as _sweepd_v1_MetricBatch, MetricBatch__Output as _sweepd_v1_MetricBatch__Output } from '../../sweepd/v1/MetricBatch';
import type { RunOutput as _sweepd_v1_RunOutput, RunOutput__Output as _sweepd_v1_RunOutput__Output } from '../../sweepd/v1/RunOutput';

export interface FinishRunRequest {
  'sweep_id'?: (string);
  'run_id'?: (string);
  'lease_token'?: (string);
  'state'?: (_sweepd_v1_RunState);
  'exit_code'?: (number);
  'error'?: (string);
  'final_metrics'?: (_sweepd_v1_MetricBatch | null);
  'preempted'?: (boolean);
  'output'?: (_sweepd_v1_RunOutput | null);
  '_exit_code'?: "exit_code";
}

export interface FinishRunRequest__Output {
  'sweep_id': (string);
  'run_id': (string);
  'lease_token': (string);
  'state': (_sweepd_v1_RunState__Output);
  'exit_code'?: (number);
  'error': (string);
  'final_metrics': (_sweepd_v1_MetricBatch__Output | null);
  'preempted': (boolean);
  'output': (_sweepd_v1_RunOutput__Output | null);
  '_exit_code'?: "exit_code";
}
