-- WIPPY-API.md §2 LINK_DOWN with trap_links: kind, from, at, result = {error = err} (no
-- `reason` field); without trap_links the process exits with "linked process failed".
local t = require("t")

local function main()
  local me = process.pid()
  local rep = process.listen("report")
  local before = os.time()
  t.eq(process.exec("app.process:worker", nil, "trap", me), "trapped", "the trapping worker")
  local e = t.recv(rep, "the LINK_DOWN report")
  t.eq(e.kind, "pid.link.down", "kind")
  t.eq(e.from, e.child, "from is the linked child")
  t.ok(type(e.at) == "number" and e.at >= before - 1, "at " .. t.show(e.at))
  t.eq({ e.err_kind, e.err_msg }, { "Internal", "linked failure" }, "result.error")
  t.eq(e.reason, nil, "LINK_DOWN has no reason field")
  return true
end

return { main = main }
