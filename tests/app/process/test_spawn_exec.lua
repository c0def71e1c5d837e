-- WIPPY-API.md §2 spawn variants → a PID; exec(id, host, ...) → the child's exit value,
-- an error exit → nil, err (kind kept; a returned string → Internal).
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  for _, f in ipairs({ "spawn", "spawn_monitored", "spawn_linked", "spawn_linked_monitored" }) do
    local pid = process[f]("app.process:worker", "app:processes", "value", me, f)
    t.ok(type(pid) == "string" and string.match(pid, t.pid_pattern("app:processes")) ~= nil, f .. " PID " .. t.show(pid))
    if f == "spawn_monitored" or f == "spawn_linked_monitored" then
      t.eq(t.event(events, process.event.EXIT, pid).result, { value = f }, f .. " exit event")
    end
  end
  t.eq({ process.exec("app.process:worker", "app:processes", "value", me, { a = 1 }) }, { { a = 1 } }, "exec value")
  local v, err = process.exec("app.process:worker", "app:processes", "error", me, "custom")
  t.eq(v, nil, "exec of an error exit")
  t.err(err, "Custom", { "custom" }, "exec of an error exit")
  v, err = process.exec("app.process:worker", "app:processes", "return_string", me, "why")
  t.eq(v, nil, "exec of return nil, \"why\"")
  t.err(err, "Internal", { "why" }, "exec of return nil, \"why\"")
  v, err = process.exec("app.process:worker", "app:processes", "raise", me, "raised")
  t.eq(v, nil, "exec of a raise")
  t.err(err, "Internal", { "raised" }, "exec of a raise")
  v, err = process.spawn("app.process:no_such_entry", "app:processes")
  t.eq(v, nil, "spawn of a missing entry")
  t.err(err, "NotFound", {}, "spawn of a missing entry")
  return true
end

return { main = main }
