// Original file: sweepd/v1/sweep_service.proto

import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from '../../sweepd/v1/SweepConfig';
import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from '../../google/protobuf/FieldMask';

export interface UpdateSweepRequest {
  'sweep_id'?: (string);
  'config'?: (_sweepd_v1_SweepConfig | null);
  'update_mask'?: (_google_protobuf_FieldMask | null);
  'expected_version'?: (number);
}

export interface UpdateSweepRequest__Output {
  'sweep_id': (string);
  'config': (_sweepd_v1_SweepConfig__Output | null);
  'update_mask': (_google_protobuf_FieldMask__Output | null);
  'expected_version': (number);
}
