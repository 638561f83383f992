-- Shared prelude, prepended to every script by scripts.py (Redis has no includes).
-- meta counters: n_total (runs), n_configs (first attempts: what run_cap counts),
-- n_pending, n_running, n_finished, n_failed, n_crashed, n_stopped.
local function move_count(meta, from, to)
  if from and from ~= '' then redis.call('HINCRBY', meta, 'n_' .. from, -1) end
  if to and to ~= '' then redis.call('HINCRBY', meta, 'n_' .. to, 1) end
end

-- TERMINAL_STATES is generated from sweepd.domain.TERMINAL_RUN_STATES (scripts.py)
local function is_terminal(state)
  return TERMINAL_STATES[state] == true
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

-- Queues a run's configuration for another attempt (attempt + 1) when the retry
-- policy has attempts left (`max_attempts`) and the sweep is still going.
local function queue_retry(meta, retry, attempt, claim, config, max_attempts)
  local s = redis.call('HGET', meta, 'state')
  if attempt < tonumber(max_attempts) and (s == 'running' or s == 'paused' or s == 'finishing') then
    redis.call('RPUSH', retry, tostring(attempt + 1) .. '\t' .. (claim or '') .. '\t' .. config)
  end
end
