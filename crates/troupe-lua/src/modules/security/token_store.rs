//! `security.token_store(id)` and TokenStore objects (WIPPY-API.md §9), backed by
//! `security.token_store` entries.
//!
//! - `token_store(id)` → TokenStore / `nil, err`: NotFound (no such entry), Invalid (not a
//!   `security.token_store`, or its `store` is an entry of a kind other than
//!   `store.memory`), PermissionDenied (`security.token_store.get` on `id` denied),
//!   Internal (`token_key_env` names an unset variable).
//! - `:create(actor, scope [, {expiration = ms | "1h", meta = {...}}])` → token / `nil,
//!   err`: a fresh token of `token_length` bytes from the OS CSPRNG, hex-encoded, valid for
//!   `expiration` (default `default_expiration`); `meta` is merged over the actor's meta in
//!   what `:validate` gives back. Invalid for bad arguments; Unavailable when the store
//!   already holds [`MAX_TOKENS`] live tokens.
//! - `:validate(token)` → actor, scope, nil / nil, nil, err (Invalid: unknown, revoked or
//!   expired; a non-string or oversized token).
//! - `:revoke(token)` → true / `nil, err` (idempotent: an unknown token is already
//!   revoked).
//! - `:close()` → true; the object's other methods then fail with Unavailable.
//!
//! Storage: Troupe has no `store.*` kinds, so every token store keeps its tokens in memory,
//! shared by every process of the node (one map per store entry), for the node's lifetime.
//! The map is keyed by SHA-256 of the token key and the token, so it never holds a token
//! itself. Every call does O(1) work under a short lock (no I/O, nothing that blocks the
//! worker), except that a full store first drops its expired tokens (O([`MAX_TOKENS`])).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mlua::{Lua, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use troupe_kernel::ErrorKind;
use troupe_kernel::security::{Actor, Scope};
use troupe_registry::{Kind, TokenStoreSpec};

use super::{LuaScope, actor_from, actor_value, meta_from};
use crate::modules::errors::{new_error, nil_error};
use crate::process::with_current;

/// Most live tokens one store holds.
pub const MAX_TOKENS: usize = 65_536;
/// Largest actor (ID and meta, as JSON) one token may carry, in bytes.
pub const MAX_TOKEN_ACTOR: usize = 64 * 1024;
/// Most bytes of actors one store holds (the sum over its live tokens).
pub const MAX_STORE_BYTES: usize = 64 * 1024 * 1024;
/// Longest token `:validate`/`:revoke` look at, in bytes (longer ones cannot exist).
pub const MAX_TOKEN_TEXT: usize = 1024;
/// Longest `expiration` a token may have.
pub const MAX_EXPIRATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// One issued token.
struct Record {
    actor: Arc<Actor>,
    scope: Arc<Scope>,
    expires: Instant,
    /// The actor's size as counted against [`MAX_STORE_BYTES`].
    bytes: usize,
}

/// The live tokens of a store and the bytes their actors take.
#[derive(Default)]
struct Tokens {
    map: HashMap<[u8; 32], Record>,
    bytes: usize,
}

impl Tokens {
    /// Drop every token that expired by `now`.
    fn purge(&mut self, now: Instant) {
        let mut freed = 0;
        self.map.retain(|_, r| {
            let keep = r.expires > now;
            if !keep {
                freed += r.bytes;
            }
            keep
        });
        self.bytes -= freed;
    }

    fn remove(&mut self, digest: &[u8; 32]) {
        if let Some(r) = self.map.remove(digest) {
            self.bytes -= r.bytes;
        }
    }

    /// Add a token, unless the store is full (by count or bytes) even after dropping the
    /// expired ones.
    fn insert(&mut self, digest: [u8; 32], record: Record, now: Instant) -> Result<(), String> {
        let fits =
            |t: &Tokens| t.map.len() < MAX_TOKENS && t.bytes + record.bytes <= MAX_STORE_BYTES;
        if !fits(self) {
            self.purge(now);
        }
        if !fits(self) {
            return Err(format!(
                "full ({} live tokens, {} bytes; at most {MAX_TOKENS} tokens and {MAX_STORE_BYTES} bytes)",
                self.map.len(),
                self.bytes
            ));
        }
        self.bytes += record.bytes;
        self.map.insert(digest, record);
        Ok(())
    }
}

