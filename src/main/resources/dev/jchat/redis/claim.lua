-- Claims a name for a connection, or checks the key it presented against its holder's.
-- KEYS[1] the name's hold (hash: digest = SHA-256 of its key)
-- ARGV[1] the digest of the presented key, or ''   ARGV[2] the digest of a new key
-- ARGV[3] seconds the hold lasts from now (renewed by every claim and every release)
-- Returns 'claimed' (nobody held it: the new key is its key now), 'proven' (the presented key is
-- the holder's, or claims a name nobody held) or 'taken'.
local held = redis.call('HGET', KEYS[1], 'digest')
local outcome
if not held then
  if ARGV[1] ~= '' then
    redis.call('HSET', KEYS[1], 'digest', ARGV[1])
    outcome = 'proven'
  else
    redis.call('HSET', KEYS[1], 'digest', ARGV[2])
    outcome = 'claimed'
  end
elseif ARGV[1] ~= '' and held == ARGV[1] then
  outcome = 'proven'
else
  return 'taken'
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return outcome
