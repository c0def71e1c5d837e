-- WIPPY-API.md §4 crossing a process boundary (exit value of process.exec, message
-- payload): an empty kind becomes Internal (message, retryable, details kept); custom
-- kinds are kept (retryable/details: test_boundary_fields.lua); `return nil, "x"` is Internal; a raised string
-- is Internal with a message starting `<entry-id>:<line>: `.
local t = require("t")

local function main()
  local _, err = process.exec("app.errors:thrower_proc", nil, "plain")
  t.err(err, "Internal", { "plain message" }, "an empty kind across exec")
  t.eq(err:message(), "plain message", "message across exec")

  _, err = process.exec("app.errors:thrower_proc", nil, "custom")
  t.err(err, "MyKind", { "custom message" }, "a custom kind across exec")

  _, err = process.exec("app.errors:thrower_proc", nil, "string")
  t.err(err, "Internal", { "returned text" }, "return nil, \"x\" across exec")
  t.eq(err:message(), "returned text", "message of return nil, \"x\"")

  _, err = process.exec("app.errors:thrower_proc", nil, "raise_string")
  t.err(err, "Internal", { "raised text" }, "a raised string across exec")
  t.ok(string.match(err:message(), "^app%.errors:thrower_proc:%d+: raised text$") ~= nil,
    "message of a raised string: " .. err:message())

  -- In a message: an error object keeps its kind and fields.
  local inbox = process.listen("err")
  process.send(process.pid(), "err", errors.new({ message = "sent", kind = "OtherKind", retryable = true, details = { k = "v" } }))
  local m = t.recv(inbox, "the error message")
  t.err(m, "OtherKind", { "sent" }, "error object in a message")
  t.eq(m:retryable(), true, "retryable in a message")
  t.eq(m:details(), { k = "v" }, "details in a message")
  return true
end

return { main = main }
