-- What a process called as a function sees of our context.
local function main()
  return { own = ctx.all(), proc_call = funcs.call("app.ctx:reader_proc") }
end

return { main = main }
