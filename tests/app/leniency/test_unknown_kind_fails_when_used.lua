-- WIPPY-API.md §12: an entry of an unimplemented kind fails only when used, with an error
-- naming the entry and its kind: spawned as a process, called as a function, or imported
-- as a library by an entry that is called.
local t = require("t")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local pid, err = process.spawn("app.leniency:endpoint")
  t.eq(pid, nil, "PID of a spawn of an http.endpoint")
  t.err(err, errors.INVALID, { "app.leniency:endpoint", "http.endpoint", "does not implement" },
    "spawn of an http.endpoint")

  local v, cerr = funcs.call("app.leniency:db")
  t.eq(v, nil, "value of a call of an sql.database")
  t.err(cerr, errors.INVALID, { "app.leniency:db", "sql.database", "does not implement" },
    "call of an sql.database")

  local lv, lerr = funcs.call("app.leniency:uses_tpl")
  t.eq(lv, nil, "value of a call whose import is a template.jet")
  t.ok(lerr ~= nil, "a call whose import is a template.jet fails")
  t.contains(lerr:message(), "app.leniency:tpl", "error of the import")
  t.contains(lerr:message(), "template.jet", "error of the import")
  t.contains(lerr:message(), "does not implement", "error of the import")
  return true
end

return { main = main }
