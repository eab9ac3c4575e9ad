-- Lets go of a name claimed for a connection that never got its welcome, if its key is still the
-- one claimed then. KEYS[1] the name's hold   ARGV[1] the digest of that key. Returns 1 when let go.
if redis.call('HGET', KEYS[1], 'digest') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
