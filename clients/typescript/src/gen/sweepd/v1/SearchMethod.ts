// Original file: sweepd/v1/types.proto

export const SearchMethod = {
  SEARCH_METHOD_UNSPECIFIED: 'SEARCH_METHOD_UNSPECIFIED',
  SEARCH_METHOD_GRID: 'SEARCH_METHOD_GRID',
  SEARCH_METHOD_RANDOM: 'SEARCH_METHOD_RANDOM',
  SEARCH_METHOD_BAYES: 'SEARCH_METHOD_BAYES',
} as const;

export type SearchMethod =
  | 'SEARCH_METHOD_UNSPECIFIED'
  | 0
  | 'SEARCH_METHOD_GRID'
  | 1
  | 'SEARCH_METHOD_RANDOM'
  | 2
  | 'SEARCH_METHOD_BAYES'
  | 3

export type SearchMethod__Output = typeof SearchMethod[keyof typeof SearchMethod]
