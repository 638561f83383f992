// Original file: sweepd/v1/sweep_service.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { SweepConfig as _sweepd_v1_SweepConfig, SweepConfig__Output as _sweepd_v1_SweepConfig__Output } from '../../sweepd/v1/SweepConfig';

export interface ConfigVersion {
  'version'?: (number);
  'create_time'?: (_google_protobuf_Timestamp | null);
  'config'?: (_sweepd_v1_SweepConfig | null);
  'changed_paths'?: (string)[];
}

export interface ConfigVersion__Output {
  'version': (number);
  'create_time': (_google_protobuf_Timestamp__Output | null);
  'config': (_sweepd_v1_SweepConfig__Output | null);
  'changed_paths': (string)[];
}
