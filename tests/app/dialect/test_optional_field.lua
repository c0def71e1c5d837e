-- `name?: T` in a table type is an optional field; also on function parameters.
local t = require("t")

type Options = {
  host: string,
  port?: number,
  on_error?: (string) -> boolean,
  nested?: { deep?: string[] },
}

local function greet(name: string, title?: string): string
  return (title and (title .. " ") or "") .. name
end

local function main()
  local o: Options = { host = "h" }
  t.eq(o.port, nil, "optional field absent")
  o.port = 80
  t.eq(o.port, 80, "optional field set")
  t.eq(greet("Ann"), "Ann", "optional parameter omitted")
  t.eq(greet("Ann", "Dr"), "Dr Ann", "optional parameter given")
  return true
end

return { main = main }
