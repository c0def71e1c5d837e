-- env.storage.file: KEY=VALUE lines, created (auto_create) at first use; writes are read
-- back, and a value cannot add lines (keys) to the file.
local t = require("t")
local env = require("env")
local errors = require("errors")

local function main()
  t.eq(env.set("FILE_VAR", "v1"), true, "set in the file")
  t.eq(env.get("FILE_VAR"), "v1", "read back")
  t.eq(env.set("FILE_OTHER", "has = and spaces"), true, "a value with = and spaces")
  t.eq(env.get("FILE_OTHER"), "has = and spaces", "read back")
  t.eq(env.set("FILE_VAR", "v2"), true, "overwrite")
  t.eq(env.get("FILE_VAR"), "v2", "overwritten")
  local r, err = env.set("FILE_VAR", "x\nFILE_OTHER=evil")
  t.eq(r, nil, "newline injection refused")
  t.err(err, errors.INVALID, { "newline" }, "newline injection")
  t.eq(env.get("FILE_OTHER"), "has = and spaces", "no injected key")
  r, err = env.set("MISSING_FILE_VAR", "x")
  t.err(err, errors.INTERNAL, { "there.env" }, "write to a missing file without auto_create")
  return true
end

return { main = main }
