-- WIPPY-API.md §4 errors.wrap(e, ctx): e an error or a string, ctx a string or an error;
-- keeps e's kind, retryable, details and message; ctx appears only in :stack().
local t = require("t")

local function main()
  local base = errors.new({ message = "disk full", kind = errors.UNAVAILABLE, retryable = true, details = { disk = "sda" } })
  local w = errors.wrap(base, "saving the report")
  t.eq(type(w), "userdata", "wrap result type")
  t.eq(w:message(), "disk full", "wrapped message")
  t.eq(tostring(w), "disk full", "tostring of a wrapped error")
  t.eq(w:kind(), "Unavailable", "wrapped kind")
  t.eq(w:retryable(), true, "wrapped retryable")
  t.eq(w:details(), { disk = "sda" }, "wrapped details")
  t.contains(w:stack(), "saving the report", "the context in :stack()")
  t.eq(errors.is(w, errors.UNAVAILABLE), true, "errors.is of a wrapped error")
  -- The original is unchanged.
  t.ok(not string.find(base:stack(), "saving the report", 1, true), "the original error gained the context")

  -- Wrapping twice keeps both contexts.
  local w2 = errors.wrap(w, "handling the request")
  t.contains(w2:stack(), "saving the report", "first context after a second wrap")
  t.contains(w2:stack(), "handling the request", "second context")
  t.eq(w2:message(), "disk full", "message after two wraps")

  -- A string as the error: its text is the message, kind "".
  local s = errors.wrap("plain text", "ctx")
  t.eq({ s:message(), s:kind() }, { "plain text", "" }, "wrap of a string")
  -- An error as the context: its message is the context text.
  local c = errors.wrap(base, errors.new("the context error"))
  t.eq(c:message(), "disk full", "message when ctx is an error")
  t.contains(c:stack(), "the context error", "an error context in :stack()")
  return true
end

return { main = main }
