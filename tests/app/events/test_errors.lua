-- WIPPY-API.md §10.2 failures: subscribe("") and send("") → nil, Invalid; a pattern or
-- name over 1 KiB, a path over 4 KiB, data the bounded copy refuses (a cycle) → nil,
-- Invalid; more than 256 subscriptions → nil, Invalid; wrong argument types raise.
local t = require("t")
local events = require("events")
local errors = require("errors")

local function invalid(parts, what, v, err)
  t.eq(v, nil, what .. ": value")
  t.err(err, errors.INVALID, parts, what)
end

local function main()
  invalid({ "system must not be empty" }, "subscribe('')", events.subscribe(""))
  invalid({ "system must not be empty" }, "send('')", events.send("", "k", "p"))
  invalid({ "system pattern", "1025 bytes" }, "a long system pattern", events.subscribe(string.rep("s", 1025)))
  invalid({ "kind pattern" }, "a long kind pattern", events.subscribe("s", string.rep("*k", 600)))
  invalid({ "the kind", "at most 1024" }, "a long kind", events.send("app.events.errors", string.rep("k", 2000), "p"))
  invalid({ "the path", "at most 4096" }, "a long path", events.send("app.events.errors", "k", string.rep("p", 5000)))
  local cyclic = {}
  cyclic.self = cyclic
  invalid({ "cycle" }, "cyclic data", events.send("app.events.errors", "k", "p", cyclic))

  -- At most 256 subscriptions per process; closing one frees a place.
  local subs = {}
  for i = 1, 256 do
    local s, err = events.subscribe("app.events.errors.many")
    t.eq(err, nil, "subscription " .. i)
    subs[i] = s
  end
  invalid({ "too many subscriptions", "256" }, "the 257th subscription", events.subscribe("app.events.errors.many"))
  subs[1]:close()
  t.ok(events.subscribe("app.events.errors.many") ~= nil, "a subscription after closing one")

  t.raises({ "bad argument #1" }, events.subscribe, nil)
  t.raises({ "bad argument" }, events.send, "s", nil, "p")
  return true
end

return { main = main }
