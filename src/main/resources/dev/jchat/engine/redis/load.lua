-- What a server needs before anyone joins a room there, read in one step: epoch, newest id,
-- newest entries of the log, names online and the presence version they belong to. Starts the
-- room's next epoch when Redis no longer holds what was seen of it (see docs/REDIS.md, "When
-- Redis forgets").
-- KEYS[1] meta hash   KEYS[2] stream   KEYS[3] names hash (name -> servers)   KEYS[4] the room's presence version (see presence.lua)
-- KEYS[5] texts hash   KEYS[6] edits hash (see publish.lua)   KEYS[7] sanctions hash (mutes and bans)
-- ARGV[1] the epoch to start, when there is none or the room's is lost   ARGV[2] chat messages to read
-- ARGV[3] seconds to keep a room that has no message yet
-- ARGV[4] the epoch the caller saw ('' for none)   ARGV[5] the newest id seen in it
-- ARGV[6] '1' when the caller saw, in that epoch, another message than Redis holds at some id
-- ARGV[7] the room's channel, told of a new epoch as 'e <epoch>'
-- KEYS[8] (optional) the room's held hash (see release.lua): the newest id answered is below the
--   lowest held one, and no entry from it on is read, since none of them is published yet
-- Returns {epoch, seq, version, entries (newest first), names online, sanctions (field, value...),
-- gone}: the entries from the ARGV[2]-th newest chat message on, each {'<id>-0', {'f', frame}}, a
-- chat message as it is now; an edit of a deleted message, whose text is gone, as
-- {'<id>-0', {'x', ''}}; gone: the newest id of an entry that went to make room for others (not
-- a chat message: see publish.lua), '0' for none: a replay from before it is not whole.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2], KEYS[5], KEYS[6])
  if KEYS[8] then
    redis.call('DEL', KEYS[8])
  end
  redis.call('HDEL', KEYS[1], 'gone', 'kept')
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0, 'chats', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[3])
else
  local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
  local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  local newest = 0
  if #top > 0 then
    newest = tonumber(string.match(top[1][1], '^(%d+)'))
  end
  -- a stream ahead of the sequence was replaced; a sequence behind what was seen in its epoch,
  -- or another message at a seen id, was restored from older data: ids would be given twice
  if newest > seq or (epoch == ARGV[4] and (ARGV[6] == '1' or seq < tonumber(ARGV[5]))) then
    epoch = ARGV[1]
    -- the sequence and the stream stay: what was published since the loss is the new epoch's history
    redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', string.format('%d', math.max(seq, newest)))
    redis.call('SPUBLISH', ARGV[7], 'e ' .. epoch) -- ChannelMessage.Epoch
  end
end
local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
local below = nil -- the lowest id held for the replicas: nothing from it on is published yet
if KEYS[8] then
  for _, held in ipairs(redis.call('HKEYS', KEYS[8])) do
    local n = tonumber(held)
    if not below or n < below then
      below = n
    end
  end
  if below and below <= tonumber(seq) then
    seq = string.format('%d', below - 1)
  end
end
local entries = {}
local wanted = tonumber(ARGV[2])
if wanted > 0 then
  -- the whole stream at most, which publish.lua bounds (chat messages kept, and the other entries)
  local chats = 0
  for _, entry in ipairs(redis.call('XREVRANGE', KEYS[2], '+', '-')) do
    local id = string.match(entry[1], '^(%d+)')
    local field = entry[2][1]
    if below and tonumber(id) >= below then
      -- held, or after one held: published later, in order (release.lua)
    elseif field == 'f' then
      entries[#entries + 1] = entry -- a log written before the texts hash holds chat messages here too
    else
      local frame = redis.call('HGET', KEYS[5], id)
      if frame then
        entries[#entries + 1] = {entry[1], {'f', frame}}
      elseif field == 'e' then
        entries[#entries + 1] = {entry[1], {'x', ''}}
      end
      if field == 'c' then
        chats = chats + 1
        if chats == wanted then
          break
        end
      end
    end
  end
end
local version = redis.call('GET', KEYS[4]) or '0'
return {epoch, seq, version, entries, redis.call('HKEYS', KEYS[3]), redis.call('HGETALL', KEYS[7]),
  redis.call('HGET', KEYS[1], 'gone') or '0'}
