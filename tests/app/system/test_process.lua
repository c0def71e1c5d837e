-- WIPPY-API.md §10.3 system.process: pid() = the node's OS process ID (an integer > 0),
-- hostname() a non-empty string, cwd() an absolute path.
local t = require("t")
local system = require("system")

local function main()
  local pid = system.process.pid()
  t.ok(type(pid) == "number" and pid > 0 and pid == math.floor(pid), "pid() " .. tostring(pid))
  local h = system.process.hostname()
  t.ok(type(h) == "string" and #h > 0, "hostname() " .. tostring(h))
  local cwd = system.process.cwd()
  t.ok(type(cwd) == "string" and cwd:sub(1, 1) == "/", "cwd() " .. tostring(cwd))
  return true
end

return { main = main }
