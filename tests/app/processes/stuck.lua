-- Two coroutines each blocked on a process-local channel nobody can send to.
local function main()
  local a, b = channel.new(), channel.new()
  coroutine.spawn(function()
    a:receive()
  end)
  b:receive()
  return "unreachable"
end

return { main = main }
