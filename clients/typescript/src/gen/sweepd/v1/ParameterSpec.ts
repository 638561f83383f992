// Original file: sweepd/v1/types.proto

import type { Distribution as _sweepd_v1_Distribution, Distribution__Output as _sweepd_v1_Distribution__Output } from '../../sweepd/v1/Distribution';
import type { Value as _sweepd_v1_Value, Value__Output as _sweepd_v1_Value__Output } from '../../sweepd/v1/Value';
import type { ParameterSpec as _sweepd_v1_ParameterSpec, ParameterSpec__Output as _sweepd_v1_ParameterSpec__Output } from '../../sweepd/v1/ParameterSpec';
import type { Condition as _sweepd_v1_Condition, Condition__Output as _sweepd_v1_Condition__Output } from '../../sweepd/v1/Condition';

export interface ParameterSpec {
  'distribution'?: (_sweepd_v1_Distribution);
  'value'?: (_sweepd_v1_Value | null);
  'values'?: (_sweepd_v1_Value)[];
  'probabilities'?: (number | string)[];
  'min'?: (_sweepd_v1_Value | null);
  'max'?: (_sweepd_v1_Value | null);
  'q'?: (_sweepd_v1_Value | null);
  'mu'?: (number | string);
  'sigma'?: (number | string);
  'a'?: (number | string);
  'b'?: (number | string);
  'parameters'?: ({[key: string]: _sweepd_v1_ParameterSpec});
  'when'?: (_sweepd_v1_Condition)[];
  'default'?: (_sweepd_v1_Value | null);
  '_mu'?: "mu";
  '_sigma'?: "sigma";
  '_a'?: "a";
  '_b'?: "b";
}

export interface ParameterSpec__Output {
  'distribution': (_sweepd_v1_Distribution__Output);
  'value': (_sweepd_v1_Value__Output | null);
  'values': (_sweepd_v1_Value__Output)[];
  'probabilities': (number)[];
  'min': (_sweepd_v1_Value__Output | null);
  'max': (_sweepd_v1_Value__Output | null);
  'q': (_sweepd_v1_Value__Output | null);
  'mu'?: (number);
  'sigma'?: (number);
  'a'?: (number);
  'b'?: (number);
  'parameters': ({[key: string]: _sweepd_v1_ParameterSpec__Output});
  'when': (_sweepd_v1_Condition__Output)[];
  'default': (_sweepd_v1_Value__Output | null);
  '_mu'?: "mu";
  '_sigma'?: "sigma";
  '_a'?: "a";
  '_b'?: "b";
}
