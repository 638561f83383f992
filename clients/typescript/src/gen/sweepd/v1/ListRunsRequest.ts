// Original file: sweepd/v1/sweep_service.proto


export interface ListRunsRequest {
  'sweep_id'?: (string);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface ListRunsRequest__Output {
  'sweep_id': (string);
  'page_size': (number);
  'page_token': (string);
}
