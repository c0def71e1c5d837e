-- WIPPY-API.md §1 globals without require: the base functions, string table math
-- coroutine (with coroutine.spawn), os, errors, payload, channel, process, print,
-- subscribe/unsubscribe, require, package; strings use `string` as their metatable.
local t = require("t")

local function main()
  for _, name in ipairs({ "assert", "error", "pcall", "xpcall", "type", "tostring", "tonumber", "pairs",
    "ipairs", "next", "select", "rawget", "rawset", "rawequal", "rawlen", "setmetatable",
    "getmetatable", "print", "require", "subscribe", "unsubscribe" }) do
    t.eq(type(_G[name]), "function", name)
  end
  for _, name in ipairs({ "string", "table", "math", "coroutine", "os", "errors", "payload", "channel", "process", "package" }) do
    t.eq(type(_G[name]), "table", name)
  end
  t.eq(type(coroutine.spawn), "function", "coroutine.spawn")
  t.eq(("x"):rep(3), "xxx", "string methods on strings")
  t.eq(type(_VERSION), "string", "_VERSION")
  t.ok(_G._G == _G, "_G")
  return true
end

return { main = main }
