-- Keeps timers (that would fire in an hour) until its memory limit stops it, telling
-- `parent` how many it holds every 500.
local time = require("time")

return { main = function(parent)
  local keep = {}
  local n = 0
  while true do
    n = n + 1
    keep[n] = time.timer("1h")
    if n % 500 == 0 then process.send(parent, "count", n) end
  end
end }
