-- Applies a user's action to a sweep's state.
-- KEYS[1] meta  KEYS[2] retry list
-- ARGV[1] action (pause|resume|stop|cancel|exhausted)  ARGV[2] now (ms)
-- Returns {"ok", new state} | {"bad", current state} | {"notfound", ""}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'notfound', ''} end
local a = ARGV[1]
local to = nil
if a == 'pause' then
  if state == 'running' or state == 'paused' then to = 'paused' end
elseif a == 'resume' then
  if state == 'paused' or state == 'running' then to = 'running' end
elseif a == 'stop' then
  if state == 'running' or state == 'paused' or state == 'finishing' then to = 'finishing' end
  if state == 'finished' then to = 'finished' end
elseif a == 'cancel' then
  if state ~= 'finished' then to = 'cancelled' end
elseif a == 'exhausted' then
  redis.call('HSET', KEYS[1], 'exhausted', 1)
  return {'ok', settle(KEYS[1], KEYS[2], ARGV[2])}
end
if not to then return {'bad', state} end
if to ~= state then redis.call('HSET', KEYS[1], 'state', to, 'updated_at', ARGV[2]) end
-- a sweep whose last run ended while it was paused finishes when it is resumed
if to == 'finishing' or to == 'running' then to = settle(KEYS[1], KEYS[2], ARGV[2]) end
if to == 'cancelled' then redis.call('DEL', KEYS[2]) end
return {'ok', to}
