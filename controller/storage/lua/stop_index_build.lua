-- One step of building a stopping index generation: indexes the runs numbered after the
-- build's cursor (those a report has not indexed in this generation already), moves the
-- cursor past them and, on the last step, marks the index ready. Refused when the
-- generation changed or another builder moved the cursor first.
-- KEYS[1] meta  KEYS[2] stopping index  KEYS[3] marks, then 2 per run: run hash,
-- objective list
-- ARGV[1] generation  ARGV[2] cursor read (a run number)  ARGV[3] the cursor after
-- these runs  ARGV[4] "last": no run is numbered after them  ARGV[5..] their run ids
-- Returns {"ok"} | {"ready"} | {"moved"} | {"gone"}
local m = redis.call('HMGET', KEYS[1], 'stop_gen', 'stop_cursor')
if m[1] ~= ARGV[1] then return {'gone'} end
if m[2] ~= ARGV[2] then return {'moved'} end
local spec = stop_spec(KEYS[1])
for k = 4, #KEYS, 2 do
  stop_index_run(spec, KEYS[1], KEYS[2], KEYS[3], KEYS[k], KEYS[k + 1], ARGV[5 + (k - 4) / 2])
end
redis.call('HSET', KEYS[1], 'stop_cursor', ARGV[3])
if ARGV[4] == 'last' then
  redis.call('HSET', KEYS[1], 'stop_ready', ARGV[1])
  return {'ready'}
end
return {'ok'}
