// Original file: sweepd/v1/types.proto

import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from '../../sweepd/v1/SweepConfig';
import type { SweepState as _sweepd_v1_SweepState, SweepState__Output as _sweepd_v1_SweepState__Output } from '../../sweepd/v1/SweepState';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { RunCounts as _sweepd_v1_RunCounts, RunCounts__Output as _sweepd_v1_RunCounts__Output } from '../../sweepd/v1/RunCounts';

export interface Sweep {
  'id'?: (string);
  'config'?: (_sweepd_v1_SweepConfig | null);
  'state'?: (_sweepd_v1_SweepState);
  'create_time'?: (_google_protobuf_Timestamp | null);
  'update_time'?: (_google_protobuf_Timestamp | null);
  'run_counts'?: (_sweepd_v1_RunCounts | null);
  'best_run_id'?: (string);
  'best_value'?: (number | string);
  'warnings'?: (string)[];
  'prior_run_count'?: (number);
  'config_version'?: (number);
  'pareto_front_size'?: (number);
  'hypervolume'?: (number | string);
  'hypervolume_reference'?: (number | string)[];
  '_best_value'?: "best_value";
  '_hypervolume'?: "hypervolume";
}

export interface Sweep__Output {
  'id': (string);
  'config': (_sweepd_v1_SweepConfig__Output | null);
  'state': (_sweepd_v1_SweepState__Output);
  'create_time': (_google_protobuf_Timestamp__Output | null);
  'update_time': (_google_protobuf_Timestamp__Output | null);
  'run_counts': (_sweepd_v1_RunCounts__Output | null);
  'best_run_id': (string);
  'best_value'?: (number);
  'warnings': (string)[];
  'prior_run_count': (number);
  'config_version': (number);
  'pareto_front_size': (number);
  'hypervolume'?: (number);
  'hypervolume_reference': (number)[];
  '_best_value'?: "best_value";
  '_hypervolume'?: "hypervolume";
}
