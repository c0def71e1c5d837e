-- §3.3: exec spawns and waits; the result is main's first return value; a raise, or a
-- string / error object as second return value, is an error exit.
local t = require("t")

local function main()
  local v, err = process.exec("app.processes:outcome", nil, "value", { a = 1, list = { 1, 2 } })
  t.eq(err, nil, "error of a normal exit")
  t.eq(v, { a = 1, list = { 1, 2 } }, "result of a normal exit")

  v, err = process.exec("app.processes:outcome", nil, "raise", "boom")
  t.eq(v, nil, "value of a raised error")
  t.eq(err:message(), "boom", "message of a raised error")

  v, err = process.exec("app.processes:outcome", nil, "return_string", "because")
  t.eq(v, nil, "value of `return nil, reason`")
  t.eq(err:message(), "because", "message of `return nil, reason`")

  v, err = process.exec("app.processes:outcome", nil, "return_error", "gone")
  t.err(err, "NotFound", { "gone" }, "`return nil, errors.new(...)`")

  v, err = process.exec("app.processes:no_such_entry")
  t.eq(v, nil, "value of exec of a missing entry")
  t.err(err, "NotFound", { "app.processes:no_such_entry" }, "exec of a missing entry")

  -- spawn of a missing entry: nil plus an error, nothing started.
  local pid, serr = process.spawn("app.processes:no_such_entry")
  t.eq(pid, nil, "PID of a spawn of a missing entry")
  t.err(serr, "NotFound", { "app.processes:no_such_entry" }, "spawn of a missing entry")
  return true
end

return { main = main }
