-- Writing prior runs, shared by create_sweep and add_prior_runs (scripts.py prepends it
-- to those). KEYS[3..] are 2 per run: run hash, summary hash; KEYS[2] the runs zset.
-- ARGV from index `a` on, per run: run id, number, config JSON, note, its value of the
-- sweep metric ("" = none; kept as 'best', as a reported run's is, though a prior run is
-- never the sweep's best), n summary pairs, then 2 per pair: key, value JSON.
local function write_prior_runs(a, sweep_id, now)
  local ranks = {}  -- score, member pairs of the runs zset, added in chunks (unpack's limit)
  for k = 3, #KEYS, 2 do
    local run_id, number, best = ARGV[a], ARGV[a + 1], ARGV[a + 4]
    redis.call('HSET', KEYS[k], 'id', run_id, 'sweep_id', sweep_id, 'number', number,
      'state', 'finished', 'config', ARGV[a + 2], 'claim_key', '', 'agent_id', '', 'token', '',
      'attempt', 1, 'created_at', now, 'started_at', now, 'ended_at', now,
      'note', ARGV[a + 3], 'points', 0, 'last_seq', 0, 'should_stop', 0, 'prior', 1)
    if best ~= '' then redis.call('HSET', KEYS[k], 'best', best) end
    local npairs = tonumber(ARGV[a + 5])
    a = a + 6
    if npairs > 0 then redis.call('HSET', KEYS[k + 1], unpack(ARGV, a, a + 2 * npairs - 1)) end
    a = a + 2 * npairs
    ranks[#ranks + 1] = number
    ranks[#ranks + 1] = run_id
    if #ranks >= 2000 then
      redis.call('ZADD', KEYS[2], unpack(ranks))
      ranks = {}
    end
  end
  if #ranks > 0 then redis.call('ZADD', KEYS[2], unpack(ranks)) end
end
