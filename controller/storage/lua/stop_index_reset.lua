-- Starts a new generation of a sweep's stopping index for the early_terminate rule a
-- config version describes (`tag`): the old members are dropped, the marks replaced,
-- and the index is not ready until stop_index_build.lua has walked every run. Refused
-- when the sweep's config is no longer that version (a replica that has not seen an
-- update yet must not put back the index of the config before it).
-- KEYS[1] meta  KEYS[2] stopping index  KEYS[3] marks
-- ARGV[1] config version  ARGV[2] tag  ARGV[3] sign (1 | -1)  ARGV[4] "at" | "best"
-- ARGV[5] every ("" = the bands are the marks)  ARGV[6] marks complete up to ("" = all)
-- ARGV[7..] the marks, ascending
-- Returns {"ok", generation} (a new one) | {"same", generation} (the index is already
-- for this tag) | {"stale", version} | {"notfound", ""}
local m = redis.call('HMGET', KEYS[1], 'state', 'config_version', 'stop_tag', 'stop_gen')
if not m[1] then return {'notfound', ''} end
if (m[2] or '1') ~= ARGV[1] then return {'stale', m[2] or '1'} end
if m[3] == ARGV[2] and m[4] then return {'same', m[4]} end
redis.call('UNLINK', KEYS[2], KEYS[3])
for i = 7, #ARGV, 500 do
  local batch = {}
  for j = i, math.min(#ARGV, i + 499) do
    batch[#batch + 1] = ARGV[j]
    batch[#batch + 1] = ARGV[j]
  end
  redis.call('ZADD', KEYS[3], unpack(batch))
end
local gen = redis.call('HINCRBY', KEYS[1], 'stop_gen', 1)
redis.call('HSET', KEYS[1], 'stop_tag', ARGV[2], 'stop_sign', ARGV[3], 'stop_value', ARGV[4],
  'stop_cursor', 0)
redis.call('HDEL', KEYS[1], 'stop_ready', 'stop_over', 'stop_every', 'stop_upto')
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'stop_every', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'stop_upto', ARGV[6]) end
return {'ok', tostring(gen)}
