// Original file: sweepd/v1/types.proto

import type { ValueMap as _sweepd_v1_ValueMap, ValueMap__Output as _sweepd_v1_ValueMap__Output } from '../../sweepd/v1/ValueMap';
import type { ValueList as _sweepd_v1_ValueList, ValueList__Output as _sweepd_v1_ValueList__Output } from '../../sweepd/v1/ValueList';
import type { Long } from '@grpc/proto-loader';

export interface Value {
  'null_value'?: (boolean);
  'double_value'?: (number | string);
  'int_value'?: (number | string | Long);
  'string_value'?: (string);
  'bool_value'?: (boolean);
  'map_value'?: (_sweepd_v1_ValueMap | null);
  'list_value'?: (_sweepd_v1_ValueList | null);
  'kind'?: "null_value"|"double_value"|"int_value"|"string_value"|"bool_value"|"map_value"|"list_value";
}

export interface Value__Output {
  'null_value'?: (boolean);
  'double_value'?: (number);
  'int_value'?: (string);
  'string_value'?: (string);
  'bool_value'?: (boolean);
  'map_value'?: (_sweepd_v1_ValueMap__Output | null);
  'list_value'?: (_sweepd_v1_ValueList__Output | null);
  'kind'?: "null_value"|"double_value"|"int_value"|"string_value"|"bool_value"|"map_value"|"list_value";
}
