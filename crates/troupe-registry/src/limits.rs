//! `limits:` (SPEC §3.6) on Lua entries, wasm entries and `troupe.yaml`: which keys each
//! place accepts, and the checked readers for sizes (bytes) and durations. A key that
//! belongs to another place (`fuel` on a Lua entry, `max_slice` on a wasm entry) gets its own
//! message saying where it does apply; zero, negative and absurd values are errors.

use std::time::Duration;

use crate::context::{Cx, Fields};
use crate::yaml::{Node, Value};
use crate::{Limits, MAX_EXECUTION_LIMIT, MAX_LIMIT_BYTES, MAX_SLICE_LIMIT, NodeLimits, units};

/// Keys of `limits` on `process.lua` / `function.lua`.
const LUA_KEYS: &[&str] = &["max_memory", "max_mailbox", "max_message", "max_slice"];
/// Keys of `limits` on `function.wat` / `function.wasm` / `process.wasm`.
const WASM_KEYS: &[&str] = &[
    "max_execution_ms",
    "max_memory",
    "fuel",
    "max_mailbox",
    "max_message",
];
/// Keys of `limits` in `troupe.yaml` (the fields of [`NodeLimits`]).
const NODE_KEYS: &[&str] = LUA_KEYS;

const SIZE_EXPECTED: &str = "a size such as 16MiB, 512KiB, 1GB or an integer number of bytes";
const DURATION_EXPECTED: &str =
    "a duration such as \"250ms\", \"1s\", \"1m\" or an integer of milliseconds";

/// Where a `limits:` map is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A Lua entry of this kind.
    Lua(&'static str),
    /// A wasm entry of this kind.
    Wasm(&'static str),
    /// `troupe.yaml`.
    Node,
}

impl Place {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Place::Lua(_) => LUA_KEYS,
            Place::Wasm(_) => WASM_KEYS,
            Place::Node => NODE_KEYS,
        }
    }

    /// The message for a key that is valid somewhere else, or `None`.
    fn misplaced(self, key: &str) -> Option<String> {
        let wasm_only = matches!(key, "fuel" | "max_execution_ms");
        let lua_only = key == "max_slice";
        let accepts = self.keys().join(", ");
        match self {
            Place::Lua(kind) if wasm_only => Some(format!(
                "`limits.{key}` applies only to wasm entries (function.wat, function.wasm, \
                 process.wasm); a {kind} accepts {accepts}"
            )),
            Place::Wasm(kind) if lua_only => Some(format!(
                "`limits.{key}` applies only to Lua entries (wasm code is always preempted); \
                 a {kind} accepts {accepts}"
            )),
            Place::Node if wasm_only => Some(format!(
                "`limits.{key}` is set on each wasm entry, not in troupe.yaml; troupe.yaml \
                 accepts {accepts}"
            )),
            _ => None,
        }
    }
}

/// Parse an entry's `limits:` map. Problems are reported; bad values stay `None`.
pub(crate) fn parse(cx: &mut Cx, node: &Node, place: Place) -> Limits {
    let Some(f) = open(cx, node, place) else {
        return Limits::default();
    };
    let wasm = matches!(place, Place::Wasm(_));
    Limits {
        max_execution: if wasm { execution(cx, &f) } else { None },
        max_memory: size(cx, &f, "max_memory"),
        fuel: if wasm { fuel(cx, &f) } else { None },
        max_mailbox: size(cx, &f, "max_mailbox"),
        max_message: size(cx, &f, "max_message"),
        max_slice: if wasm { None } else { slice(cx, &f) },
    }
}

/// Parse `troupe.yaml`'s `limits:` map over the defaults.
pub(crate) fn parse_node(cx: &mut Cx, node: &Node) -> NodeLimits {
    parse(cx, node, Place::Node).resolve(&NodeLimits::default())
}

/// Open the map, reporting keys that belong elsewhere with their own message and any other
/// unknown key with the usual suggestion.
fn open<'n>(cx: &mut Cx, node: &'n Node, place: Place) -> Option<Fields<'n>> {
    let mut allowed: Vec<&str> = place.keys().to_vec();
    if let Some(pairs) = node.as_map() {
        for (key, _) in pairs {
            let Some(text) = key.as_str() else { continue };
            if let Some(message) = place.misplaced(text) {
                cx.error(key, message);
                allowed.extend(LUA_KEYS.iter().chain(WASM_KEYS).find(|k| **k == text));
            }
        }
    }
    Fields::open(cx, node, "limits", "in `limits`", &allowed)
}

