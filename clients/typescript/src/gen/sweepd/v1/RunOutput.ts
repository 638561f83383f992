// Original file: sweepd/v1/agent_service.proto

import type { Long } from '@grpc/proto-loader';

export interface RunOutput {
  'stdout_tail'?: (string);
  'stderr_tail'?: (string);
  'stdout_bytes'?: (number | string | Long);
  'stderr_bytes'?: (number | string | Long);
  'traceback'?: (string);
}

export interface RunOutput__Output {
  'stdout_tail': (string);
  'stderr_tail': (string);
  'stdout_bytes': (string);
  'stderr_bytes': (string);
  'traceback': (string);
}
