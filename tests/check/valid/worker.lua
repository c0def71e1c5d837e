local time = require("time")
local util = require("util")

local function main(name: string): integer
  time.sleep("10ms")
  return util.double(21)
end

return { main = main }
