//! `security.token_store` (WIPPY-API.md §9): where `security.token_store(id)` keeps the
//! tokens it issues.
//!
//! Fields: `store` (required; the ID of a store entry — Troupe has no `store.*` kinds and
//! keeps the tokens in memory, see the Lua `security` module), `token_length` (bytes of
//! randomness, default 32, 16..=256), `default_expiration` (default `"24h"`), `token_key`
//! or `token_key_env` (a secret the stored token hashes are keyed with; not both).

use std::time::Duration;

use crate::EntryId;
use crate::context::{Cx, Fields};

/// Fields of `security.token_store`.
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "kind",
    "meta",
    "store",
    "token_length",
    "default_expiration",
    "token_key",
    "token_key_env",
];

/// Fewest and most random bytes a token may have.
pub const TOKEN_LENGTH_RANGE: std::ops::RangeInclusive<usize> = 16..=256;

/// `security.token_store`.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenStoreSpec {
    /// `store`: the store entry's full ID (not checked: `store.*` kinds are not Troupe's).
    pub store: EntryId,
    /// `token_length`: random bytes per token (default 32, as Wippy).
    pub token_length: usize,
    /// `default_expiration`: lifetime of a token created without `expiration` ("24h").
    pub default_expiration: Duration,
    /// `token_key`: the key itself.
    pub token_key: Option<String>,
    /// `token_key_env`: the OS environment variable holding the key.
    pub token_key_env: Option<String>,
}

/// Parse `security.token_store`.
pub(crate) fn parse(cx: &mut Cx, f: &Fields) -> Option<TokenStoreSpec> {
    let store = match f.require(cx, "store") {
        Some(node) => match node.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => Some(cx.resolve(s)),
            _ => {
                cx.wrong_type("store", "a store entry ID (a string)", node);
                None
            }
        },
        None => None,
    };
    let token_length = match f.usize(cx, "token_length") {
        None => Some(32),
        Some(n) if TOKEN_LENGTH_RANGE.contains(&n) => Some(n),
        Some(n) => {
            if let Some(node) = f.get("token_length") {
                cx.error(
                    node,
                    format!(
                        "`token_length`: {n} is out of range (expected {} to {} bytes)",
                        TOKEN_LENGTH_RANGE.start(),
                        TOKEN_LENGTH_RANGE.end()
                    ),
                );
            }
            None
        }
    };
    let default_expiration = match f.get("default_expiration") {
        None => Some(Duration::from_secs(24 * 3600)),
        Some(node) => match f.duration(cx, "default_expiration") {
            Some(d) if d.is_zero() => {
                cx.error(node, "`default_expiration`: expected a positive duration");
                None
            }
            d => d,
        },
    };
    let token_key = f.string(cx, "token_key");
    let token_key_env = f.string(cx, "token_key_env");
    if token_key.is_some()
        && token_key_env.is_some()
        && let Some(node) = f.get("token_key_env")
    {
        cx.error(node, "set `token_key` or `token_key_env`, not both");
        return None;
    }
    Some(TokenStoreSpec {
        store: store?,
        token_length: token_length?,
        default_expiration: default_expiration?,
        token_key,
        token_key_env,
    })
}
