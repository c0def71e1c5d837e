-- WIPPY-API.md §4 error(e) raises the object itself: pcall returns it with kind,
-- message, retryable and details intact.
local t = require("t")

local function main()
  local e = errors.new({ message = "no access", kind = errors.PERMISSION_DENIED, retryable = false, details = { who = "bob" } })
  local ok, got = pcall(error, e)
  t.eq(ok, false, "pcall of error(e)")
  t.eq(type(got), "userdata", "what pcall returned")
  t.err(got, "PermissionDenied", { "no access" }, "the raised error")
  t.eq(got:retryable(), false, "retryable of the raised error")
  t.eq(got:details(), { who = "bob" }, "details of the raised error")
  t.ok(rawequal(got, e) or got == e, "pcall returned another error")
  local ok2, got2 = pcall(function()
    error(errors.new({ message = "deep", kind = "Custom" }))
  end)
  t.eq(ok2, false, "pcall of a function raising an error")
  t.err(got2, "Custom", { "deep" }, "raised from a nested function")
  return true
end

return { main = main }
