-- WIPPY-API.md §4 errors: new{kind=, message=}, :kind(), :message(), tostring; any kind
-- string is kept (custom kinds too); error objects survive a process exit with their kind.
local t = require("t")
local errors = require("errors")

local function main()
  local e = errors.new({kind = errors.NOT_FOUND, message = "no such thing"})
  t.eq(e:kind(), "NotFound", "kind")
  t.eq(e:message(), "no such thing", "message")
  t.eq(tostring(e), "no such thing", "tostring")
  t.eq(errors.NOT_FOUND, "NotFound", "kind constant")
  t.eq(errors.is(e, "NotFound"), true, "errors.is with the right kind")
  t.eq(errors.is(e, "Timeout"), false, "errors.is with another kind")
  for _, k in ipairs({ "Invalid", "PermissionDenied", "Timeout", "Canceled", "Internal" }) do
    t.eq(errors.new({ kind = k, message = "m" }):kind(), k, "kind " .. k)
  end
  -- The two-argument form is not Wippy's: the 2nd argument is ignored.
  local two = errors.new(errors.INVALID, "m")
  t.eq({ two:kind(), two:message() }, { "", "Invalid" }, "errors.new(kind, msg)")
  t.eq(errors.new("just a message"):kind(), "", "kind of errors.new(message)")
  t.eq(errors.new({ kind = "Timeout", message = "slow" }):message(), "slow", "errors.new{...}")
  -- Kinds are unchecked strings.
  t.eq(errors.new({ kind = "NOPE", message = "m" }):kind(), "NOPE", "a custom kind")

  -- The kind crosses a process boundary (exit result and message payload).
  local _, err = process.exec("app.processes:outcome", nil, "return_error", "lost")
  t.err(err, "NotFound", { "lost" }, "error object returned by a child")
  process.send(process.pid(), "err", errors.new({kind = errors.CONFLICT, message = "clash"}))
  local m = t.recv(process.listen("err"), "the error message")
  t.err(m, "Conflict", { "clash" }, "error object sent in a message")
  return true
end

return { main = main }
