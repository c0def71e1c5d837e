-- A process that reports (topic "report" to `parent`) what ctx holds in it.
local function main(parent)
  process.send(parent, "report", ctx.all())
  return ctx.all()
end

return { main = main }
