-- Shared prelude, prepended to every script by scripts.py (Redis has no includes).
-- meta counters: n_total (runs), n_configs (first attempts: what run_cap counts),
-- n_pending, n_running, n_finished, n_failed, n_crashed, n_stopped.
local function move_count(meta, from, to)
  if from and from ~= '' then redis.call('HINCRBY', meta, 'n_' .. from, -1) end
  if to and to ~= '' then redis.call('HINCRBY', meta, 'n_' .. to, 1) end
end

local function is_terminal(state)
  return state == 'finished' or state == 'failed' or state == 'crashed' or state == 'stopped'
end

-- A sweep with no active run left finishes when it is finishing, or running with
-- its search exhausted and nothing waiting to be retried. Returns the sweep state.
local function settle(meta, retry, now)
  local m = redis.call('HMGET', meta, 'state', 'n_pending', 'n_running', 'exhausted')
  local state = m[1]
  local active = tonumber(m[2] or '0') + tonumber(m[3] or '0')
  local waiting = 0
  if retry then waiting = redis.call('LLEN', retry) end
  if active == 0 and waiting == 0 and (state == 'finishing' or (state == 'running' and m[4] == '1')) then
    redis.call('HSET', meta, 'state', 'finished', 'updated_at', now)
    return 'finished'
  end
  return state
end
