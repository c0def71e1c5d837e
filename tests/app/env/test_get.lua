-- env.get(name): by `variable` name, by entry ID (bare names in the caller's namespace);
-- an unset or empty value gives the `default`.
local t = require("t")
local env = require("env")

local function main()
  local path, err = env.get("PATH")
  t.eq(err, nil, "PATH through env.storage.os")
  t.ok(type(path) == "string" and #path > 0, "PATH is " .. t.show(path))
  t.eq(env.get("app.env:os_path"), path, "by full entry ID")
  t.eq(env.get("os_path"), path, "by bare entry name in the caller's namespace")
  t.eq(env.get("STATIC_A"), "alpha", "env.storage.static")
  t.eq(env.get("STATIC_NUM"), "42", "a static number is text")
  t.eq(env.get("STATIC_EMPTY"), "was-empty", "an empty value gives the default")
  t.eq(env.get("TROUPE_TEST_ENV_UNSET_2"), "fallback", "an unset value gives the default")
  t.eq(env.get("MEM_WITH_DEFAULT"), "d-value", "memory storage, unset: default")
  t.eq(env.get("MEM_READONLY"), "frozen", "readonly variable's default")
  return true
end

return { main = main }
