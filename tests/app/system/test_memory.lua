-- WIPPY-API.md §10.3 system.memory: stats() has Wippy's keys (numbers; alloc = what this
-- process is charged, heap_in_use = its Lua VM, sys = the node's RSS), allocated() grows
-- with the process's heap, heap_objects() is 0 (Luau does not count objects),
-- get_limit() = this entry's max_memory, set_limit(n) → nil, Invalid.
local t = require("t")
local system = require("system")
local errors = require("errors")

local KEYS = { "alloc", "total_alloc", "sys", "heap_alloc", "heap_sys", "heap_idle", "heap_in_use", "heap_released",
  "heap_objects", "stack_in_use", "stack_sys", "mspan_in_use", "mspan_sys", "num_gc", "next_gc" }

local function main()
  local s, err = system.memory.stats()
  t.eq(err, nil, "stats() error")
  local n = 0
  for _ in pairs(s) do
    n = n + 1
  end
  t.eq(n, #KEYS, "number of keys")
  for _, k in ipairs(KEYS) do
    t.eq(type(s[k]), "number", "stats()." .. k)
    t.ok(s[k] >= 0, k .. " is negative")
  end
  t.eq(s.heap_alloc, s.alloc, "heap_alloc = alloc")
  t.ok(s.heap_in_use > 0 and s.heap_sys == s.heap_in_use, "heap_in_use (the VM)")
  t.ok(s.sys > 1000000, "sys (the node's RSS)")
  t.ok(s.stack_sys >= 8 * 1024 * 1024, "stack_sys: the workers' stacks")

  -- What the process holds: 100,000 tables are several MB (well past the up to 1 MiB of
  -- garbage a reused memory category may start with).
  local before = system.memory.allocated()
  local keep = {}
  for i = 1, 100000 do
    keep[i] = { i }
  end
  local after = system.memory.allocated()
  t.ok(after - before > 2000000, "allocated() grew by only " .. (after - before) .. " bytes for 100,000 tables")
  t.ok(system.memory.stats().alloc > 2000000, "stats().alloc with the tables alive")
  t.ok(#keep == 100000, "keep")
  t.eq(system.memory.heap_objects(), 0, "heap_objects()")
  t.eq(system.memory.get_limit(), 32 * 1024 * 1024, "get_limit() = limits.max_memory")

  local v, serr = system.memory.set_limit(1024)
  t.eq(v, nil, "set_limit value")
  t.err(serr, errors.INVALID, { "per process", "max_memory" }, "set_limit")
  t.eq(system.memory.get_limit(), 32 * 1024 * 1024, "the limit after a refused set_limit")
  return true
end

return { main = main }
