-- A webhook event delivered (or dropped after the retry hours): acknowledged in the consumer group
-- and deleted from the webhook stream, so that the stream holds only what is not yet delivered.
-- KEYS[1] the webhook stream   ARGV[1] the group   ARGV[2] the entry's id
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
