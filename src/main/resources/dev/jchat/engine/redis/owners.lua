-- Records which two claims a direct conversation belongs to, and starts it over when a joiner
-- sees other claims (a name's hold ran out and someone else claimed it): the new claimant never
-- reads what was written to the old one.
-- KEYS[1] the room's meta hash (epoch, seq, owners)   KEYS[2] its stream   KEYS[3] its texts hash
-- KEYS[4] its edits hash (see publish.lua)
-- ARGV[1] the claims' identities (their keys' digests, in the room's order)
-- ARGV[2] the epoch to start over with   ARGV[3] the room's channel
-- ARGV[4] seconds to keep a room that has no message yet
-- Returns 1 when the conversation started over, else 0.
local recorded = redis.call('HGET', KEYS[1], 'owners')
if recorded == ARGV[1] then
  return 0
end
if not recorded then
  redis.call('HSET', KEYS[1], 'owners', ARGV[1])
  if redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIRE', KEYS[1], ARGV[4]) -- made here: the first load or message sets its lifetime
  end
  return 0
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HDEL', KEYS[1], 'gone', 'kept') -- ids start again: nothing of the old sequence is gone from the new
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'seq', 0, 'chats', 0, 'owners', ARGV[1])
-- a message of the new epoch with no id: every server with the room syncs to it, and closes its
-- members of the old one (1012); a server already on it ignores it
redis.call('SPUBLISH', ARGV[3], 'm ' .. ARGV[2] .. ' 0 ') -- ChannelMessage.Chat, id 0
return 1
