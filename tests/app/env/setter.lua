-- Writes `value` to `name`, then sends the test what env.get reads back.
local env = require("env")
return { main = function(test, name, value)
  local ok, err = env.set(name, value)
  process.send(test, "set_done", { ok = ok, err = err and err:message(), read = (env.get(name)) })
end }
