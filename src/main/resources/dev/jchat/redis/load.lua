-- What a server needs before anyone joins a room there, read in one step: epoch, newest id,
-- newest messages, names online and the presence version they belong to.
-- KEYS[1] meta hash   KEYS[2] stream   KEYS[3] names hash (name -> servers)   KEYS[4] presence version
-- ARGV[1] the epoch to start, when there is none   ARGV[2] messages to read
-- ARGV[3] seconds to keep a room that has no message yet
-- Returns {epoch, seq, version, entries (newest first), names online}.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[2])
end
local version = redis.call('GET', KEYS[4]) or '0'
return {epoch, seq, version, entries, redis.call('HKEYS', KEYS[3])}
