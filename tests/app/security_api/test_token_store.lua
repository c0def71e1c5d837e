-- token_store(id) and TokenStore methods: create → token, validate → actor, scope, nil,
-- revoke → true, close → true; expiration (ms or a duration string, else the store's
-- default_expiration); meta merged into the validated actor's meta.
local t = require("t")
local security = require("security")
local errors = require("errors")
local time = require("time")

local function main()
  local store, err = security.token_store("app.security_api:tokens")
  t.eq(err, nil, "opening the store")
  t.eq(type(store), "userdata", "a TokenStore object")
  local actor = security.new_actor("tok-user", { role = "reader" })
  local scope = security.named_scope("readers")

  local token, cerr = store:create(actor, scope)
  t.eq(cerr, nil, "create")
  t.eq(type(token), "string", "a token string")
  t.eq(#token, 64, "32 random bytes, hex")
  t.ok(token:match("^[0-9a-f]+$") ~= nil, "hex token " .. token)
  local seen = { [token] = true }
  for _ = 1, 50 do
    local other = store:create(actor, scope)
    t.ok(not seen[other], "tokens are unique")
    seen[other] = true
  end

  local va, vs, verr = store:validate(token)
  t.eq(verr, nil, "validate")
  t.eq({ va:id(), va:meta() }, { "tok-user", { role = "reader" } }, "validated actor")
  t.eq(t.scope_ids(vs), t.scope_ids(scope), "validated scope")

  -- A bare name is tried in the caller's namespace; the same store is shared.
  local same = security.token_store("tokens")
  t.eq(select(3, same:validate(token)), nil, "the store is shared by name")

  -- meta and expiration
  local withmeta = store:create(actor, scope, { meta = { session = "s1" }, expiration = "1h" })
  local ma = store:validate(withmeta)
  t.eq(ma:meta(), { role = "reader", session = "s1" }, "token meta merged into the actor's")
  local quick = store:create(actor, scope, { expiration = 1 })
  time.sleep("30ms")
  local qa, qs, qerr = store:validate(quick)
  t.eq({ qa, qs }, { nil, nil }, "an expired token")
  t.err(qerr, errors.INVALID, { "expired" }, "an expired token")

  -- default_expiration of tokens_short is 1ms; token_length 16; keyed.
  local short = security.token_store("app.security_api:tokens_short")
  local st = short:create(actor, scope)
  t.eq(#st, 32, "16 random bytes, hex")
  time.sleep("30ms")
  t.err(select(3, short:validate(st)), errors.INVALID, {}, "expired by default_expiration")
  -- A token of one store is unknown to another.
  local st2 = short:create(actor, scope, { expiration = "1h" })
  t.err(select(3, store:validate(st2)), errors.INVALID, {}, "another store's token")
  t.eq(select(3, short:validate(st2)), nil, "its own store's token")

  -- revoke
  t.eq(store:revoke(token), true, "revoke")
  local ra, rs, rerr = store:validate(token)
  t.eq({ ra, rs }, { nil, nil }, "revoked token")
  t.err(rerr, errors.INVALID, {}, "revoked token")
  t.eq(store:revoke(token), true, "revoking twice")
  t.eq(store:revoke("never-issued"), true, "revoking an unknown token")

  -- close: this object stops; the store (and other objects on it) go on.
  t.eq(same:close(), true, "close")
  t.err(select(3, same:validate(withmeta)), errors.UNAVAILABLE, { "closed" }, "validate after close")
  local ct, cterr = same:create(actor, scope)
  t.eq(ct, nil, "create after close")
  t.err(cterr, errors.UNAVAILABLE, { "closed" }, "create after close")
  t.err(select(2, same:revoke(withmeta)), errors.UNAVAILABLE, { "closed" }, "revoke after close")
  t.eq(select(3, store:validate(withmeta)), nil, "the other object still works")
  return true
end

return { main = main }
