-- WIPPY-API.md §10.2 sub:close() → true: the channel is closed (receive gives nil, false)
-- and no further event is delivered; closing twice is fine. A subscription whose object
-- is dropped keeps delivering (`events.subscribe(s):channel()` works).
local t = require("t")
local events = require("events")
local system = require("system")

local function main()
  local sub = events.subscribe("app.events.close")
  local ch = sub:channel()
  events.send("app.events.close", "before", "p")
  t.eq(t.recv(ch, "the event before close").kind, "before", "event before close")
  t.eq(sub:close(), true, "close")
  events.send("app.events.close", "after", "p")
  local v, ok = ch:receive()
  t.eq({ v, ok }, { nil, false }, "receive on a closed subscription")
  t.eq(sub:close(), true, "close twice")

  -- The Subscription object becomes garbage and is collected (seen through a weak table).
  local weak = setmetatable({}, { __mode = "v" })
  weak[1] = events.subscribe("app.events.close.kept")
  local kept = weak[1]:channel()
  for _ = 1, 200 do
    if weak[1] == nil then
      break
    end
    for _ = 1, 2000 do
      local _ = { string.rep("g", 64) }
    end
    system.gc.collect()
  end
  t.eq(weak[1], nil, "the Subscription object was not collected")
  events.send("app.events.close.kept", "still", "p")
  t.eq(t.recv(kept, "an event for a subscription whose object is gone").kind, "still", "kept subscription")
  return true
end

return { main = main }
