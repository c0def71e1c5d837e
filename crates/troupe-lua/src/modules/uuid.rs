//! The `uuid` module (WIPPY-API.md §7.3), on the `uuid` crate. Each function returns
//! `value, nil` or `nil, err` (Invalid).
//!
//! `v1() v4() v7()` → lowercase hyphenated; `v3(ns, name)`, `v5(ns, name)` (ns a UUID
//! string); `validate(s)` → bool (non-string → false); `version(s)` → integer;
//! `variant(s)` → `RFC4122|Reserved|Microsoft|Future|Invalid|NCS`; `parse(s)` →
//! `{version, variant}` plus `timestamp` (Unix seconds, v1/v7) and `node` (the 6 raw bytes,
//! v1); `format(s [, "standard"|"simple"|"urn"])`. Accepted input: hyphenated, 32 hex
//! digits, `{…}`, `urn:uuid:…`.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::ErrorKind;
use uuid::{Uuid, Variant};

use crate::modules::errors::nil_error;

/// The node ID of `v1()` UUIDs: random per node start, as RFC 9562 allows when no MAC
/// address is used.
fn node_id() -> &'static [u8; 6] {
    static NODE: std::sync::OnceLock<[u8; 6]> = std::sync::OnceLock::new();
    NODE.get_or_init(|| {
        let b = Uuid::new_v4().into_bytes();
        let mut n = [0u8; 6];
        n.copy_from_slice(&b[10..16]);
        n[0] |= 0x01; // multicast bit: not a real MAC address (RFC 9562 §6.10)
        n
    })
}

fn ok(lua: &Lua, v: impl mlua::IntoLua) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([v.into_lua(lua)?, LuaValue::Nil]))
}

fn invalid(lua: &Lua, msg: impl Into<String>) -> mlua::Result<MultiValue> {
    nil_error(lua, ErrorKind::Invalid, msg)
}

/// Most bytes of a rejected input an error message quotes.
const MAX_QUOTED: usize = 64;

/// Parse a UUID in any accepted form (the `uuid` crate takes all four).
///
/// Errors: text quoting at most [`MAX_QUOTED`] bytes of the input (no UUID form is
/// longer than 45 bytes, so longer input is refused before parsing).
fn parse(v: &LuaValue) -> Result<Uuid, String> {
    match v {
        LuaValue::String(s) => {
            let b = s.as_bytes();
            let quoted = String::from_utf8_lossy(&b[..b.len().min(MAX_QUOTED)]).into_owned();
            if b.len() > MAX_QUOTED {
                return Err(format!(
                    "invalid UUID {quoted:?}... ({} bytes): a UUID is at most 45 bytes",
                    b.len()
                ));
            }
            Uuid::try_parse(&quoted).map_err(|e| format!("invalid UUID {quoted:?}: {e}"))
        }
        other => Err(format!("expected a UUID string, got {}", other.type_name())),
    }
}

fn variant_name(u: &Uuid) -> &'static str {
    match u.get_variant() {
        Variant::NCS => "NCS",
        Variant::RFC4122 => "RFC4122",
        Variant::Microsoft => "Microsoft",
        Variant::Future => "Future",
        _ => "Invalid",
    }
}

fn name_based(lua: &Lua, ns: LuaValue, name: LuaValue, v5: bool) -> mlua::Result<MultiValue> {
    let ns = match parse(&ns) {
        Ok(u) => u,
        Err(e) => return invalid(lua, format!("namespace: {e}")),
    };
    let name = match name {
        LuaValue::String(s) => s.as_bytes().to_vec(),
        other => {
            return invalid(
                lua,
                format!("name: expected a string, got {}", other.type_name()),
            );
        }
    };
    let u = if v5 {
        Uuid::new_v5(&ns, &name)
    } else {
        Uuid::new_v3(&ns, &name)
    };
    ok(lua, u.to_string())
}

/// Build the module table.
///
/// Errors: Lua memory errors.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "v1",
        lua.create_function(|lua, ()| ok(lua, Uuid::now_v1(node_id()).to_string()))?,
    )?;
    t.set(
        "v4",
        lua.create_function(|lua, ()| ok(lua, Uuid::new_v4().to_string()))?,
    )?;
    t.set(
        "v7",
        lua.create_function(|lua, ()| ok(lua, Uuid::now_v7().to_string()))?,
    )?;
    t.set(
        "v3",
        lua.create_function(|lua, (ns, name): (LuaValue, LuaValue)| {
            name_based(lua, ns, name, false)
        })?,
    )?;
    t.set(
        "v5",
        lua.create_function(|lua, (ns, name): (LuaValue, LuaValue)| {
            name_based(lua, ns, name, true)
        })?,
    )?;
    t.set(
        "validate",
        lua.create_function(|lua, s: LuaValue| ok(lua, parse(&s).is_ok()))?,
    )?;
    t.set(
        "version",
        lua.create_function(|lua, s: LuaValue| match parse(&s) {
            Ok(u) => ok(lua, u.get_version_num() as i64),
            Err(e) => invalid(lua, e),
        })?,
    )?;
    t.set(
        "variant",
        lua.create_function(|lua, s: LuaValue| match parse(&s) {
            Ok(u) => ok(lua, variant_name(&u)),
            Err(e) => invalid(lua, e),
        })?,
    )?;
    t.set(
        "parse",
        lua.create_function(|lua, s: LuaValue| {
            let u = match parse(&s) {
                Ok(u) => u,
                Err(e) => return invalid(lua, e),
            };
            let out = lua.create_table()?;
            out.raw_set("version", u.get_version_num() as i64)?;
            out.raw_set("variant", variant_name(&u))?;
            if let Some(ts) = u.get_timestamp() {
                let (secs, _) = ts.to_unix();
                out.raw_set("timestamp", secs as i64)?;
            }
            if u.get_version_num() == 1 {
                out.raw_set("node", lua.create_string(&u.as_bytes()[10..16])?)?;
            }
            ok(lua, out)
        })?,
    )?;
    t.set(
        "format",
        lua.create_function(|lua, (s, style): (LuaValue, Option<String>)| {
            let u = match parse(&s) {
                Ok(u) => u,
                Err(e) => return invalid(lua, e),
            };
            match style.as_deref().unwrap_or("standard") {
                "standard" => ok(lua, u.hyphenated().to_string()),
                "simple" => ok(lua, u.simple().to_string()),
                "urn" => ok(lua, u.urn().to_string()),
                other => invalid(
                    lua,
                    format!(
                        "unknown format {other:?}: expected \"standard\", \"simple\" or \"urn\""
                    ),
                ),
            }
        })?,
    )?;
    Ok(t)
}
