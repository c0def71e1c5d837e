-- The rewrite keeps lines: an error raised after rewritten constructs names the line
-- the user wrote (this file's line 12).
local t = require("t")

type P = {
  a?: number[],
  b: (string) -> string,
}

local function boom(x: P)
  local y = x as any
  error("boom at twelve", 1)
end

local function main()
  local ok, e = pcall(boom, { b = tostring })
  t.eq(ok, false, "raised")
  t.contains(tostring(e), ":12: boom at twelve", "the original line")
  local tb = debug.traceback()
  t.contains(tb, ":19", "traceback line of this call")
  return true
end

return { main = main }