/// The tokens of one `security.token_store` entry.
struct Store {
    spec: TokenStoreSpec,
    key: Vec<u8>,
    tokens: Mutex<Tokens>,
}

impl Store {
    fn digest(&self, token: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update((self.key.len() as u64).to_le_bytes());
        h.update(&self.key);
        h.update(token.as_bytes());
        h.finalize().into()
    }
}

/// Every opened store of a node, by entry ID (`Node::shared`).
#[derive(Default)]
struct Stores(Mutex<HashMap<String, Arc<Store>>>);

/// A TokenStore object.
pub struct LuaTokenStore {
    store: Arc<Store>,
    id: String,
    closed: Cell<bool>,
}

/// `security.token_store(id)`.
///
/// Errors: Lua memory errors (everything else is `nil, err`, see the module doc).
pub fn open(lua: &Lua, id: String) -> mlua::Result<MultiValue> {
    let opened = with_current(|p| {
        let full = if id.contains(':') {
            id.clone()
        } else {
            let ns = p
                .handle
                .entry
                .rsplit_once(':')
                .map(|(ns, _)| ns)
                .unwrap_or("");
            format!("{ns}:{id}")
        };
        let Some(entry) = p.node.entry(&full) else {
            return Ok(Err((
                ErrorKind::NotFound,
                format!("token store not found: {id}"),
            )));
        };
        let Kind::SecurityTokenStore(spec) = &entry.kind else {
            return Ok(Err((
                ErrorKind::Invalid,
                format!(
                    "{full} is a {}, not a security.token_store",
                    entry.kind_name()
                ),
            )));
        };
        if let Err(e) = p
            .node
            .check(Some(&p.handle), "security.token_store.get", || full.clone())
        {
            return Ok(Err((ErrorKind::PermissionDenied, e.to_string())));
        }
        if let Some(store) = p.node.entry(&spec.store) {
            let kind = store.raw.get("kind").and_then(|k| k.as_str()).unwrap_or("");
            if kind != "store.memory" {
                return Ok(Err((
                    ErrorKind::Invalid,
                    format!(
                        "token store {full}: its store {} is a {kind}; Troupe keeps tokens in memory only (store.memory)",
                        spec.store
                    ),
                )));
            }
        }
        let key = match (&spec.token_key, &spec.token_key_env) {
            (Some(k), _) => k.as_bytes().to_vec(),
            (None, Some(var)) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => v.into_bytes(),
                _ => {
                    return Ok(Err((
                        ErrorKind::Internal,
                        format!("token store {full}: token_key_env {var} is not set"),
                    )));
                }
            },
            (None, None) => Vec::new(),
        };
        let stores = p.node.shared(Stores::default);
        let mut map = stores.0.lock();
        let store = map
            .entry(full.clone())
            .or_insert_with(|| {
                Arc::new(Store {
                    spec: spec.clone(),
                    key,
                    tokens: Mutex::new(Tokens::default()),
                })
            })
            .clone();
        Ok(Ok(LuaTokenStore {
            store,
            id: full,
            closed: Cell::new(false),
        }))
    })?;
    match opened {
        Ok(s) => Ok(MultiValue::from_iter([LuaValue::UserData(
            lua.create_userdata(s)?,
        )])),
        Err((kind, msg)) => nil_error(lua, kind, msg),
    }
}

/// A token argument, or why it cannot name a token.
fn token_arg(v: &LuaValue) -> Result<String, String> {
    match v {
        LuaValue::String(s) if !s.as_bytes().is_empty() && s.as_bytes().len() <= MAX_TOKEN_TEXT => {
            Ok(s.to_string_lossy())
        }
        LuaValue::String(_) => Err(format!("a token is 1 to {MAX_TOKEN_TEXT} bytes")),
        other => Err(format!(
            "expected a token string, got {}",
            other.type_name()
        )),
    }
}

