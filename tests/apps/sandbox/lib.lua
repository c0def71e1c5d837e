-- A library shared through `require`: each process gets its own instance, so what one
-- process does to it is never seen by another.
local json = require("json")

local M = { value = 42, nested = { list = { 1, 2, 3 } } }

function M.answer()
  return M.value
end

function M.encode(v)
  return json.encode(v)
end

-- The tables this library instance created (the walk counts them as the process's own).
M.own = { M, M.nested, M.nested.list, getfenv(1) }
M.own[#M.own + 1] = M.own

return M
