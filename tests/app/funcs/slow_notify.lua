-- Sleeps `ms`, then tells `dest` (topic "late_notify", payload `tag`) that it finished.
-- If the call is cancelled while sleeping, the message is never sent.
local time = require("time")

return { main = function(dest, ms, tag)
  time.sleep(ms * time.MILLISECOND)
  process.send(dest, "late_notify", tag)
  return "finished " .. tostring(tag)
end }
