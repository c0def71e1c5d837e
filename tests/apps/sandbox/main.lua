-- Victim, attacker, victim again, all on the one-worker host `app:single`.
local function lines(s)
  local set = {}
  for line in string.gmatch(s, "[^\n]+") do
    set[line] = true
  end
  return set
end

local function diff(a, b)
  local out = {}
  local sa, sb = lines(a), lines(b)
  for line in pairs(sb) do
    if not sa[line] and #out < 20 then
      out[#out + 1] = "+ " .. line
    end
  end
  for line in pairs(sa) do
    if not sb[line] and #out < 40 then
      out[#out + 1] = "- " .. line
    end
  end
  table.sort(out)
  return out
end

local function main(attack)
  local before, e1 = process.exec("app:victim", "app:single")
  if before == nil then
    error("victim failed before the attack: " .. tostring(e1))
  end
  local result, err = process.exec("app:attacker", "app:single", attack)
  local after, e2 = process.exec("app:victim", "app:single")
  if type(after) ~= "table" or type(after.snapshot) ~= "string" then
    return {
      attack = result,
      attack_error = err and tostring(err),
      victim_error = "the victim did not run: it returned " .. tostring(after) .. ", " .. tostring(e2),
    }
  end
  return {
    attack = result,
    attack_error = err and tostring(err),
    victim = after.checks,
    snapshot_lines = after.lines,
    unchanged = before.snapshot == after.snapshot,
    changes = diff(before.snapshot, after.snapshot),
  }
end

return { main = main }
