-- Appends one entry to a room's log: a chat message, or an edit, deletion, reaction (or any other
-- entry) about one. The room's next id, its stream entry, its fan-out, in one step.
-- KEYS[1] the room's meta hash (epoch, seq, chats, gone)   KEYS[2] its stream   KEYS[3] its texts hash
-- KEYS[4] its edits hash   KEYS[5] its sanctions hash (mutes and bans, see SanctionsHash)
-- KEYS[6] the room's held hash (see ARGV[17])
-- KEYS[7] (only when webhooks are on and the entry makes an event) the room's webhook stream: the entry's
--   frame is added there in the same step, so each event is written once, with its entry or not at all
-- ARGV[1] the frame before its id   ARGV[2] the frame after its id   ARGV[3] chat messages kept
-- ARGV[4] seconds to keep the room after this entry   ARGV[5] the epoch to start, when there is none
--   or the room's is lost
-- ARGV[6] the room's channel   ARGV[7] deadline, milliseconds on Redis' clock
-- ARGV[8] the epoch of the sender's server's copy   ARGV[9] the newest id that copy holds
-- ARGV[10] kind: 'chat', or for an entry 'edit', 'delete' or 'other'   ARGV[11] other entries kept
-- ARGV[12] the id of the chat message the entry is about ('' for none)
-- ARGV[13] that message's frame as the sender read it   ARGV[14] its frame after this entry
-- ARGV[15] for a moderation entry that sets or lifts a mute or ban, the sanctions hash's field
--   ('' for any other entry)   ARGV[16] the field's value ('' lifts it)
-- ARGV[17] (optional) '1' to hold the entry instead of publishing it, in KEYS[6], the room's held
--   hash, until release.lua publishes it once the replicas have it (CHAT_REDIS_WAIT_REPLICAS)
-- Returns {id, epoch}; {'0', epoch, its frame now ('' for none)} when an entry's message is no
-- longer what the sender read, and {'0', epoch} when the room's epoch is not the copy's: nothing
-- is appended, the sender decides anew on the message as it is now. Refuses with LATE <Redis'
-- time, ms> after the deadline, publishing nothing, so that an entry the server gave up on is
-- never published late (the server measures Redis' clock again from that time, and tries again
-- if its own deadline has not passed).
-- Texts are never in the stream (an entry removed from a stream leaves its bytes there): a chat
-- message's frame as it is now and an edit's frame are in the texts hash under their ids; the
-- stream holds 'c' (a chat message), 'e <target>' (an edit of that message; without a text in
-- the hash once the message is deleted) or 'f <frame>' (any other entry, with no message text).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[7]) then
  return redis.error_reply(string.format('LATE %d the deadline passed before the message could be published', now))
end
local kind = ARGV[10]
local target = ARGV[12]
local ttl = tonumber(ARGV[4])
-- one read of the room's counters; 'kept' is until when (s, Redis' clock) every key of the room
-- lives at least: the expiry is refreshed only when that is sooner than ttl from now, to ttl and
-- a minute more, so that a busy room pays for it once a minute, not per entry (see below)
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'chats', 'kept', 'gone')
local epoch = meta[1]
if kind ~= 'chat' and target ~= '' then
  -- compare-and-set: decided on the message as it was read, appended only if it still is
  local held = redis.call('HGET', KEYS[3], target)
  if epoch ~= ARGV[8] then
    return {'0', epoch or ''}
  elseif held ~= ARGV[13] then
    return {'0', epoch, held or ''} -- what it is now: the sender decides again without reading it
  end
end
local seq = tonumber(meta[2] or '0')
local chats = tonumber(meta[3] or '0')
local kept = tonumber(meta[4] or '0')
local gone = meta[5]
if not epoch then
  -- the room is new, or Redis lost it: a new sequence, and nothing of an old log in it
  epoch = ARGV[5]
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  if KEYS[6] then
    redis.call('DEL', KEYS[6]) -- held entries of the lost sequence are never published
  end
  redis.call('HDEL', KEYS[1], 'gone', 'kept')
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'chats', 0)
  seq, chats, kept, gone = 0, 0, 0, nil
