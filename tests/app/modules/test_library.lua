-- WIPPY-API.md §1: `imports` binds a library.lua's return value under an alias before the
-- chunk runs (the library's chunk runs then, once per process); the library's own modules
-- and imports are bound too, transitively, into the same globals; its state is per process.
local t = require("t")

local function main()
  local strings = require("strings")
  t.ok(rawequal(strings, require("strings")), "a second require returned another table")
  t.eq(strings.version, "1.2.3", "library field")
  t.eq(strings.shout("hi"), "HI!", "library function")
  t.eq(strings.encode_sorted({ 3, 1, 2 }), "[1,2,3]", "library using its own json module")
  t.eq(strings.padded("7", 3), "..7", "library using its own import")
  t.eq(strings.can_require("funcs"), false, "library requiring a module nothing lists")
  t.ok(rawequal(require("json"), json), "the library's module is bound into the importer's globals")
  t.ok(rawequal(require("pad"), pad), "the library's own import is bound into the importer's globals")
  t.eq(strings.bump(), 1, "first bump")
  t.eq(strings.bump(), 2, "second bump")
  local r, err = process.exec("app.modules:lib_user")
  t.eq(err, nil, "lib_user error")
  t.eq(r, { bump = 1, shout = "CHILD!" }, "library state in another process")
  t.eq(strings.bump(), 3, "our state after the child used the library")
  return true
end

return { main = main }
