-- Sleeps `ms` milliseconds, then returns `v`.
local time = require("time")

return { main = function(ms, v)
  time.sleep(ms * time.MILLISECOND)
  return v
end }
