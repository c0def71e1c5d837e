-- Defines `main` only as a global and returns a table without it: globals are not
-- searched, so the entry point is not found.
function main()
  return "found through a global"
end

return {}
