-- Ends the way `mode` says, so tests can observe every kind of exit.
local time = require("time")
local errors = require("errors")

local function main(mode, arg)
  if mode == "value" then
    return arg
  elseif mode == "raise" then
    error(arg, 0)
  elseif mode == "return_string" then
    return nil, arg
  elseif mode == "return_error" then
    return nil, errors.new({kind = errors.NOT_FOUND, message = arg})
  elseif mode == "crash_after" then
    time.sleep(arg * time.MILLISECOND)
    error("crash after " .. tostring(arg) .. "ms", 0)
  elseif mode == "return_after" then
    time.sleep(arg * time.MILLISECOND)
    return "returned after " .. tostring(arg) .. "ms"
  elseif mode == "wait" then
    -- Until anything arrives in the inbox (or forever).
    return process.inbox():receive():payload():data()
  end
  error("outcome: unknown mode " .. tostring(mode), 0)
end

return { main = main }
