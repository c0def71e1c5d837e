-- WIPPY-API.md §10.3 system.exit(code): a code that is not an integer from 0 to 255 →
-- nil, Invalid, and the node goes on (the orderly exit itself: tests/system_exit.rs).
local t = require("t")
local system = require("system")
local errors = require("errors")

local function main()
  for _, code in ipairs({ 256, -1, 1.5, "x", {} }) do
    local v, err = system.exit(code)
    t.eq(v, nil, "exit(" .. tostring(code) .. ") value")
    t.err(err, errors.INVALID, { "from 0 to 255" }, "exit(" .. tostring(code) .. ")")
  end
  return true
end

return { main = main }
