-- WIPPY-API.md §2 monitor/unmonitor/link/unlink(dest) → true; a dead or unknown target
-- → nil, err (no EXIT is synthesized).
local t = require("t")

local function main()
  local me = process.pid()
  local events = process.events()
  local rep = process.listen("report")
  local pid = process.spawn("app.process:worker", nil, "block", me)
  t.recv(rep, "ready")
  for _, f in ipairs({ "monitor", "unmonitor", "link", "unlink" }) do
    t.eq({ process[f](pid) }, { true }, f .. " of a live process")
  end
  t.eq(process.monitor(pid), true, "monitor again")
  process.send(pid, "go")
  t.eq(t.event(events, process.event.EXIT, pid).result, { value = "unblocked" }, "EXIT of the monitored process")
  for _, f in ipairs({ "monitor", "unmonitor", "link", "unlink" }) do
    local ok, err = process[f](pid)
    t.eq(ok, nil, f .. " of a dead PID")
    t.err(err, "NotFound", {}, f .. " of a dead PID")
    ok, err = process[f]("app.process.no-such-name")
    t.eq(ok, nil, f .. " of an unknown name")
    t.err(err, "NotFound", {}, f .. " of an unknown name")
  end
  t.eq(t.pending(events), {}, "events synthesized for failed monitors")
  return true
end

return { main = main }
