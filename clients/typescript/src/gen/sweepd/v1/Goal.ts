// Original file: sweepd/v1/types.proto

export const Goal = {
  GOAL_UNSPECIFIED: 'GOAL_UNSPECIFIED',
  GOAL_MINIMIZE: 'GOAL_MINIMIZE',
  GOAL_MAXIMIZE: 'GOAL_MAXIMIZE',
} as const;

export type Goal =
  | 'GOAL_UNSPECIFIED'
  | 0
  | 'GOAL_MINIMIZE'
  | 1
  | 'GOAL_MAXIMIZE'
  | 2

export type Goal__Output = typeof Goal[keyof typeof Goal]
