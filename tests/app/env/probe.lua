-- Runs one env operation under the caller's scope and reports the answer as plain values.
local env = require("env")

local function outcome(v, err)
  if err ~= nil then
    return { kind = err:kind(), message = err:message() }
  end
  return { ok = v }
end

return {
  main = function(op, name, value)
    if op == "get" then
      return outcome(env.get(name))
    elseif op == "set" then
      return outcome(env.set(name, value))
    elseif op == "get_all" then
      return outcome(env.get_all())
    end
    error("probe: unknown op " .. tostring(op))
  end,
}
