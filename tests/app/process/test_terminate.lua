-- WIPPY-API.md §2 terminate(dest) → true: the target exits with an error (monitors see
-- result.error); a dead/unknown target → nil, err.
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  local ready = process.listen("report")
  local pid = process.spawn_monitored("app.process:worker", nil, "block", me)
  t.recv(ready, "the worker's ready")
  t.eq({ process.terminate(pid) }, { true }, "terminate")
  local e = t.event(events, process.event.EXIT, pid)
  t.ok(e.result and e.result.error ~= nil, "a terminated process exits with an error: " .. t.show(e.result))
  t.eq(e.result.value, nil, "no exit value")
  local ok, err = process.terminate(pid)
  t.eq(ok, nil, "terminate of a dead PID")
  t.err(err, "NotFound", {}, "terminate of a dead PID")
  ok, err = process.terminate("app.process.no-such-name")
  t.eq(ok, nil, "terminate of an unknown name")
  t.err(err, "NotFound", {}, "terminate of an unknown name")
  return true
end

return { main = main }
