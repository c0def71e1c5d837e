-- token_store(id) failures and TokenStore argument errors.
local t = require("t")
local security = require("security")
local funcs = require("funcs")
local errors = require("errors")

local function main()
  local s, err = security.token_store("app.security_api:nope")
  t.eq(s, nil, "missing entry")
  t.err(err, errors.NOT_FOUND, { "app.security_api:nope" }, "missing entry")
  s, err = security.token_store("app.security_api:p_read")
  t.eq(s, nil, "not a token store")
  t.err(err, errors.INVALID, { "security.token_store" }, "not a token store")
  s, err = security.token_store("app.security_api:tokens_bad_store")
  t.eq(s, nil, "store of another kind")
  t.err(err, errors.INVALID, { "app.security_api:p_read", "memory" }, "store of another kind")
  s, err = security.token_store("app.security_api:tokens_env_key")
  t.eq(s, nil, "unset token_key_env")
  t.err(err, errors.INTERNAL, { "TROUPE_TEST_SURELY_UNSET_TOKEN_KEY" }, "unset token_key_env")

  local store = security.token_store("app.security_api:tokens")
  local actor = security.new_actor("u")
  local scope = security.named_scope("readers")
  local bad = {
    { "not an actor", function() return store:create("u", scope) end, "actor" },
    { "not a scope", function() return store:create(actor, {}) end, "scope" },
    { "negative expiration", function() return store:create(actor, scope, { expiration = -5 }) end, "expiration" },
    { "zero expiration", function() return store:create(actor, scope, { expiration = 0 }) end, "expiration" },
    { "bad duration", function() return store:create(actor, scope, { expiration = "soon" }) end, "expiration" },
    { "too long", function() return store:create(actor, scope, { expiration = "400days" }) end, "366 days" },
    { "bad meta", function() return store:create(actor, scope, { meta = 7 }) end, "meta" },
    { "huge meta", function() return store:create(actor, scope, { meta = { x = string.rep("m", 70000) } }) end, "bytes" },
  }
  for _, case in ipairs(bad) do
    local tok, e = case[2]()
    t.eq(tok, nil, case[1])
    t.err(e, errors.INVALID, { case[3] }, case[1])
  end
  for _, v in ipairs({ 42, "", string.rep("a", 5000) }) do
    local a, sc, e = store:validate(v)
    t.eq({ a, sc }, { nil, nil }, "validate " .. t.show(v):sub(1, 20))
    t.err(e, errors.INVALID, {}, "validate " .. t.show(v):sub(1, 20))
    local ok, re = store:revoke(v)
    t.eq(ok, nil, "revoke " .. t.show(v):sub(1, 20))
    t.err(re, errors.INVALID, {}, "revoke " .. t.show(v):sub(1, 20))
  end

  -- security.token_store.get is checked.
  local call = function(op)
    return funcs.new():with_actor(security.new_actor("ok-p")):with_scope(security.named_scope("narrow"))
      :call("app.security_api:probe", op)
  end
  t.eq(call("token_store_ok"), { ok = true }, "allowed token_store.get")
  local d = call("token_store_denied")
  t.eq(d.kind, errors.PERMISSION_DENIED, "denied token_store.get: " .. t.show(d))
  t.contains(d.message, "security.token_store.get", "denied token_store.get")
  return true
end

return { main = main }
