// Original file: sweepd/v1/types.proto

import type { RunState as _sweepd_v1_RunState, RunState__Output as _sweepd_v1_RunState__Output } from '../../sweepd/v1/RunState';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from '../../sweepd/v1/Value';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { StopReason as _sweepd_v1_StopReason, StopReason__Output as _sweepd_v1_StopReason__Output } from '../../sweepd/v1/StopReason';
import type { Long } from '@grpc/proto-loader';

export interface Run {
  'id'?: (string);
  'sweep_id'?: (string);
  'state'?: (_sweepd_v1_RunState);
  'config'?: ({[key: string]: _sweepd_v1_Value});
  'number'?: (number);
  'agent_id'?: (string);
  'attempt'?: (number);
  'create_time'?: (_google_protobuf_Timestamp | null);
  'start_time'?: (_google_protobuf_Timestamp | null);
  'end_time'?: (_google_protobuf_Timestamp | null);
  'exit_code'?: (number);
  'error'?: (string);
  'stop_reason'?: (_sweepd_v1_StopReason | null);
  'summary'?: ({[key: string]: _sweepd_v1_Value});
  'point_count'?: (number | string | Long);
  'note'?: (string);
  'prior'?: (boolean);
  'ignored'?: (boolean);
  'host'?: (string);
  'config_version'?: (number);
  'objective_values'?: ({[key: string]: number | string});
  'pareto_rank'?: (number);
  'pareto_optimal'?: (boolean);
  '_exit_code'?: "exit_code";
  '_pareto_rank'?: "pareto_rank";
}

export interface Run__Output {
  'id': (string);
  'sweep_id': (string);
  'state': (_sweepd_v1_RunState__Output);
  'config': ({[key: string]: _sweepd_v1_Value__Output});
  'number': (number);
  'agent_id': (string);
  'attempt': (number);
  'create_time': (_google_protobuf_Timestamp__Output | null);
  'start_time': (_google_protobuf_Timestamp__Output | null);
  'end_time': (_google_protobuf_Timestamp__Output | null);
  'exit_code'?: (number);
  'error': (string);
  'stop_reason': (_sweepd_v1_StopReason__Output | null);
  'summary': ({[key: string]: _sweepd_v1_Value__Output});
  'point_count': (string);
  'note': (string);
  'prior': (boolean);
  'ignored': (boolean);
  'host': (string);
  'config_version': (number);
  'objective_values': ({[key: string]: number});
  'pareto_rank'?: (number);
  'pareto_optimal': (boolean);
  '_exit_code'?: "exit_code";
  '_pareto_rank'?: "pareto_rank";
}
