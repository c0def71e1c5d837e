-- report: `troupe run examples/wasm-workers -x app:report` waits for the coordinator's
-- summary and returns it as text, which `-x` prints on stdout (`print` is a log record, as
-- Wippy).
local time = require("time")

local function main()
  local coordinator
  for _ = 1, 500 do
    coordinator = process.registry.lookup("coordinator")
    if coordinator then break end
    time.sleep("10ms")
  end
  if not coordinator then return nil, "the coordinator did not start" end
  process.send(coordinator, "subscribe", true)
  local s = process.listen("summary"):receive()
  local out = {}
  local function line(text) table.insert(out, text) end
  line(string.format("%d files, %d lines, %d words counted by the wasm workers", s.files, s.lines, s.words))
  local names = {}
  for w in pairs(s.by_worker) do table.insert(names, w) end
  table.sort(names)
  for _, w in ipairs(names) do line(string.format("  %s: %d files", w, s.by_worker[w])) end
  line(string.format("jobs requeued after worker-2 was terminated: %d", s.requeued))
  local top = {}
  for _, p in ipairs(s.top) do table.insert(top, p[1] .. "=" .. p[2]) end
  line("most frequent words: " .. table.concat(top, ", "))
  return table.concat(out, "\n")
end

return { main = main }
