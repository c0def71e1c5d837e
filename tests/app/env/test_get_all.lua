-- env.get_all() → {variable = value} for the declared variables the caller may read
-- (with defaults), never the whole OS environment.
local t = require("t")
local env = require("env")
local funcs = require("funcs")
local security = require("security")

local function main()
  local all, err = env.get_all()
  t.eq(err, nil, "get_all")
  t.eq(all.STATIC_A, "alpha", "static value")
  t.eq(all.STATIC_EMPTY, "was-empty", "default of an empty value")
  t.eq(all.TROUPE_TEST_ENV_UNSET_2, "fallback", "default of an unset value")
  t.ok(type(all.PATH) == "string", "declared PATH")
  t.eq(all.HOME, nil, "undeclared HOME is not listed")
  t.eq(all.MISSING_FILE_VAR, nil, "a failing storage leaves its variables out")
  t.eq(all.NOT_LISTED_IN_TROUPE_YAML, nil, "an OS name outside the env: list is left out")

  -- Filtered by env.get: the narrow scope allows STATIC_A and MEM_PROBE only.
  local r = funcs.new():with_actor(security.new_actor("env-probe")):with_scope(security.named_scope("env_narrow"))
    :call("app.env:probe", "get_all")
  local keys = {}
  for k in pairs(r.ok) do
    table.insert(keys, k)
  end
  t.ok(#keys <= 2 and r.ok.STATIC_A == "alpha", "filtered get_all: " .. t.show(r))
  for _, k in ipairs(keys) do
    t.ok(k == "STATIC_A" or k == "MEM_PROBE", "only permitted names: " .. k)
  end
  return true
end

return { main = main }
