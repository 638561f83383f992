-- Writes prior runs (runs done elsewhere, given to CreateSweep) of a sweep that is
-- not registered yet: its meta hash has no state, so nothing reads them before the
-- meta fields (n_total and n_prior counting them) are written after the last batch.
-- KEYS[1] runs zset, then 2 per run: run hash, summary hash
-- ARGV[1] sweep id  ARGV[2] now (ms), then per run: run id, number, config JSON, note,
--   its value of the sweep metric ("" = none; kept as 'best', as a reported run's is,
--   though a prior run is never the sweep's best), n summary pairs, then 2 per pair:
--   key, value JSON
-- Returns the number of runs written.
local a = 3
local written = 0
for k = 2, #KEYS, 2 do
  local run_id, number, config, note = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  redis.call('HSET', KEYS[k], 'id', run_id, 'sweep_id', ARGV[1], 'number', number,
    'state', 'finished', 'config', config, 'claim_key', '', 'agent_id', '', 'token', '',
    'attempt', 1, 'created_at', ARGV[2], 'started_at', ARGV[2], 'ended_at', ARGV[2],
    'note', note, 'points', 0, 'last_seq', 0, 'should_stop', 0, 'prior', 1)
  if ARGV[a + 4] ~= '' then redis.call('HSET', KEYS[k], 'best', ARGV[a + 4]) end
  local npairs = tonumber(ARGV[a + 5])
  a = a + 6
  for p = 1, npairs do
    redis.call('HSET', KEYS[k + 1], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('ZADD', KEYS[1], number, run_id)
  written = written + 1
end
return written
