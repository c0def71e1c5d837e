-- Uses the strings library from its own process: its state is not shared with others.
local strings = require("strings")

local function main()
  return { bump = strings.bump(), shout = strings.shout("child") }
end

return { main = main }
