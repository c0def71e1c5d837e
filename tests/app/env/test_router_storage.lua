-- env.storage.router: reads take the first storage with a value; writes go to the first.
local t = require("t")
local env = require("env")
local errors = require("errors")

local function main()
  local v, err = env.get("STATIC_A_ROUTED")
  t.eq(v, nil, "neither storage has it")
  t.err(err, errors.NOT_FOUND, {}, "neither storage has it")
  t.eq(env.set("STATIC_A_ROUTED", "in-mem"), true, "write through the router")
  t.eq(env.get("STATIC_A_ROUTED"), "in-mem", "read from the first storage")
  -- ROUTED_FALLBACK through the router: mem has none, fixed does.
  t.eq(env.get("ROUTED_FALLBACK"), "beta", "falls through to the static storage")
  return true
end

return { main = main }
