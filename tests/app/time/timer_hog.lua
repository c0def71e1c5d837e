-- Makes timers (that would fire in an hour) until its memory limit stops it.
local time = require("time")

return { main = function()
  local keep = {}
  local n = 0
  while true do
    n = n + 1
    keep[n % 64 + 1] = time.timer("1h")
    time.after("1h")
    time.ticker("1h")
  end
end }
