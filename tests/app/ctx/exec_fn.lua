-- What process.exec sees of our context.
local function main()
  return { own = ctx.all(), exec = process.exec("app.ctx:reader_proc") }
end

return { main = main }
