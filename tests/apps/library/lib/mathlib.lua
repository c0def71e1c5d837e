local json = require("json")

local M = { version = "1.2" }

function M.double(x: number): number
  return x * 2
end

function M.describe(t)
  return json.encode(t)
end

return M
