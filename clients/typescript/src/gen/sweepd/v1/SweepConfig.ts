// Original file: sweepd/v1/types.proto

import type { SearchMethod as _sweepd_v1_SearchMethod, SearchMethod__Output as _sweepd_v1_SearchMethod__Output } from '../../sweepd/v1/SearchMethod';
import type { MetricSpec as _sweepd_v1_MetricSpec, MetricSpec__Output as _sweepd_v1_MetricSpec__Output } from '../../sweepd/v1/MetricSpec';
import type { ParameterSpec as _sweepd_v1_ParameterSpec, ParameterSpec__Output as _sweepd_v1_ParameterSpec__Output } from '../../sweepd/v1/ParameterSpec';
import type { EarlyTerminate as _sweepd_v1_EarlyTerminate, EarlyTerminate__Output as _sweepd_v1_EarlyTerminate__Output } from '../../sweepd/v1/EarlyTerminate';
import type { RetryPolicy as _sweepd_v1_RetryPolicy, RetryPolicy__Output as _sweepd_v1_RetryPolicy__Output } from '../../sweepd/v1/RetryPolicy';
import type { Objective as _sweepd_v1_Objective, Objective__Output as _sweepd_v1_Objective__Output } from '../../sweepd/v1/Objective';

export interface SweepConfig {
  'method'?: (_sweepd_v1_SearchMethod);
  'metric'?: (_sweepd_v1_MetricSpec | null);
  'parameters'?: ({[key: string]: _sweepd_v1_ParameterSpec});
  'early_terminate'?: (_sweepd_v1_EarlyTerminate | null);
  'run_cap'?: (number);
  'program'?: (string);
  'command'?: (string)[];
  'name'?: (string);
  'description'?: (string);
  'project'?: (string);
  'entity'?: (string);
  'retry'?: (_sweepd_v1_RetryPolicy | null);
  'constraints'?: (string)[];
  'metrics'?: (_sweepd_v1_Objective)[];
}

export interface SweepConfig__Output {
  'method': (_sweepd_v1_SearchMethod__Output);
  'metric': (_sweepd_v1_MetricSpec__Output | null);
  'parameters': ({[key: string]: _sweepd_v1_ParameterSpec__Output});
  'early_terminate': (_sweepd_v1_EarlyTerminate__Output | null);
  'run_cap': (number);
  'program': (string);
  'command': (string)[];
  'name': (string);
  'description': (string);
  'project': (string);
  'entity': (string);
  'retry': (_sweepd_v1_RetryPolicy__Output | null);
  'constraints': (string)[];
  'metrics': (_sweepd_v1_Objective__Output)[];
}
