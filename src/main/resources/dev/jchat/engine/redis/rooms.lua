-- The room directory: the first rooms of the directory, with their newest ids. It costs Redis what it
-- answers, not how many rooms there are: the directory is kept sorted by presence.lua, and newest ids
-- are read for the rooms answered only. A room whose presence has all expired (its servers died and
-- nobody swept it) is dropped when met, at most ARGV[4] of them per call; the answer then comes from the
-- next call.
-- KEYS[1] the directory (sorted set: room scored by minus its names online, so that the most names come
--   first, then rooms by name)
-- ARGV[1] the key prefix   ARGV[2] the presence refresh period, ms: entries are swept one period after they
-- expire   ARGV[3] how many rooms to answer   ARGV[4] how many dead rooms this call may drop
-- Returns a flat list: 1 when the answer is cut short by dead rooms still to drop (ask again) or 0, then
-- room, names online, newest id, ...
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want, drops = tonumber(ARGV[3]), tonumber(ARGV[4])
local result = {0}
local found = 0
while found < want do
  -- the live rooms met so far hold ranks 0 .. found - 1: those dropped left the set
  local batch = redis.call('ZRANGE', KEYS[1], found, want - 1, 'WITHSCORES')
  if #batch == 0 then
    break
  end
  for i = 1, #batch, 2 do
    local room = batch[i]
    local base = ARGV[1] .. ':{' .. room .. '}:'
    if redis.call('ZCOUNT', base .. 'presence', now - tonumber(ARGV[2]), '+inf') > 0 then
      table.insert(result, room)
      table.insert(result, string.format('%d', -tonumber(batch[i + 1])))
      table.insert(result, redis.call('HGET', base .. 'meta', 'seq') or '0')
      found = found + 1
    elseif drops > 0 then
      redis.call('ZREM', KEYS[1], room)
      drops = drops - 1
    else
      result[1] = 1
      return result
    end
  end
end
return result
