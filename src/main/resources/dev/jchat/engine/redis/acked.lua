-- A webhook event delivered (or dropped after the retry hours): deleted from its stream (a room's, or
-- the whole chat's names'), so that a stream holds only what is not yet delivered; the stream itself
-- goes once empty, so that a room that had events leaves no key behind. In one step with the XADD of
-- publish.lua, release.lua or presence.lua (the stream's slot), so that no new event is deleted with it.
-- KEYS[1] the stream   ARGV[1] the entry's id
local deleted = redis.call('XDEL', KEYS[1], ARGV[1])
if redis.call('XLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
end
return deleted
