-- Starts a coroutine that would message `parent` after 60 ms, then returns at once:
-- the coroutine must end with main (SPEC §3.3) and never send.
local time = require("time")

local function main(parent)
  coroutine.spawn(function()
    time.sleep("60ms")
    process.send(parent, "late", "the coroutine outlived main")
  end)
  return "main done"
end

return { main = main }
