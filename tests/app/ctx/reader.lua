-- Returns what ctx holds here (`ctx.all()`), as a process or as a function.
local function main()
  return ctx.all()
end

return { main = main }
