-- `__troupe_type`, which rewritten sources call, refuses hostile shape texts with an
-- error instead of recursing, allocating without bound or running a slow pattern.
local t = require("t")

local function main()
  t.raises({ "bad shape" }, __troupe_type, "X", string.rep("[", 100000))
  t.raises({ "bad shape" }, __troupe_type, "X", "{\"k\":\"nope\"}")
  local deep = string.rep("{\"k\":\"optional\",\"of\":", 40) .. "{\"k\":\"any\"}" .. string.rep("}", 40)
  t.raises({ "shape too large" }, __troupe_type, "X", deep)
  t.raises({ "bad @pattern" }, __troupe_type, "X", "{\"k\":\"checked\",\"of\":{\"k\":\"string\"},\"checks\":[{\"v\":\"pattern\",\"a\":\"(\"}]}")
  t.raises({ "bad @pattern" }, __troupe_type, "X", "{\"k\":\"checked\",\"of\":{\"k\":\"string\"},\"checks\":[{\"v\":\"pattern\",\"a\":\"(a{1000}){1000}\"}]}")
  t.raises({ "bad argument #2" }, __troupe_type, "X", {})
  local ok = __troupe_type("X", "{\"k\":\"integer\"}")
  t.eq(ok:kind(), "integer", "a well-formed shape")
  t.eq(ok(3), 3, "usable")
  return true
end

return { main = main }
