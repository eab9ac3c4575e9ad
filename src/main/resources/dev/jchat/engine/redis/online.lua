-- Whether a name is online anywhere: the servers with a connection of the name's own (RedisPeers).
-- KEYS[1] sorted set: server -> when its entry expires (ms, Redis' clock), unless the server renews it
-- KEYS[2] hash: 'v' the version of the name's state as last told, 'on' '1' or '0'
-- Both are the name's ({name} hash tag: one slot, for Redis Cluster). Entries of servers that stopped
-- renewing theirs (died) are swept by whoever comes.
-- ARGV[1] this server's id   ARGV[2] '+' (a connection of the name here, its first or still),
--   '-' (its last here closed) or '' (only read, and sweep)   ARGV[3] ms an entry lives unless renewed
-- ARGV[4] seconds the state outlives its last call
-- Returns {changed (1 or 0), version (a string), online (1 or 0)}: the caller tells a change to every
-- server on the notices channel (a script may publish only in its keys' slot).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if ARGV[2] == '+' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif ARGV[2] == '-' then
  redis.call('ZREM', KEYS[1], ARGV[1])
end
local online = redis.call('ZCARD', KEYS[1]) > 0 and '1' or '0'
local state = redis.call('HMGET', KEYS[2], 'v', 'on')
local version = state[1]
local changed = 0
if not version then
  if online == '0' then
    return {0, '0', 0} -- never seen, or forgotten while offline: nothing to keep
  end
  -- a new state's versions start at Redis' clock in microseconds: never below those of a state that expired
  version = string.format('%d', tonumber(t[1]) * 1000000 + tonumber(t[2]))
  redis.call('HSET', KEYS[2], 'v', version, 'on', online)
  changed = 1
elseif state[2] ~= online then
  version = string.format('%d', redis.call('HINCRBY', KEYS[2], 'v', 1))
  redis.call('HSET', KEYS[2], 'on', online)
  changed = 1
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {changed, version, online == '1' and 1 or 0}
