-- The webhooks' delivery lease (see RedisWebhooks): one server at a time reads the webhook stream
-- and delivers. Takes the lease when nobody holds it, or renews it for its holder; with a length
-- of 0, lets go of it if this server holds it (a server that stops), so the next takes over at once.
-- KEYS[1] the lease   ARGV[1] this server's id   ARGV[2] how long it lasts, ms
-- Returns 1 when this server holds it now, 0 when it does not.
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == '0' then
  if holder == ARGV[1] then
    redis.call('DEL', KEYS[1])
  end
  return 0
end
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
