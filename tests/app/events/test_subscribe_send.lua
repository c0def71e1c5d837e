-- WIPPY-API.md §10.2: events.send(system, kind, path [, data]) → true, nil; a subscriber
-- of the system receives {system, kind, path, data} on sub:channel() (the same channel
-- each call); data is a deep copy for each subscriber; data is optional.
local t = require("t")
local events = require("events")

local function main()
  local sub = events.subscribe("app.events.basic")
  t.eq(type(sub), "userdata", "a subscription")
  local ch = sub:channel()
  t.ok(ch == sub:channel(), "channel() returns the same channel each call")
  local other = events.subscribe("app.events.basic")

  local data = { n = 1, list = { "a", "b" }, nested = { deep = { x = true } } }
  local ok, err = events.send("app.events.basic", "thing.happened", "app.events:subscribe_send", data)
  t.eq({ ok, err }, { true, nil }, "send result")
  data.n = 2
  local e = t.recv(ch, "the event")
  t.eq(e, {
    system = "app.events.basic",
    kind = "thing.happened",
    path = "app.events:subscribe_send",
    data = { n = 1, list = { "a", "b" }, nested = { deep = { x = true } } },
  }, "the event table")
  local e2 = t.recv(other:channel(), "the event at the second subscriber")
  t.eq(e2.data.n, 1, "the second subscriber's data")
  e2.data.list[1] = "changed"
  t.ok(e.data ~= e2.data, "subscribers share a table")
  t.eq(e.data.list[1], "a", "one subscriber's change reached the other")

  -- Without data; a number path is coerced.
  t.eq(events.send("app.events.basic", "bare", 7), true, "send without data")
  local bare = t.recv(ch, "the event without data")
  t.eq(bare, { system = "app.events.basic", kind = "bare", path = "7" }, "an event without data")
  t.recv(other:channel(), "the second copy")

  -- Another system is not delivered; order is kept.
  events.send("app.events.elsewhere", "x", "p")
  for i = 1, 5 do
    events.send("app.events.basic", "seq", tostring(i), i)
  end
  for i = 1, 5 do
    t.eq(t.recv(ch, "event " .. i).data, i, "order of events")
  end
  t.eq(t.pending(ch), {}, "an event of another system was delivered")
  return true
end

return { main = main }
