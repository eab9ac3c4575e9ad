-- A name's rooms and read positions ("my rooms", PROTOCOL.md): a room visited or read, in one step.
-- KEYS[1] the owner's rooms (sorted set: room scored by when the name was last active there, ms)
-- KEYS[2] the owner's read positions (hash: room -> the id read up to)
-- ARGV[1] the room   ARGV[2] the id read up to, or '' for a visit   ARGV[3] rooms kept at most
-- ARGV[4] seconds a room is kept after the name was last active there (CHAT_HISTORY_DAYS)
-- Returns 1 when the read position moved forward, else 0. The rooms not active within ARGV[4], and the
-- least recently active past ARGV[3], go with their positions: both keys stay bounded.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moved = 0
if ARGV[2] ~= '' then
  local was = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  if tonumber(ARGV[2]) > was then
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
    moved = 1
  end
end
redis.call('ZADD', KEYS[1], string.format('%d', now), ARGV[1])
local keep = tonumber(ARGV[4])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('(%d', now - keep * 1000))
for _, room in ipairs(redis.call('ZRANGE', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))) do
  table.insert(gone, room)
end
for _, room in ipairs(gone) do
  redis.call('ZREM', KEYS[1], room)
  redis.call('HDEL', KEYS[2], room)
end
redis.call('EXPIRE', KEYS[1], keep)
redis.call('EXPIRE', KEYS[2], keep)
return moved
