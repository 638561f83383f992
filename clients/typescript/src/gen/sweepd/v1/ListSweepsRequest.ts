// Original file: sweepd/v1/sweep_service.proto


export interface ListSweepsRequest {
  'project'?: (string);
  'page_size'?: (number);
  'page_token'?: (string);
}

export interface ListSweepsRequest__Output {
  'project': (string);
  'page_size': (number);
  'page_token': (string);
}
