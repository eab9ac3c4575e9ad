-- What a room holds unread for a name, counted where Redis keeps the room (for a server with no
-- copy of it). Mirrors the rule of the servers' copies (History.unread, Positions.Unread): chat
-- messages after the read position, newest first, not the name's own and not deleted, counted up
-- to ARGV[4]; mentions: those of them whose text holds '@NAME', case-insensitively.
-- Bounded: the chat messages looked at (each an HGET and a decode) are ARGV[5] at most, and the
-- stream entries read ARGV[6] at most, however big the room or long a reaction storm.
-- KEYS[1] the room's stream   KEYS[2] its texts hash (see publish.lua)
-- ARGV[1] the id read up to   ARGV[2] the name   ARGV[3] '@' and the name in lower case
-- ARGV[4] unread counted at most   ARGV[5] chat messages looked at at most
-- ARGV[6] stream entries read at most
-- Returns {unread, mentions}, or {} when it read its most stream entries before the read position
-- and the caps (a reaction storm after the messages): not counted, rather than counted short.
-- Lua's lower() knows ASCII letters only: a mention whose other letters are in another case than
-- ARGV[3] is not counted here (the servers' copies would count it).
local cap, lookAt, readAtMost = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local unread, mentions, looked, read = 0, 0, 0, 0
local from = '+'
local stop = '(' .. ARGV[1] .. '-0'
while true do
  local want = math.min(128, readAtMost - read)
  local batch = redis.call('XREVRANGE', KEYS[1], from, stop, 'COUNT', want)
  for _, entry in ipairs(batch) do
    read = read + 1
    local frame
    if entry[2][1] == 'c' then
      frame = redis.call('HGET', KEYS[2], string.match(entry[1], '^(%d+)'))
    elseif entry[2][1] == 'f' and string.sub(entry[2][2], 1, 14) == '{"type":"chat"' then
      frame = entry[2][2] -- a message written before the texts hash
    end
    if frame then
      looked = looked + 1
      local message = cjson.decode(frame)
      if message.deleted ~= true and message.user ~= ARGV[2] then
        unread = unread + 1
        if type(message.msg) == 'string' and string.find(string.lower(message.msg), ARGV[3], 1, true) then
          mentions = mentions + 1
        end
      end
      if unread >= cap or looked >= lookAt then
        return {unread, mentions}
      end
    end
  end
  if #batch < want then
    return {unread, mentions} -- the read position was reached
  end
  if read >= readAtMost then
    return {} -- entries other than messages all the way: not counted, rather than counted short
  end
  from = '(' .. batch[#batch][1]
end
