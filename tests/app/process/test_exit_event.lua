-- WIPPY-API.md §2 EXIT event tables: kind, from, at (Unix s, integer), result =
-- {value = v} for a normal exit, {error = err} for an error exit.
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  local before = os.time()
  local pid = process.spawn_monitored("app.process:worker", nil, "value", me, { 1, 2 })
  local e = t.event(events, process.event.EXIT, pid)
  t.eq(e.kind, "pid.exit", "kind")
  t.eq(e.from, pid, "from")
  t.ok(type(e.at) == "number" and e.at == math.floor(e.at) and e.at >= before - 1 and e.at <= os.time() + 1, "at " .. t.show(e.at))
  t.eq(e.result, { value = { 1, 2 } }, "result of a normal exit")

  pid = process.spawn_monitored("app.process:worker", nil, "error", me, "went wrong")
  e = t.event(events, process.event.EXIT, pid)
  t.eq(e.result.value, nil, "no value for an error exit")
  t.err(e.result.error, "Custom", { "went wrong" }, "result.error of an error exit")
  t.eq(process.event, { EXIT = "pid.exit", LINK_DOWN = "pid.link.down", CANCEL = "pid.cancel" }, "process.event")
  return true
end

return { main = main }
