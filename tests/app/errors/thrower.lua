-- Ends the way `mode` says, so the errors tests can see what crosses a process or call
-- boundary. Used both as a process (`main`) and as a function (same entry point).
local function main(mode)
  if mode == "plain" then
    return nil, errors.new("plain message")
  elseif mode == "custom" then
    return nil, errors.new({ message = "custom message", kind = "MyKind", retryable = true, details = { a = 1, list = { "x" } } })
  elseif mode == "string" then
    return nil, "returned text"
  elseif mode == "raise_string" then
    error("raised text")
  elseif mode == "raise_plain" then
    error(errors.new("raised plain"))
  end
  return "no error"
end

return { main = main }
