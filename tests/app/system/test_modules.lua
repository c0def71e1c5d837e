-- WIPPY-API.md §10.3 system.modules() → the names of the built-in modules, sorted.
local t = require("t")
local system = require("system")

local function main()
  local m = system.modules()
  for _, name in ipairs({ "events", "registry", "system", "time", "json", "funcs", "process", "channel" }) do
    t.ok(table.find(m, name) ~= nil, name .. " is not among " .. table.concat(m, ", "))
  end
  for i = 2, #m do
    t.ok(m[i - 1] < m[i], "not sorted: " .. m[i - 1] .. " before " .. m[i])
  end
  return true
end

return { main = main }
