-- WIPPY-API.md §10.2 subscribe(system [, kind]): the system may contain `*` (any run of
-- characters); a kind selects events of that kind (also with `*`); none or "" means every
-- kind; patterns match whole names.
local t = require("t")
local events = require("events")
local time = require("time")

local function kinds(ch)
  local out = {}
  for _, e in ipairs(t.pending(ch)) do
    table.insert(out, e.system .. "/" .. e.kind)
  end
  return out
end

local function main()
  local glob = events.subscribe("app.events.glob.*")
  local exact_kind = events.subscribe("app.events.glob.one", "created")
  local kind_glob = events.subscribe("app.events.glob.*", "entry.*")
  local any_kind = events.subscribe("app.events.glob.one", "")

  events.send("app.events.glob.one", "created", "p")
  events.send("app.events.glob.two", "entry.update", "p")
  events.send("app.events.globx", "created", "p")
  events.send("app.events.glob.one", "entry.created.late", "p")
  events.send("xapp.events.glob.one", "created", "p")
  -- The channels are fed from the bus whenever the process yields: any yield will do.
  time.sleep("1ms")

  t.eq(kinds(glob:channel()), {
    "app.events.glob.one/created", "app.events.glob.two/entry.update", "app.events.glob.one/entry.created.late",
  }, "system glob")
  t.eq(kinds(exact_kind:channel()), { "app.events.glob.one/created" }, "exact kind")
  t.eq(kinds(kind_glob:channel()), { "app.events.glob.two/entry.update", "app.events.glob.one/entry.created.late" },
    "kind glob")
  t.eq(kinds(any_kind:channel()), { "app.events.glob.one/created", "app.events.glob.one/entry.created.late" },
    "empty kind = every kind")
  return true
end

return { main = main }
