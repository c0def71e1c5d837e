-- Tells `parent` it started an attempt (topic "attempt", its PID), then fails or
-- succeeds as the parent answers on topic "verdict": "fail" → kind `kind` (default
-- Unavailable), anything else → returns "succeeded".
return { main = function(parent, kind)
  local verdicts = process.listen("verdict")
  process.send(parent, "attempt", process.pid())
  local v = verdicts:receive()
  if v == "fail" then
    return nil, errors.new({ message = "try again", kind = kind or errors.UNAVAILABLE })
  end
  return "succeeded"
end }