/// `expiration`: milliseconds (number, as Wippy) or a duration string (`"1h"`).
fn expiration(v: &LuaValue) -> Result<Option<Duration>, String> {
    let d = match v {
        LuaValue::Nil => return Ok(None),
        LuaValue::Integer(i) if *i > 0 => Duration::from_millis(*i as u64),
        LuaValue::Number(n) if n.is_finite() && *n > 0.0 && *n / 1000.0 <= 1e12 => {
            Duration::from_secs_f64(*n / 1000.0)
        }
        LuaValue::String(s) => humantime::parse_duration(s.to_string_lossy().trim())
            .map_err(|e| format!("invalid expiration {:?}: {e}", s.to_string_lossy()))?,
        _ => {
            return Err(
                "expiration must be positive milliseconds or a duration such as \"1h\"".into(),
            );
        }
    };
    if d.is_zero() || d > MAX_EXPIRATION {
        return Err("expiration must be positive and at most 366 days".into());
    }
    Ok(Some(d))
}

impl LuaTokenStore {
    fn open_store(&self) -> Result<&Arc<Store>, String> {
        if self.closed.get() {
            Err(format!("token store {} is closed", self.id))
        } else {
            Ok(&self.store)
        }
    }

    fn create(
        &self,
        lua: &Lua,
        actor: &LuaValue,
        scope: &LuaValue,
        opts: Option<&Table>,
    ) -> mlua::Result<Result<String, (ErrorKind, String)>> {
        let store = match self.open_store() {
            Ok(s) => s,
            Err(e) => return Ok(Err((ErrorKind::Unavailable, e))),
        };
        let invalid = |m: String| Ok(Err((ErrorKind::Invalid, m)));
        let mut actor = match actor_from(lua, actor) {
            Ok(a) => a,
            Err(e) => return invalid(format!("create: {e}")),
        };
        let scope = match scope {
            LuaValue::UserData(u) => match u.borrow::<LuaScope>() {
                Ok(s) => s.0.clone(),
                Err(_) => return invalid("create: expected a scope".into()),
            },
            _ => return invalid("create: expected a scope".into()),
        };
        let (mut ttl, mut meta) = (store.spec.default_expiration, Default::default());
        if let Some(o) = opts {
            match expiration(&o.get::<LuaValue>("expiration")?) {
                Ok(Some(d)) => ttl = d,
                Ok(None) => {}
                Err(e) => return invalid(format!("create: {e}")),
            }
            meta = match meta_from(&o.get::<LuaValue>("meta")?, "create: `meta`") {
                Ok(m) => m,
                Err(e) => return invalid(e.to_string()),
            };
        }
        actor.meta.extend(meta);
        let bytes = actor.id.len()
            + serde_json::to_vec(&actor.meta)
                .map(|v| v.len())
                .unwrap_or(0);
        if bytes > MAX_TOKEN_ACTOR {
            return invalid(format!(
                "create: the actor and meta take {bytes} bytes (at most {MAX_TOKEN_ACTOR})"
            ));
        }
        let mut raw = vec![0u8; store.spec.token_length];
        if let Err(e) = getrandom::fill(&mut raw) {
            return Ok(Err((ErrorKind::Internal, format!("no randomness: {e}"))));
        }
        let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let digest = store.digest(&token);
        let now = Instant::now();
        let record = Record {
            actor: Arc::new(actor),
            scope,
            expires: now + ttl,
            bytes,
        };
        match store.tokens.lock().insert(digest, record, now) {
            Ok(()) => Ok(Ok(token)),
            Err(why) => Ok(Err((
                ErrorKind::Unavailable,
                format!("token store {} is {why}", self.id),
            ))),
        }
    }
}

