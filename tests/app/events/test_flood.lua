-- WIPPY-API.md §10.2 isolation: a subscriber that never reads holds a bounded number of
-- events (1,024 queued + 16 in its channel); the rest are dropped for it and counted by
-- sub:dropped() (Troupe's addition), and the sender never waits.
local t = require("t")
local events = require("events")

local N = 5000

local function main()
  local me = process.pid()
  local ready = process.listen("ready")
  local report = process.listen("report")
  local pid = process.spawn("app.events:idle_subscriber", "app:processes", me)
  t.recv(ready, "the subscriber")
  local payload = string.rep("x", 100)
  for i = 1, N do
    local ok, err = events.send("app.events.flood", "tick", tostring(i), payload)
    if not ok then
      t.fail("send " .. i .. " failed: " .. tostring(err))
    end
  end
  process.send(pid, "report", true)
  local r = t.recv(report, "the report", 10000)
  t.ok(r.read <= 1024 + 16, "the subscriber held " .. r.read .. " events")
  t.ok(r.read >= 16, "the subscriber got only " .. r.read .. " events")
  t.eq(r.read + r.dropped, N, "read + dropped")
  return true
end

return { main = main }
