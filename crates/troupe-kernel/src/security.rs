//! The security context that travels with processes and messages (SPEC §7). This issue
//! carries the actor on every message; policies and checks build on it.

use serde_json::{Map, Value as J};

/// An actor: `{id, meta}` (SPEC §7.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Actor {
    pub id: String,
    pub meta: Map<String, J>,
}