impl UserData for LuaTokenStore {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method(
            "create",
            |lua, s, (actor, scope, opts): (LuaValue, LuaValue, Option<Table>)| match s.create(
                lua,
                &actor,
                &scope,
                opts.as_ref(),
            )? {
                Ok(token) => Ok(MultiValue::from_iter([LuaValue::String(
                    lua.create_string(token)?,
                )])),
                Err((kind, msg)) => nil_error(lua, kind, msg),
            },
        );
        m.add_method("validate", |lua, s, token: LuaValue| {
            let fail = |kind, msg: String| {
                Ok(MultiValue::from_iter([
                    LuaValue::Nil,
                    LuaValue::Nil,
                    new_error(lua, kind, msg)?,
                ]))
            };
            let store = match s.open_store() {
                Ok(st) => st,
                Err(e) => return fail(ErrorKind::Unavailable, e),
            };
            let token = match token_arg(&token) {
                Ok(t) => t,
                Err(e) => return fail(ErrorKind::Invalid, e),
            };
            let digest = store.digest(&token);
            let found = {
                let mut tokens = store.tokens.lock();
                match tokens.map.get(&digest) {
                    Some(r) if r.expires > Instant::now() => {
                        Some((r.actor.clone(), r.scope.clone()))
                    }
                    Some(_) => {
                        tokens.remove(&digest);
                        None
                    }
                    None => None,
                }
            };
            match found {
                Some((actor, scope)) => Ok(MultiValue::from_iter([
                    actor_value(lua, &actor)?,
                    LuaValue::UserData(lua.create_userdata(LuaScope(scope))?),
                ])),
                None => fail(ErrorKind::Invalid, "invalid or expired token".into()),
            }
        });
        m.add_method("revoke", |lua, s, token: LuaValue| {
            let store = match s.open_store() {
                Ok(st) => st,
                Err(e) => return nil_error(lua, ErrorKind::Unavailable, e),
            };
            let token = match token_arg(&token) {
                Ok(t) => t,
                Err(e) => return nil_error(lua, ErrorKind::Invalid, e),
            };
            let digest = store.digest(&token);
            store.tokens.lock().remove(&digest);
            Ok(MultiValue::from_iter([LuaValue::Boolean(true)]))
        });
        m.add_method("close", |_, s, ()| {
            s.closed.set(true);
            Ok(true)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(bytes: usize, expires: Instant) -> Record {
        Record {
            actor: Arc::new(Actor::default()),
            scope: Arc::new(Scope::default()),
            expires,
            bytes,
        }
    }

    fn digest(i: usize) -> [u8; 32] {
        let mut d = [0u8; 32];
        d[..8].copy_from_slice(&(i as u64).to_le_bytes());
        d
    }

    #[test]
    fn a_store_is_bounded_by_count() {
        let now = Instant::now();
        let later = now + Duration::from_secs(60);
        let mut t = Tokens::default();
        for i in 0..MAX_TOKENS {
            t.insert(digest(i), record(1, later), now).unwrap();
        }
        let e = t
            .insert(digest(MAX_TOKENS), record(1, later), now)
            .unwrap_err();
        assert!(e.contains("full"), "{e}");
        assert_eq!(t.map.len(), MAX_TOKENS);
        // Once some expire, there is room again.
        t.remove(&digest(0));
        t.insert(digest(MAX_TOKENS), record(1, later), now).unwrap();
    }

    #[test]
    fn a_store_is_bounded_by_bytes_and_expired_tokens_make_room() {
        let now = Instant::now();
        let soon = now + Duration::from_millis(1);
        let mut t = Tokens::default();
        let big = MAX_TOKEN_ACTOR;
        let fit = MAX_STORE_BYTES / big;
        for i in 0..fit {
            t.insert(digest(i), record(big, soon), now).unwrap();
        }
        assert!(t.insert(digest(fit), record(big, soon), now).is_err());
        assert_eq!(t.bytes, fit * big);
        // After they expire, an insert purges them.
        let after = soon + Duration::from_millis(1);
        t.insert(
            digest(fit),
            record(big, after + Duration::from_secs(1)),
            after,
        )
        .unwrap();
        assert_eq!((t.map.len(), t.bytes), (1, big));
    }
}
