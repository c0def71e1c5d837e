-- WIPPY-API.md §2 cancel(dest [, reason]) → true: the target gets a CANCEL event with
-- `from` (the canceller), `at` (Unix s) and `reason` ("" if none; numbers coerced); it
-- keeps running. A dead/unknown target → nil, err.
local t = require("t")

local function main()
  local me = process.pid()
  local rep = process.listen("report")
  for _, case in ipairs({ { nil, "" }, { "shutting down", "shutting down" }, { 42, "42" } }) do
    local pid = process.spawn("app.process:worker", nil, "wait_cancel", me)
    t.eq(t.recv(rep, "ready"), "ready", "worker ready")
    local before = os.time()
    t.eq({ process.cancel(pid, case[1]) }, { true }, "cancel with reason " .. t.show(case[1]))
    local e = t.recv(rep, "the CANCEL event")
    t.eq(e.kind, process.event.CANCEL, "event kind")
    t.eq(e.from, me, "CANCEL from")
    t.eq(e.reason, case[2], "CANCEL reason")
    t.ok(type(e.at) == "number" and e.at == math.floor(e.at) and e.at >= before - 1 and e.at <= os.time() + 1,
      "CANCEL at " .. t.show(e.at))
  end
  local ok, err = process.cancel("app.process.no-such-name")
  t.eq(ok, nil, "cancel of an unknown name")
  t.err(err, "NotFound", {}, "cancel of an unknown name")
  return true
end

return { main = main }