elseif epoch == ARGV[8] and seq < tonumber(ARGV[9]) then
  -- the sender's server saw ids of this epoch that Redis no longer has (restored from older data):
  -- a new epoch, told to every server before this entry, so that no id is given twice in one
  epoch = ARGV[5]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  redis.call('SPUBLISH', ARGV[6], 'e ' .. epoch) -- ChannelMessage.Epoch
end
local id = string.format('%d', seq + 1)
local frame = ARGV[1] .. id .. ARGV[2]

-- Drops one entry of the stream that is not a chat message, and what only it used (an edit's text,
-- and its id in its message's edits field).
local function dropOther(entry)
  redis.call('XDEL', KEYS[2], entry[1])
  local dropId = string.match(entry[1], '^(%d+)')
  if entry[2][1] == 'e' then
    redis.call('HDEL', KEYS[3], dropId)
    local of = entry[2][2]
    local edits = redis.call('HGET', KEYS[4], of)
    if edits then
      local rest = string.match(edits, '^' .. dropId .. ' (.*)$')
      if rest then
        redis.call('HSET', KEYS[4], of, rest)
      elseif edits == dropId then
        redis.call('HDEL', KEYS[4], of)
      end
    end
  end
end

-- As the servers' copies (History), before the entry is added. Past the chat messages kept, the
-- oldest message goes, with the entries before the next message (they were about messages no
-- longer held): the stream always starts with a chat message. Past the other entries kept, the
-- oldest entry that is not a chat message goes, wherever it is, so that a reaction storm costs old
-- entries, never the messages. Meta's 'gone' is the id of the last entry dropped so: every entry
-- before it is a chat message (nothing else older is left), so the next one is looked for after
-- it, and each message is passed over once however long the storm; a server that loads the room
-- takes what is older than 'gone' as not all there (load.lua answers it).
local chat = kind == 'chat'
local chatsBefore = chats
local keep = tonumber(ARGV[3])
if chat and chats >= keep + math.floor(keep / 8) then
  -- the oldest messages go, as many as make this one the keep-th, with the entries after each up
  -- to the next message; an eighth of keep at once (none for fewer than 8), each key in one call:
  -- a busy room pays for the trim every eighth of its history, not per message
  local goes = chats - keep + 1
  local entries, texts, messages = {}, {}, {}
  local from = '-'
  local done = false
  repeat
    local batch = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', goes + 8)
    for _, entry in ipairs(batch) do
      local field = entry[2][1]
      local entryId = string.match(entry[1], '^(%d+)')
      if field == 'c' then
        if goes == 0 then
          done = true
          break
        end
        goes = goes - 1
        table.insert(messages, entryId)
      end
      table.insert(entries, entry[1])
      if field == 'c' or field == 'e' then -- an edit's message goes before it, with its edits field
        table.insert(texts, entryId)
      end
    end
    if #batch == 0 then
      done = true
    else
      from = '(' .. batch[#batch][1]
    end
  until done
  local function inParts(command, key, list)
    for i = 1, #list, 1000 do
      redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
    end
  end
  inParts('XDEL', KEYS[2], entries)
  inParts('HDEL', KEYS[3], texts)
  inParts('HDEL', KEYS[4], messages)
  chats = chats - #messages
elseif not chat and redis.call('XLEN', KEYS[2]) - chats >= tonumber(ARGV[11]) then
  local from = gone and ('(' .. gone .. '-0') or '-'
  local found = false
  repeat
    local batch = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', 16)
    for _, entry in ipairs(batch) do
      if entry[2][1] ~= 'c' then
        dropOther(entry)
        gone = string.match(entry[1], '^(%d+)')
        found = true
        break
      end
    end
    if #batch > 0 then
      from = '(' .. batch[#batch][1]
    end
  until found or #batch < 16
end
if kind == 'chat' then
  redis.call('HSET', KEYS[3], id, frame)
  redis.call('XADD', KEYS[2], id .. '-0', 'c', '')
  chats = chats + 1
elseif kind == 'edit' then
  redis.call('XADD', KEYS[2], id .. '-0', 'e', target)
  redis.call('HSET', KEYS[3], id, frame)
  if redis.call('HEXISTS', KEYS[3], target) == 1 then -- else it went to make room for this entry
    redis.call('HSET', KEYS[3], target, ARGV[14])
    local edits = redis.call('HGET', KEYS[4], target)
    redis.call('HSET', KEYS[4], target, edits and (edits .. ' ' .. id) or id)
  end
else
  redis.call('XADD', KEYS[2], id .. '-0', 'f', frame)
  if target ~= '' and redis.call('HEXISTS', KEYS[3], target) == 1 then
    redis.call('HSET', KEYS[3], target, ARGV[14])
  end
  if kind == 'delete' then
    -- its text goes for good, and with it the texts of its edits; their stream entries stay,
    -- without text, so that a server filling a gap knows those ids were not lost
    for edit in string.gmatch(redis.call('HGET', KEYS[4], target) or '', '%d+') do
      redis.call('HDEL', KEYS[3], edit)
    end
    redis.call('HDEL', KEYS[4], target)
  end
end

local nowSeconds = math.floor(now / 1000)
local counters = {'seq', id}
if gone and gone ~= meta[5] then
  table.insert(counters, 'gone')
  table.insert(counters, gone)
end
if chats ~= chatsBefore then
  table.insert(counters, 'chats')
  table.insert(counters, string.format('%d', chats))
end
-- and when a key may be new: a room that held no message may have no stream or texts yet, an edit
-- may make the edits hash (a key made between two refreshes would never expire)
local refresh = kept < nowSeconds + ttl or chatsBefore == 0 or kind == 'edit'
if refresh then
  for i = 1, 4 do
    redis.call('EXPIRE', KEYS[i], ttl + 60)
  end
  table.insert(counters, 'kept')
  table.insert(counters, string.format('%d', nowSeconds + ttl + 60))
end
redis.call('HSET', KEYS[1], unpack(counters))
-- A room's mutes and bans live as long as its log, and a sanction at least until it ends: the
-- hash expires with the room's keys or when its last sanction ends, whichever is later, and
-- never while it holds one without an end. Sanctions that ended go when the next one is written.
if ARGV[15] ~= '' then
  if ARGV[16] == '' then
    redis.call('HDEL', KEYS[5], ARGV[15])
  else
    redis.call('HSET', KEYS[5], ARGV[15], ARGV[16])
  end
  local keep = (nowSeconds + ttl + 60) * 1000
  local forever = false
  local held = redis.call('HGETALL', KEYS[5])
  for i = 1, #held, 2 do
    local ends = string.match(held[i + 1], '^(%S+)')
    if ends == '-' then
      forever = true
    elseif tonumber(ends) <= now then
      redis.call('HDEL', KEYS[5], held[i])
    else
      keep = math.max(keep, tonumber(ends))
    end
  end
  if forever then
    redis.call('PERSIST', KEYS[5])
  else
    redis.call('PEXPIREAT', KEYS[5], keep)
  end
elseif refresh then
  redis.call('EXPIRE', KEYS[5], ttl + 60, 'GT') -- no sooner than the log; a later end stays
end
if #KEYS >= 7 and ARGV[17] ~= '1' then -- a held message's event is written when it is published (release.lua)
  redis.call('XADD', KEYS[7], '*', 'f', frame) -- RedisWebhooks reads it
end
-- the channel's format is ChannelMessage's (Java), which reads it
local message = 'm ' .. epoch .. ' ' .. id .. ' ' .. frame
if ARGV[17] == '1' then
  -- held until the replicas have it: 'h', its deadline, the channel message (see release.lua)
  redis.call('HSET', KEYS[6], id, 'h' .. ARGV[7] .. ' ' .. message)
  redis.call('PEXPIRE', KEYS[6], 60000)
  return {id, epoch}
end
redis.call('SPUBLISH', ARGV[6], message)
return {id, epoch}