/// A size in bytes, 1 ..= [`MAX_LIMIT_BYTES`].
fn size(cx: &mut Cx, f: &Fields, key: &str) -> Option<u64> {
    let node = f.get(key)?;
    let name = f.name(key);
    let (n, shown) = match &node.value {
        Value::Int(i) if *i <= 0 => {
            cx.error(
                node,
                format!("`{name}`: expected a size of at least 1 byte, found {i}"),
            );
            return None;
        }
        Value::Int(i) => (*i as u64, i.to_string()),
        Value::Str(s) => match units::bytes(s) {
            Ok(0) => {
                cx.error(
                    node,
                    format!("`{name}`: expected a size of at least 1 byte, found \"{s}\""),
                );
                return None;
            }
            Ok(n) => (n, format!("\"{s}\"")),
            Err(e) => {
                cx.error(
                    node,
                    format!("`{name}`: invalid size \"{s}\" ({e}); expected {SIZE_EXPECTED}"),
                );
                return None;
            }
        },
        _ => {
            cx.wrong_type(&name, SIZE_EXPECTED, node);
            return None;
        }
    };
    if n > MAX_LIMIT_BYTES {
        cx.error(
            node,
            format!("`{name}`: {shown} is too large; expected at most 1TiB"),
        );
        return None;
    }
    Some(n)
}

/// `max_slice`: a duration above zero and at most [`MAX_SLICE_LIMIT`].
fn slice(cx: &mut Cx, f: &Fields) -> Option<Duration> {
    let node = f.get("max_slice")?;
    let name = f.name("max_slice");
    let (d, shown) = match &node.value {
        Value::Int(i) if *i <= 0 => {
            cx.error(
                node,
                format!("`{name}`: expected a duration longer than zero, found {i}"),
            );
            return None;
        }
        Value::Int(i) => (Duration::from_millis(*i as u64), i.to_string()),
        Value::Str(s) => match units::duration(s) {
            Ok(d) if d.is_zero() => {
                cx.error(
                    node,
                    format!("`{name}`: expected a duration longer than zero, found \"{s}\""),
                );
                return None;
            }
            Ok(d) => (d, format!("\"{s}\"")),
            Err(e) => {
                cx.error(
                    node,
                    format!(
                        "`{name}`: invalid duration \"{s}\" ({e}); expected {DURATION_EXPECTED}"
                    ),
                );
                return None;
            }
        },
        _ => {
            cx.wrong_type(&name, DURATION_EXPECTED, node);
            return None;
        }
    };
    if d > MAX_SLICE_LIMIT {
        cx.error(
            node,
            format!("`{name}`: {shown} is too long; expected at most 1 day"),
        );
        return None;
    }
    Some(d)
}

/// `max_execution_ms`: integer milliseconds, 1 ..= [`MAX_EXECUTION_LIMIT`].
fn execution(cx: &mut Cx, f: &Fields) -> Option<Duration> {
    let node = f.get("max_execution_ms")?;
    let name = f.name("max_execution_ms");
    let max_ms = MAX_EXECUTION_LIMIT.as_millis() as i64;
    match node.value {
        Value::Int(i) if i <= 0 => cx.error(
            node,
            format!("`{name}`: expected a number of milliseconds above zero, found {i}"),
        ),
        Value::Int(i) if i > max_ms => cx.error(
            node,
            format!("`{name}`: {i} is too long; expected at most {max_ms} (365 days)"),
        ),
        Value::Int(i) => return Some(Duration::from_millis(i as u64)),
        _ => cx.wrong_type(&name, "an integer number of milliseconds", node),
    }
    None
}

/// `fuel`: a positive integer.
fn fuel(cx: &mut Cx, f: &Fields) -> Option<u64> {
    let node = f.get("fuel")?;
    let name = f.name("fuel");
    match node.value {
        Value::Int(i) if i <= 0 => cx.error(
            node,
            format!("`{name}`: expected a positive integer, found {i}"),
        ),
        Value::Int(i) => return Some(i as u64),
        _ => cx.wrong_type(&name, "a positive integer", node),
    }
    None
}
