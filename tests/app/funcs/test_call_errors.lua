-- §5 funcs.call error propagation: a raised string keeps its text; an error object keeps
-- its kind and message; `return nil, "reason"` is an error too.
local t = require("t")
local funcs = require("funcs")

local function main()
  local v, err = funcs.call("app.funcs:fail", "raise", "x")
  t.eq(v, nil, "value of a raising function")
  t.eq(err:message(), "x", "message of error(\"x\", 0)")
  t.eq(tostring(err), "x", "tostring of the error")

  v, err = funcs.call("app.funcs:fail", "not_found", "m")
  t.eq(v, nil, "value of `return nil, errors.new(...)`")
  t.err(err, "NotFound", {}, "`return nil, errors.new(\"NOT_FOUND\", \"m\")`")
  t.eq(err:message(), "m", "message of the returned error object")

  v, err = funcs.call("app.funcs:fail", "string", "because")
  t.eq(v, nil, "value of `return nil, \"because\"`")
  t.eq(err:message(), "because", "message of `return nil, \"because\"`")

  -- Raising an error object keeps its kind and message.
  v, err = funcs.call("app.funcs:fail", "raise_object", "clash")
  t.eq(v, nil, "value of error(errors.new(...))")
  t.eq(err:kind(), "Conflict", "kind of error(errors.new(\"CONFLICT\", \"clash\"))")
  t.eq(err:message(), "clash", "message of error(errors.new(\"CONFLICT\", \"clash\"))")

  t.eq(funcs.call("app.funcs:fail", "none"), "did not fail", "a normal return after failures")
  return true
end

return { main = main }
