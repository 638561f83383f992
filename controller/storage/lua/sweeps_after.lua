-- One page of the sweeps index, newest first, after a given sweep: ranks are taken
-- in the same script as the read, so a sweep created meanwhile shifts nothing.
-- KEYS[1] sweeps index (zset: sweep id -> created ms)
-- ARGV[1] id of the last sweep already listed ("" = start from the newest)  ARGV[2] how many
-- Returns {"ok", id, ...} | {"gone"} when ARGV[1] is no longer in the index
local start = 0
if ARGV[1] ~= '' then
  local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
  if not rank then return {'gone'} end
  start = rank + 1
end
local ids = redis.call('ZREVRANGE', KEYS[1], start, start + tonumber(ARGV[2]) - 1)
table.insert(ids, 1, 'ok')
return ids
