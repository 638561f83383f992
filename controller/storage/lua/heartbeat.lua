-- Extends the leases an agent proves it holds, and reads what it must know of each
-- run. A run's lease moves only when the token matches the run's own and the run is
-- not over: a wrong token (a stale agent, a guess) never extends the holder's lease.
-- KEYS[1] leases zset  KEYS[2..n+1] run hashes, one per run in ARGV order
-- ARGV[1] lease expiry (ms), then 2 per run: run id, lease token
-- Returns one row per run: {state ("" = no such run), "1" if held by this token else "0",
--                           should_stop, stop_kind, stop_message}
local rows = {}
for i = 2, #KEYS do
  local run_id, token = ARGV[2 * i - 2], ARGV[2 * i - 1]
  local r = redis.call('HMGET', KEYS[i], 'state', 'token', 'should_stop', 'stop_kind', 'stop_message')
  local held = r[1] and r[2] == token and not is_terminal(r[1])
  if held then redis.call('ZADD', KEYS[1], 'XX', ARGV[1], run_id) end
  rows[#rows + 1] = {r[1] or '', held and '1' or '0', r[3] or '', r[4] or '', r[5] or ''}
end
return rows
