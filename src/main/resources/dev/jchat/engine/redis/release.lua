-- Settles one chat message that publish.lua held (CHAT_REDIS_WAIT_REPLICAS): 'ok' once the server
-- saw the replicas have it, 'drop' when they did not in time (it is taken out of the log), 'flush'
-- to change nothing of it; then publishes, in id order, every held message that is ready, up to the
-- first one still waiting for its replicas. So the channel carries a room's messages in id order
-- whatever order their servers settle them in, and nothing before its replicas have it. A message
-- still waiting past its deadline is dropped by whoever comes (its server died, or gave up on it).
-- KEYS[1] the room's held hash: id -> 'h' (waiting) or 'r' (ready), its deadline (ms, Redis' clock),
--   a space, its channel message   KEYS[2] the room's stream   KEYS[3] its texts hash
-- KEYS[4] (only when webhooks are on) the room's webhook stream: a message published here gets its event there
-- ARGV[1] the message's id   ARGV[2] 'ok', 'drop' or 'flush'   ARGV[3] the room's channel
-- Returns {'p'} when the message is published (now or before), {'g'} when it is gone (dropped, now
-- or before, never to be published), {'w', deadline} while it is ready behind one still waiting
-- until that deadline (ms, Redis' clock): ask again then.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function drop(id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('XDEL', KEYS[2], id .. '-0')
  redis.call('HDEL', KEYS[3], id)
end

local mine = redis.call('HGET', KEYS[1], ARGV[1])
if mine then
  local deadline = tonumber(string.match(mine, '^.(%d+)'))
  if string.sub(mine, 1, 1) == 'h' and (ARGV[2] == 'drop' or (ARGV[2] == 'ok' and now > deadline)) then
    drop(ARGV[1])
    mine = nil
  elseif ARGV[2] == 'ok' then
    redis.call('HSET', KEYS[1], ARGV[1], 'r' .. string.sub(mine, 2))
  end
elseif ARGV[2] == 'ok' then
  return {'g'} -- dropped after its deadline by another server's call
end

local ids = redis.call('HKEYS', KEYS[1])
table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end)
local blocking = nil
for _, id in ipairs(ids) do
  local held = redis.call('HGET', KEYS[1], id)
  local deadline = tonumber(string.match(held, '^.(%d+)'))
  if string.sub(held, 1, 1) == 'r' then
    local message = string.match(held, '^.%d+ (.*)$')
    redis.call('SPUBLISH', ARGV[3], message)
    if #KEYS >= 4 then
      redis.call('XADD', KEYS[4], '*', 'f', string.match(message, '^m %S+ %d+ (.*)$')) -- RedisWebhooks reads it
    end
    redis.call('HDEL', KEYS[1], id)
  elseif now > deadline then
    drop(id)
  else
    blocking = deadline
    break
  end
end
if not mine then
  return {ARGV[2] == 'flush' and 'p' or 'g'}
elseif redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'w', string.format('%d', blocking)}
end
return {'p'}
