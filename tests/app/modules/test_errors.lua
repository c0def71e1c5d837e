-- §5 errors: new(kind, message), :kind(), :message(), tostring; unknown kinds refused;
-- error objects survive a process exit with their kind.
local t = require("t")
local errors = require("errors")

local function main()
  local e = errors.new("NOT_FOUND", "no such thing")
  t.eq(e:kind(), "NOT_FOUND", "kind")
  t.eq(e:message(), "no such thing", "message")
  t.eq(tostring(e), "no such thing", "tostring")
  t.eq(errors.NOT_FOUND, "NOT_FOUND", "kind constant")
  t.eq(errors.is(e, "NOT_FOUND"), true, "errors.is with the right kind")
  t.eq(errors.is(e, "TIMEOUT"), false, "errors.is with another kind")
  for _, k in ipairs({ "INVALID", "PERMISSION_DENIED", "TIMEOUT", "CANCELED", "INTERNAL" }) do
    t.eq(errors.new(k, "m"):kind(), k, "kind " .. k)
  end
  t.eq(errors.new("just a message"):kind(), "UNKNOWN", "kind of errors.new(message)")
  t.eq(errors.new({ kind = "TIMEOUT", message = "slow" }):message(), "slow", "errors.new{...}")
  t.raises({ "NOPE" }, errors.new, "NOPE", "m")

  -- The kind crosses a process boundary (exit result and message payload).
  local _, err = process.exec("app.processes:outcome", nil, "return_error", "lost")
  t.err(err, "NOT_FOUND", { "lost" }, "error object returned by a child")
  process.send(process.pid(), "err", errors.new("CONFLICT", "clash"))
  local m = t.recv(process.listen("err"), "the error message")
  t.err(m, "CONFLICT", { "clash" }, "error object sent in a message")
  return true
end

return { main = main }
