-- Changes which names one server has in a room, and ends the presence of servers that stopped
-- refreshing theirs. A name is online while any server has it: the first server to have it
-- announces it, the last to lose it (or expire) announces its leave, exactly once, to every
-- server through the room's channel.
-- KEYS[1] presence sorted set (server|name -> expiry, ms on Redis' clock)   KEYS[2] names hash (name -> servers)
-- KEYS[3] the presence version, one counter for every room, so that it never starts over
-- KEYS[4] the room's meta hash: a room without messages lives on while someone is in it
-- KEYS[5] the room directory: sorted set of the rooms with a name online, scored by minus how many, so
--   that the most names come first and then rooms by name (direct conversations are never listed)
-- ARGV[1] this server's id   ARGV[2] the refresh period, ms: an entry lives one period, and is swept
--   one period after that, so a server whose refresh came a little late (or after a short outage) is not
--   taken for gone   ARGV[3] the room's channel
-- ARGV[4] seconds the keys outlive the last change   ARGV[5] seconds a room without messages is kept
-- ARGV[6] the room's name, or '' for the whole chat's names (the webhooks' online and offline, see
--   RedisWebhooks): then nothing is published and no room's keys are touched, and a name's first
--   server anywhere adds an 'online' event to the webhook stream KEYS[6] unless the name is in the set
--   KEYS[7] of names announced online (then added to it), and a name's last server gone puts it in
--   the sorted set KEYS[8] scored by when its offline is due (now + ARGV[7] ms), which offline.lua reads
-- ARGV[7] the offline grace, ms ('' for a room)   ARGV[8...] '+name' (here, or still here) or '-name' (gone)
-- Returns the number of changes announced.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local changes = {}
local whole = ARGV[6] == ''
local function gone(name)
  if redis.call('HINCRBY', KEYS[2], name, -1) <= 0 then
    redis.call('HDEL', KEYS[2], name)
    table.insert(changes, '-' .. name)
    if whole then
      redis.call('ZADD', KEYS[8], now + tonumber(ARGV[7]), name)
    end
  end
end
for i = 8, #ARGV do
  local op, name = string.sub(ARGV[i], 1, 1), string.sub(ARGV[i], 2)
  local entry = ARGV[1] .. '|' .. name
  if op == '+' then
    if not redis.call('ZSCORE', KEYS[1], entry) then
      if redis.call('HINCRBY', KEYS[2], name, 1) == 1 then
        table.insert(changes, '+' .. name)
        if whole then
          redis.call('ZREM', KEYS[8], name) -- back within the grace: no offline
          if redis.call('SADD', KEYS[7], name) == 1 then
            redis.call('XADD', KEYS[6], '*', 'n', 'online', 'u', name, 't', now)
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
  return #changes
end
local online = redis.call('HLEN', KEYS[2])
if online > 0 and string.sub(ARGV[6], 1, 1) ~= '@' then
  redis.call('ZADD', KEYS[5], -online, ARGV[6])
else
  redis.call('ZREM', KEYS[5], ARGV[6])
end
if #changes > 0 then
  local version = redis.call('INCR', KEYS[3])
  redis.call('PUBLISH', ARGV[3], 'p ' .. version .. '\n' .. table.concat(changes, '\n')) -- ChannelMessage.Presence
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if redis.call('HGET', KEYS[4], 'seq') == '0' then
  redis.call('EXPIRE', KEYS[4], ARGV[5], 'GT')
end
return #changes
