-- `X(v)` is a validating cast: `v` when it conforms, else it raises (no conversion).
local t = require("t")

type Port = integer @min(1) @max(65535)
type Mode = "r" | "w"

local function main()
  t.eq(Port(80), 80, "conforming value returned")
  t.raises({ "type Port: 0 is less than the minimum 1" }, Port, 0)
  t.raises({ "type Port: expected integer", "got number" }, Port, 1.5)
  t.raises({ "type Port: expected integer", "got string" }, Port, "80")
  t.eq(Mode("r"), "r", "literal union")
  t.raises({ "type Mode: expected \"r\" | \"w\", got string" }, Mode, "x")
  local ok, e = pcall(function() return Port(nil) end)
  t.eq(ok, false, "nil raises")
  t.contains(tostring(e), "got nil", "nil message")
  return true
end

return { main = main }
