-- The webhooks' offline events that are due (run by the server holding the delivery lease, see
-- RedisWebhooks): a name whose last server went (presence.lua, for the whole chat's names) and that
-- stayed away the grace gets one 'offline' event in the stream of name events, if it was announced online;
-- a name that came back meanwhile is no longer in the due set (presence.lua took it out).
-- KEYS[1] the due set (name -> when due, ms on Redis' clock)   KEYS[2] the whole chat's names hash
--   (name -> servers it is on)   KEYS[3] the set of names announced online   KEYS[4] the stream of name
--   events (every key shares the hash tag {whole}: one slot)
-- Returns how many offline events were added.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
local added = 0
for _, name in ipairs(due) do
  redis.call('ZREM', KEYS[1], name)
  if not redis.call('HGET', KEYS[2], name) and redis.call('SREM', KEYS[3], name) == 1 then
    redis.call('XADD', KEYS[4], '*', 'n', 'offline', 'u', name, 't', now)
    added = added + 1
  end
end
return added
