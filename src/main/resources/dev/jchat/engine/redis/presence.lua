-- Changes which names one server has in a room, and ends the presence of servers that stopped
-- refreshing theirs. A name is online while any server has it: the first server to have it
-- announces it, the last to lose it (or expire) announces its leave, exactly once, to every
-- server through the room's channel.
-- KEYS[1] presence sorted set (server|name -> expiry, ms on Redis' clock)   KEYS[2] names hash (name -> servers)
-- KEYS[3] the room's presence version: a new counter starts at Redis' clock in microseconds, so that a
--   room's versions never start over, not even after its keys expired (servers may hold older ones)
-- KEYS[4] the room's meta hash: a room without messages lives on while someone is in it
-- Every key is the room's (one hash slot, for Redis Cluster): the room directory is the caller's to
-- update with the names online this answers (RedisPresence).
-- ARGV[1] this server's id   ARGV[2] the refresh period, ms: an entry lives one period, and is swept
--   one period after that, so a server whose refresh came a little late (or after a short outage) is not
--   taken for gone   ARGV[3] the room's channel
-- ARGV[4] seconds the keys outlive the last change   ARGV[5] seconds a room without messages is kept
-- ARGV[6] '' for a room; for the whole chat's names (the webhooks' online and offline, see
--   RedisWebhooks), the offline grace in ms: then KEYS[3] is the stream of name events, KEYS[4] the set of
--   names announced online and KEYS[5] the sorted set of names whose offline is due (scored by when:
--   now + ARGV[6] ms), which offline.lua reads; nothing is published, and a name's first server
--   anywhere adds an 'online' event to the stream unless the name was announced already (then it is),
--   and its last server gone makes its offline due. (Those keys are no room's: they share the hash tag
--   {whole}, so this touches one slot then too.)
-- ARGV[7...] '+name' (here, or still here) or '-name' (gone)
-- Returns {changes announced, names online} (0 for the whole chat's).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local changes = {}
local whole = ARGV[6] ~= ''
local function gone(name)
  if redis.call('HINCRBY', KEYS[2], name, -1) <= 0 then
    redis.call('HDEL', KEYS[2], name)
    table.insert(changes, '-' .. name)
    if whole then
      redis.call('ZADD', KEYS[5], now + tonumber(ARGV[6]), name)
    end
  end
end
for i = 7, #ARGV do
  local op, name = string.sub(ARGV[i], 1, 1), string.sub(ARGV[i], 2)
  local entry = ARGV[1] .. '|' .. name
  if op == '+' then
    if not redis.call('ZSCORE', KEYS[1], entry) then
      if redis.call('HINCRBY', KEYS[2], name, 1) == 1 then
        table.insert(changes, '+' .. name)
        if whole then
          redis.call('ZREM', KEYS[5], name) -- back within the grace: no offline
          if redis.call('SADD', KEYS[4], name) == 1 then
            redis.call('XADD', KEYS[3], '*', 'n', 'online', 'u', name, 't', now)
          end
        end
      end
    end
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), entry)
  elseif redis.call('ZREM', KEYS[1], entry) == 1 then
    gone(name)
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
for _, entry in ipairs(expired) do
  redis.call('ZREM', KEYS[1], entry)
  gone(string.sub(entry, string.find(entry, '|', 1, true) + 1))
end
if whole then
  for i = 1, 2 do
    redis.call('EXPIRE', KEYS[i], ARGV[4])
  end
  return {#changes, 0}
end
if #changes > 0 then
  local version = redis.call('INCR', KEYS[3])
  if version == 1 then
    version = tonumber(t[1]) * 1000000 + tonumber(t[2])
    redis.call('SET', KEYS[3], string.format('%d', version))
  end
  redis.call('SPUBLISH', ARGV[3], 'p ' .. string.format('%d', version) .. '\n' .. table.concat(changes, '\n')) -- ChannelMessage.Presence
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
if redis.call('HGET', KEYS[4], 'seq') == '0' then
  redis.call('EXPIRE', KEYS[4], ARGV[5], 'GT')
end
return {#changes, redis.call('HLEN', KEYS[2])}
