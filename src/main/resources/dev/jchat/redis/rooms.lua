-- The room directory: every room with a name online on some server, with its newest id. Rooms
-- whose presence has all expired (their servers died and nobody swept them) are dropped here.
-- KEYS[1] the directory hash (room -> names online)   ARGV[1] the key prefix
-- ARGV[2] the presence refresh period, ms: entries are swept one period after they expire
-- Returns a flat list: room, names online, newest id, ...
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local result = {}
local rooms = redis.call('HGETALL', KEYS[1])
for i = 1, #rooms, 2 do
  local room, online = rooms[i], rooms[i + 1]
  local base = ARGV[1] .. ':{' .. room .. '}:'
  if redis.call('ZCOUNT', base .. 'presence', now - tonumber(ARGV[2]), '+inf') == 0 then
    redis.call('HDEL', KEYS[1], room)
  else
    table.insert(result, room)
    table.insert(result, online)
    table.insert(result, redis.call('HGET', base .. 'meta', 'seq') or '0')
  end
end
return result
