-- Claims a name for a connection, or checks the key it presented against its holder's.
-- KEYS[1] the name's hold, under its skeleton (hash: digest = SHA-256 of its key, name = the
--   spelling it was claimed with; a hold made before skeletons has no name: its key was its spelling)
-- KEYS[2] where a hold made before skeletons keeps this spelling (the same key when the spelling is
--   its own skeleton): moved under the skeleton here, so that an upgrade hands no held name to the
--   first comer
-- ARGV[1] the digest of the presented key, or ''   ARGV[2] the digest of a new key
-- ARGV[3] seconds the hold lasts from now (renewed by every claim and every release)
-- ARGV[4] the spelling asked for   ARGV[5] its skeleton
-- Returns 'claimed' (nobody held it: the new key is its key now), 'proven' (the presented key is
-- the holder's, with its spelling, or claims a name nobody held) or 'taken'.
if KEYS[2] ~= KEYS[1] and redis.call('EXISTS', KEYS[1]) == 0 then
  local old = redis.call('HGET', KEYS[2], 'digest')
  if old then
    redis.call('HSET', KEYS[1], 'digest', old, 'name', ARGV[4])
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    redis.call('DEL', KEYS[2])
  end
end
local hold = redis.call('HMGET', KEYS[1], 'digest', 'name')
local held, spelling = hold[1], hold[2] or ARGV[5]
local outcome
if not held then
  if ARGV[1] ~= '' then
    redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'name', ARGV[4])
    outcome = 'proven'
  else
    redis.call('HSET', KEYS[1], 'digest', ARGV[2], 'name', ARGV[4])
    outcome = 'claimed'
  end
elseif ARGV[1] ~= '' and held == ARGV[1] and spelling == ARGV[4] then
  outcome = 'proven'
else
  return 'taken'
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return outcome
