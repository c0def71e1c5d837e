-- A process entry callable as a function (meta.default_host): returns its arguments,
-- or fails when asked.
local function main(a, b)
  if a == "fail" then
    return nil, errors.new({ message = "process failed: " .. tostring(b), kind = errors.CONFLICT })
  end
  return { a = a, b = b, pid = process.pid(), id = process.id() }
end

return { main = main }
