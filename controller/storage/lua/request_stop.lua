-- Asks an active run to stop, recording why and where: `stop_len`, how many values of
-- the sweep metric it had stored (the later ones count in no stopping rule's
-- threshold), and `stop_seq`, its last stored batch. The holder reports it stopped.
-- KEYS[1] run hash  KEYS[2] the run's objective list
-- ARGV[1] kind  ARGV[2] message  ARGV[3] band  ARGV[4] value  ARGV[5] threshold ("" = none each)
-- Returns 1 when the request is new, 0 when the run already ended or was asked before.
local r = redis.call('HMGET', KEYS[1], 'state', 'should_stop', 'last_seq')
if not r[1] or is_terminal(r[1]) or r[2] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'should_stop', 1, 'stop_kind', ARGV[1], 'stop_message', ARGV[2],
  'stop_len', redis.call('LLEN', KEYS[2]), 'stop_seq', r[3] or '0')
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'stop_band', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'stop_value', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'stop_threshold', ARGV[5]) end
return 1
