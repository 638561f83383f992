-- Ends a run with the outcome its holder reports; idempotent for the same outcome.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] leases  KEYS[4] retry list  KEYS[5] summary hash
-- KEYS[6] output hash  KEYS[7] agent runs index
-- ARGV[1] lease token  ARGV[2] new state (finished|failed|stopped)  ARGV[3] exit code ("" = none)
-- ARGV[4] error  ARGV[5] now (ms)  ARGV[6] run id
-- ARGV[7] "1": stopped because its agent went away (preempted): queue the config for
--   another attempt when ARGV[8] (max attempts) allows and the sweep is still going
-- ARGV[9..] the run's output as field, value pairs (none: it sent none); stored only
--   when the run ends here, so a resent FinishRun changes nothing
-- Returns {"ok", state, sweep state, run hash, summary hash} | {"lease", state, ""}
--       | {"notfound", "", ""}
local r = redis.call('HMGET', KEYS[2], 'state', 'token', 'started_at', 'stop_kind', 'attempt', 'claim_key', 'config',
  'agent_id')
if not r[1] then return {'notfound', '', ''} end
if r[2] ~= ARGV[1] then return {'lease', r[1], ''} end
if is_terminal(r[1]) then
  if r[1] == ARGV[2] then
    return {'ok', r[1], redis.call('HGET', KEYS[1], 'state'),
            redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[5])}
  end
  return {'lease', r[1], ''}
end
redis.call('HSET', KEYS[2], 'state', ARGV[2], 'ended_at', ARGV[5], 'error', ARGV[4])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'exit_code', ARGV[3]) end
if not r[3] then redis.call('HSET', KEYS[2], 'started_at', ARGV[5]) end
if #ARGV > 8 then redis.call('HSET', KEYS[6], unpack(ARGV, 9)) end
-- a run the controller had already asked to stop (early termination, a cancel) is
-- not preempted: it was meant to end
local preempted = ARGV[2] == 'stopped' and ARGV[7] == '1' and not r[4]
if preempted then
  redis.call('HSET', KEYS[2], 'stop_kind', 'preempted',
    'stop_message', 'its agent was shut down (preemption, time limit or drain)')
elseif ARGV[2] == 'stopped' and not r[4] then
  redis.call('HSET', KEYS[2], 'stop_kind', 'user')
end
move_count(KEYS[1], r[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[6])
redis.call('ZREM', KEYS[7], (r[8] or '') .. '\t' .. ARGV[6])
if preempted then
  queue_retry(KEYS[1], KEYS[4], tonumber(r[5] or '1'), r[6], r[7], ARGV[8])
end
local sweep_state = settle(KEYS[1], KEYS[4], ARGV[5])
return {'ok', ARGV[2], sweep_state, redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[5])}
