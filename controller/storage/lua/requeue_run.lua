-- Queues a run's configuration to be handed out again as a new run (first attempt,
-- no claim key), behind the retries already waiting, with a note naming the run.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] retry list
-- ARGV[1] note of the new run
-- Returns {"ok", configurations waiting} | {"state", sweep state} | {"notfound", ""}
--       | {"norun", ""}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'notfound', ''} end
local config = redis.call('HGET', KEYS[2], 'config')
if not config then return {'norun', ''} end
if state ~= 'running' and state ~= 'paused' and state ~= 'finishing' then return {'state', state} end
-- entry: attempt TAB claim key TAB config JSON TAB note (JSON has no raw tab)
return {'ok', redis.call('RPUSH', KEYS[3], '1\t\t' .. config .. '\t' .. ARGV[1])}
