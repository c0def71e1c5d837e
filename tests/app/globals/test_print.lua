-- WIPPY-API.md §1 print(...): accepts any values (strings, numbers, errors, nil,
-- booleans, tables, userdata) and returns nothing; the record goes to the log (checked
-- by tests/wippy_log.rs), not stdout.
local t = require("t")

local function main()
  t.eq(select("#", print("text", 1, 2.5, errors.new("an error"), nil, true, {}, channel.new())), 0, "print returns nothing")
  print()
  print(setmetatable({}, { __tostring = function()
    error("__tostring must not be called")
  end }))
  return true
end

return { main = main }
