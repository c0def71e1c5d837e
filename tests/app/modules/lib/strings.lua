-- Small string helpers; uses `json` (listed in this library's own `modules`) and the
-- `pad` library (its own import).
local json = require("json")
local pad = require("pad")

local bumps = 0

local M = { version = "1.2.3" }

function M.shout(s)
  return string.upper(s) .. "!"
end

function M.encode_sorted(list)
  table.sort(list)
  return json.encode(list)
end

function M.padded(s, n)
  return pad.left(s, n)
end

-- Per-process library state: each process that requires the library gets its own.
function M.bump()
  bumps = bumps + 1
  return bumps
end

-- Whether this library may require a module it does not list.
function M.can_require(name)
  return (pcall(require, name))
end

return M
