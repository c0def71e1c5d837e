-- Makes after() channels nobody keeps: they are collected and their tasks stop.
local time = require("time")

return { main = function()
  for _ = 1, 200000 do
    time.after("1h")
  end
  return 200000
end }
