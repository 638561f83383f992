-- Writes one batch of the prior runs of a sweep being created with more than fit in
-- create_sweep.lua's one call (which writes the last batch, and the meta hash). The
-- first batch reserves the sweep's id (meta field `creating` = the creator's token);
-- every batch is refused, writing nothing, when the id is a sweep's or another
-- creator's. Nothing reads the runs before the meta hash has a state.
-- KEYS[1] meta  KEYS[2] runs zset, then 2 per prior run: run hash, summary hash
-- ARGV[1] sweep id  ARGV[2] now (ms)  ARGV[3] the creator's token, then the prior runs
--   (_prior_runs.lua)
-- Returns 1 when written, 0 when the id is taken.
local held = redis.call('HGET', KEYS[1], 'creating')
if not held then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  redis.call('HSET', KEYS[1], 'creating', ARGV[3])
elseif held ~= ARGV[3] then
  return 0
end
write_prior_runs(4, ARGV[1], ARGV[2])
return 1
