-- Creates a sweep: its meta hash, with the last of its prior runs (runs done elsewhere,
-- given to CreateSweep). A sweep with up to PRIOR_BATCH prior runs (store.py) is
-- created by this script alone; one with more has the others written first, in
-- batches, by add_prior_runs.lua under a reservation of its id (meta field `creating`
-- = ARGV[3]), so that no script holds Redis for long. Either way the sweep appears
-- whole, at once: nothing reads a meta hash without a state. Refused, writing nothing,
-- when the id is taken (by a sweep, or by another creator's reservation).
-- (The cross-sweep index of sweeps is a separate key, never touched here: the caller
-- adds the sweep to it next.)
-- KEYS[1] meta  KEYS[2] runs zset, then 2 per prior run: run hash, summary hash
-- ARGV[1] sweep id  ARGV[2] now (ms)  ARGV[3] the reservation's token ("" = none: the
--   id must be free)  ARGV[4] n meta fields, then 2 per field: name, value; then the
--   prior runs, as add_prior_runs.lua takes them
-- Returns 1 when the sweep was created, 0 when its id is taken.
local held = redis.call('HGET', KEYS[1], 'creating')
if ARGV[3] == '' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
elseif held ~= ARGV[3] or redis.call('HLEN', KEYS[1]) ~= 1 then
  return 0
end
local nmeta = tonumber(ARGV[4])
write_prior_runs(5 + 2 * nmeta, ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + 2 * nmeta))
if held then redis.call('HDEL', KEYS[1], 'creating') end
return 1
