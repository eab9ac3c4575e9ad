-- Publishes one chat message: the room's next id, its stream entry, its fan-out, in one step.
-- KEYS[1] the room's meta hash (epoch, seq)   KEYS[2] its stream
-- ARGV[1] the frame before its id   ARGV[2] the frame after its id   ARGV[3] messages kept
-- ARGV[4] seconds to keep the room after this message   ARGV[5] the epoch to start, when there is none
--   or the room's is lost
-- ARGV[6] the room's channel   ARGV[7] deadline, milliseconds on Redis' clock
-- ARGV[8] the epoch of the sender's server's copy   ARGV[9] the newest id that copy holds
-- Returns {id, epoch}; refuses with LATE <Redis' time, ms> after the deadline, publishing nothing,
-- so that a message the server gave up on is never published late (the server measures Redis'
-- clock again from that time, and tries again if its own deadline has not passed).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[7]) then
  return redis.error_reply(string.format('LATE %d the deadline passed before the message could be published', now))
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  -- the room is new, or Redis lost it: a new sequence, and nothing of an old stream in it
  epoch = ARGV[5]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
elseif epoch == ARGV[8] and tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') < tonumber(ARGV[9]) then
  -- the sender's server saw ids of this epoch that Redis no longer has (restored from older data):
  -- a new epoch, told to every server before this message, so that no id is given twice in one
  epoch = ARGV[5]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  redis.call('PUBLISH', ARGV[6], 'e ' .. epoch) -- ChannelMessage.Epoch
end
local id = string.format('%d', redis.call('HINCRBY', KEYS[1], 'seq', 1))
local frame = ARGV[1] .. id .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id .. '-0', 'f', frame)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
-- the channel's format is ChannelMessage's (Java), which reads it
redis.call('PUBLISH', ARGV[6], 'm ' .. epoch .. ' ' .. id .. ' ' .. frame)
return {id, epoch}
