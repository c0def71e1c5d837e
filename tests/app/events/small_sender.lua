-- Sends events under limits.max_message = 1 KiB: a small payload passes, a large one is
-- refused by the bounded copy.
local events = require("events")

local function main()
  local ok = events.send("app.events.small", "k", "p", { text = "small" })
  local v, err = events.send("app.events.small", "k", "p", { text = string.rep("x", 4096) })
  return { small = ok, big = v, kind = err and err:kind(), message = err and err:message() }
end

return { main = main }
