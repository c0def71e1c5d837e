-- WIPPY-API.md §5 payload.format: Wippy's format names.
local t = require("t")

local function main()
  t.eq(payload.format, {
    JSON = "json/plain", YAML = "yaml/plain", STRING = "text/plain",
    BYTES = "application/octet-stream", MSGPACK = "application/msgpack", LUA = "lua/any",
    GOLANG = "golang/any", ERROR = "golang/error",
  }, "payload.format")
  t.eq(require("payload"), payload, "require(\"payload\") is the global")
  return true
end

return { main = main }
