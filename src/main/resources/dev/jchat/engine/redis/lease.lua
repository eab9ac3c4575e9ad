-- The webhooks' delivery lease (see RedisWebhooks): one server at a time reads the webhook stream
-- and delivers. Takes the lease when nobody holds it, or renews it for its holder.
-- KEYS[1] the lease   ARGV[1] this server's id   ARGV[2] how long it lasts, ms
-- Returns 1 when this server holds it now, 0 when another does.
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
