-- WIPPY-API.md §10.1 registry.parse_id: {ns, name}, split at the first ":"; no ":" gives
-- ns "".
local t = require("t")
local registry = require("registry")

local function main()
  t.eq(registry.parse_id("app.registry:fixture_a"), { ns = "app.registry", name = "fixture_a" }, "ns:name")
  t.eq(registry.parse_id("a:b:c"), { ns = "a", name = "b:c" }, "split at the first colon")
  t.eq(registry.parse_id("plain"), { ns = "", name = "plain" }, "no colon")
  t.eq(registry.parse_id(":x"), { ns = "", name = "x" }, "empty namespace")
  t.eq(registry.parse_id("x:"), { ns = "x", name = "" }, "empty name")
  t.eq(registry.parse_id(""), { ns = "", name = "" }, "empty")
  t.eq(registry.parse_id(12), { ns = "", name = "12" }, "a number is coerced")
  t.raises({ "bad argument #1", "nil" }, registry.parse_id, nil)
  t.raises({ "bad argument #1", "table" }, registry.parse_id, {})
  return true
end

return { main = main }
