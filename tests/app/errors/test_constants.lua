-- WIPPY-API.md §4 constants: the kinds are Wippy's strings; UNKNOWN is "".
local t = require("t")

local function main()
  t.eq({
    errors.NOT_FOUND, errors.ALREADY_EXISTS, errors.INVALID, errors.PERMISSION_DENIED,
    errors.UNAVAILABLE, errors.INTERNAL, errors.CANCELED, errors.CONFLICT, errors.TIMEOUT,
    errors.RATE_LIMITED,
  }, {
    "NotFound", "AlreadyExists", "Invalid", "PermissionDenied", "Unavailable", "Internal",
    "Canceled", "Conflict", "Timeout", "RateLimited",
  }, "kind constants")
  t.eq(errors.UNKNOWN, "", "errors.UNKNOWN")
  return true
end

return { main = main }
