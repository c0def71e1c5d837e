//! `pool` of `function.lua`, `function.wat` and `function.wasm` (and, unused, of
//! `process.wasm`), read with Wippy's rules (WIPPY-API.md §12) into the pool Troupe runs
//! ([`PoolSpec`]):
//!
//! - `type`: `inline`, `lazy`, `static` or `adaptive`; anything else is an error. Without
//!   `type`: `workers > 0` → `static`; `workers` 0 and (`size` 0 or `max_size > 0`) →
//!   `lazy`; else `inline` (so `pool: {}` is `lazy`, `pool: {size: 4}` is `inline`).
//! - `static`: its size is `workers` when above 0, else `size`.
//! - `adaptive` (Wippy scales workers up to `max_size`, default 16) runs as `lazy` keeping
//!   up to `max_size` warm instances with at most `max_size` calls at once.
//! - Rejected: negative numbers, `size: 0` written on a `static` pool or next to
//!   `workers > 0`, `size` above `max_size` on a `lazy` pool.
//! - `buffer` and `warm_start` are accepted and unused (warnings).

use crate::PoolSpec;
use crate::context::{Cx, Fields};
use crate::yaml::Node;

/// Keys of `pool`.
const KEYS: &[&str] = &["type", "size", "workers", "max_size"];
/// Keys of `pool` Wippy accepts and Troupe does not use (warnings).
const UNUSED: &[&str] = &["buffer", "warm_start"];
/// Pool types Wippy accepts.
const TYPES: &[&str] = &["inline", "lazy", "static", "adaptive"];
/// Wippy's default `max_size` of an `adaptive` pool.
const ADAPTIVE_DEFAULT_MAX: usize = 16;

/// Parse a `pool` map; `None` when it is not a map or breaks a rule (reported).
pub(crate) fn parse(cx: &mut Cx, node: &Node) -> Option<PoolSpec> {
    let f = Fields::open_with(cx, node, "pool", "in `pool`", KEYS, UNUSED)?;
    let written = f.choice(cx, "type", TYPES);
    let bad_type = f.get("type").is_some() && written.is_none();
    let size = f.usize(cx, "size");
    let workers = f.usize(cx, "workers");
    let max_size = f.usize(cx, "max_size");
    // Numbers and the warnings for unused keys are read either way.
    let _ = (f.uint(cx, "buffer"), f.bool(cx, "warm_start"));
    if bad_type {
        return None;
    }
    let (w, s, m) = (
        workers.unwrap_or(0),
        size.unwrap_or(0),
        max_size.unwrap_or(0),
    );
    let requested = match written {
        Some(t) => t,
        None if w > 0 => "static",
        None if s == 0 || m > 0 => "lazy",
        None => "inline",
    };
    if size == Some(0)
        && (requested == "static" || w > 0)
        && let Some(n) = f.get("size")
    {
        cx.error(
            n,
            "`pool.size`: expected at least 1 for a static pool or one with `workers` (leave it out for the default)",
        );
        return None;
    }
    let spec = match requested {
        "static" => PoolSpec {
            kind: "static".into(),
            requested: requested.into(),
            size: if w > 0 { workers } else { size },
            max_size,
        },
        "adaptive" => {
            let max = max_size.filter(|m| *m > 0).unwrap_or(ADAPTIVE_DEFAULT_MAX);
            PoolSpec {
                kind: "lazy".into(),
                requested: requested.into(),
                size: Some(max),
                max_size: Some(max),
            }
        }
        kind => PoolSpec {
            kind: kind.into(),
            requested: requested.into(),
            size,
            max_size,
        },
    };
    if spec.kind == "lazy"
        && let (Some(s), Some(m)) = (size, max_size)
        && s > m
        && let Some(n) = f.get("size")
    {
        cx.error(
            n,
            format!("`pool.size` ({s}) must not exceed `pool.max_size` ({m})"),
        );
    }
    Some(spec)
}
