-- A poll moves a bounded number of items from the kernel mailbox into the process's
-- channels (crates/troupe-lua/src/process.rs, ProcState::drain: at most 256, fewer with
-- many listened topics), and comes back for the rest: that Rust-side work cannot be
-- preempted, so a flooded mailbox never holds the worker for the whole flood (SPEC §3.6).
-- Nothing is lost or reordered by the bound, and unlisten still hands the channel every
-- message already routed to its topic.
local t = require("t")

local N = 20000

local function main()
  local me = process.pid()
  -- Sent before anything listens to "flood" (and with the inbox closed): the kernel keeps
  -- them pending, in order, until the subscription opens.
  for i = 1, N do
    assert(process.send(me, "flood", i))
  end
  local flood = process.listen("flood")
  t.eq(flood:receive(), 1, "the first flooded message")
  -- Unbounded, opening the subscription would have moved all of them at once. (Each
  -- preemption before this line lets one more drain run, so the count is not exact.)
  local buffered = flood:len()
  t.ok(buffered < N - 1, "opening the subscription moved a bounded part of the flood ("
    .. buffered .. " buffered of " .. (N - 1) .. ")")
  for i = 2, N do
    local v = flood:receive()
    if v ~= i then t.fail("flooded message " .. i .. " arrived as " .. tostring(v)) end
  end

  -- unlisten moves what the kernel still holds for the topic into its channel first.
  for i = 1, N do
    assert(process.send(me, "u", i))
  end
  local u = process.listen("u")
  t.eq(u:receive(), 1, "the first message on u")
  t.ok(u:len() < N - 1, "the kernel still holds part of u's messages")
  t.eq(process.unlisten(u), true, "unlisten")
  for i = 2, N do
    local v, ok = u:receive()
    if v ~= i or not ok then
      t.fail("after unlisten, message " .. i .. " read as " .. tostring(v) .. ", " .. tostring(ok))
    end
  end
  local v, ok = u:receive()
  t.eq(v, nil, "the closed channel is drained")
  t.eq(ok, false, "and reads as closed")
  return true
end

return { main = main }
