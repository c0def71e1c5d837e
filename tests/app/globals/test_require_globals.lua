-- WIPPY-API.md §1 require(name) is a plain lookup of the process's globals: a global the
-- program set is found too; an absent (or nil) one raises `module '<name>' not found`.
local t = require("t")

my_module = { answer = 42 }

local function main()
  t.ok(rawequal(require("my_module"), my_module), "require of a global the chunk set")
  later_module = "set at run time"
  t.eq(require("later_module"), "set at run time", "require of a global set inside main")
  t.raises({ "module 'absent_module' not found" }, require, "absent_module")
  later_module = nil
  t.raises({ "module 'later_module' not found" }, require, "later_module")
  t.raises({}, require)
  return true
end

return { main = main }
