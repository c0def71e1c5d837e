//! The `payload` global and Payload objects (WIPPY-API.md §5): a value with a format.
//!
//! `payload.new(v)` → a Payload of format `lua/any` (`golang/error` for an error object);
//! `p:get_format()`, `p:data()` / `p:unmarshal()` (the Lua value; other formats are
//! decoded first, failure → `nil, err` Internal), `p:transcode(fmt)` → a new Payload,
//! `tostring(p)` = `payload{format=<fmt>}`. Payloads are what `msg:payload()` returns and
//! what a `funcs.async` future's channel carries.
//!
//! Decision (Troupe): a Payload holds a kernel [`Value`] (the bounded deep copy of
//! SPEC §3.2), never a reference to a Lua object. Wippy's `payload.new` keeps the Lua
//! value itself; holding a Lua reference in a userdata would make a cycle (`t.p = p`) the
//! collector cannot free, outliving the process in the shared VM. So `payload.new(t)`
//! copies `t` (charged to the process), and each `:data()` builds a fresh Lua copy.

use std::rc::Rc;

use mlua::{Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::copy::{self};
use troupe_kernel::{ErrorKind, Value};

use crate::convert::to_lua;
use crate::memory::SMALL_BUILD;
use crate::modules::errors::nil_error;
use crate::process::{Held, fast_guard, hold};

/// Wippy's format names (`payload.format`).
pub mod format {
    pub const JSON: &str = "json/plain";
    pub const YAML: &str = "yaml/plain";
    pub const STRING: &str = "text/plain";
    pub const BYTES: &str = "application/octet-stream";
    pub const MSGPACK: &str = "application/msgpack";
    pub const LUA: &str = "lua/any";
    pub const GOLANG: &str = "golang/any";
    pub const ERROR: &str = "golang/error";
}

/// What a Payload holds.
#[derive(Clone)]
pub enum Body {
    /// A value (formats `lua/any` and `golang/error`), charged to its process while any
    /// payload object shares it.
    Value(Rc<(Value, Option<Held>)>),
    /// Encoded bytes of another format.
    Bytes {
        format: &'static str,
        bytes: Rc<(Vec<u8>, Option<Rc<Held>>)>,
    },
}

/// A Payload object.
#[derive(Clone)]
pub struct LuaPayload(pub Body);

impl LuaPayload {
    /// A payload of a received value (shared with the message that carries it).
    pub fn shared(v: Rc<(Value, Option<Held>)>) -> LuaPayload {
        LuaPayload(Body::Value(v))
    }

    /// A payload of a value made now, charged to the running process.
    pub fn of(v: Value) -> LuaPayload {
        let held = hold(copy::footprint(&v) as usize).and_then(|h| Rc::try_unwrap(h).ok());
        LuaPayload(Body::Value(Rc::new((v, held))))
    }

    fn format(&self) -> &'static str {
        match &self.0 {
            Body::Value(v) if matches!(v.0, Value::Error(_)) => format::ERROR,
            Body::Value(_) => format::LUA,
            Body::Bytes { format, .. } => format,
        }
    }

    /// The payload's value, decoding bytes of another format.
    ///
    /// Errors: text naming the format and what failed.
    pub fn value(&self) -> Result<std::borrow::Cow<'_, Value>, String> {
        match &self.0 {
            Body::Value(v) => Ok(std::borrow::Cow::Borrowed(&v.0)),
            Body::Bytes { format, bytes } => decode(format, &bytes.0).map(std::borrow::Cow::Owned),
        }
    }
}

fn decode(format: &str, b: &[u8]) -> Result<Value, String> {
    match format {
        // The same bounded decoder as `json.decode` (512 levels, `max_message` bytes), so
        // whatever `payload.new` accepted comes back (serde_json alone stops at 128).
        format::JSON => crate::modules::json::decode(b, crate::limits::max_message())
            .map_err(|e| format!("cannot decode {format} payload: {e}")),
        format::MSGPACK => rmp_serde::from_slice::<serde_json::Value>(b)
            .map(|j| Value::from(&j))
            .map_err(|e| format!("cannot decode {format} payload: {e}")),
        format::STRING | format::BYTES => Ok(Value::Str(b.to_vec())),
        other => Err(format!("payloads of format {other} cannot be decoded")),
    }
}

fn encode(v: &Value, to: &str) -> Result<(&'static str, Vec<u8>), String> {
    Ok(match to {
        format::JSON => (
            format::JSON,
            serde_json::to_vec(&v.to_json()).map_err(|e| format!("cannot encode as JSON: {e}"))?,
        ),
        format::MSGPACK => (
            format::MSGPACK,
            rmp_serde::to_vec(&v.to_json())
                .map_err(|e| format!("cannot encode as MessagePack: {e}"))?,
        ),
        format::STRING | format::BYTES => match v {
            Value::Str(s) => (
                if to == format::STRING {
                    format::STRING
                } else {
                    format::BYTES
                },
                s.clone(),
            ),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => (
                if to == format::STRING {
                    format::STRING
                } else {
                    format::BYTES
                },
                v.display().into_bytes(),
            ),
            _ => {
                return Err(format!(
                    "only a string or a scalar can be transcoded to {to}"
                ));
            }
        },
        other => return Err(format!("cannot transcode to format {other:?}")),
    })
}

/// A Lua copy of `v` (on mlua's fast path when it is small).
fn value_to_lua(lua: &Lua, v: &Value) -> mlua::Result<LuaValue> {
    if !matches!(
        v,
        Value::Array(_) | Value::Map(_) | Value::Str(_) | Value::Error(_)
    ) {
        // A number, boolean or nil: no Lua object is made.
        to_lua(lua, v)
    } else if copy::within(v, SMALL_BUILD) {
        let _fast = fast_guard();
        to_lua(lua, v)
    } else {
        to_lua(lua, v)
    }
}

fn data(lua: &Lua, p: &LuaPayload) -> mlua::Result<MultiValue> {
    match p.value() {
        Ok(v) => Ok(MultiValue::from_iter([value_to_lua(lua, &v)?])),
        Err(e) => nil_error(lua, ErrorKind::Internal, e),
    }
}

impl UserData for LuaPayload {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("data", |lua, p, ()| data(lua, p));
        m.add_method("unmarshal", |lua, p, ()| data(lua, p));
        m.add_method("get_format", |_, p, ()| Ok(p.format()));
        m.add_method("transcode", |lua, p, to: String| {
            let v = match p.value() {
                Ok(v) => v,
                Err(e) => return nil_error(lua, ErrorKind::Internal, e),
            };
            let out = match to.as_str() {
                format::LUA | format::GOLANG => LuaPayload::of(v.into_owned()),
                _ => match encode(&v, &to) {
                    Ok((format, bytes)) => {
                        let held = hold(bytes.len());
                        LuaPayload(Body::Bytes {
                            format,
                            bytes: Rc::new((bytes, held)),
                        })
                    }
                    Err(e) => return nil_error(lua, ErrorKind::Internal, e),
                },
            };
            Ok(MultiValue::from_iter([
                LuaValue::UserData(lua.create_userdata(out)?),
                LuaValue::Nil,
            ]))
        });
        m.add_meta_method(MetaMethod::ToString, |_, p, ()| {
            Ok(format!("payload{{format={}}}", p.format()))
        });
    }
}

/// Build the `payload` global.
///
/// Errors: Lua memory errors.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let f = lua.create_table()?;
    for (k, v) in [
        ("JSON", format::JSON),
        ("YAML", format::YAML),
        ("STRING", format::STRING),
        ("BYTES", format::BYTES),
        ("MSGPACK", format::MSGPACK),
        ("LUA", format::LUA),
        ("GOLANG", format::GOLANG),
        ("ERROR", format::ERROR),
    ] {
        f.raw_set(k, v)?;
    }
    t.raw_set("format", f)?;
    t.raw_set(
        "new",
        lua.create_function(|lua, v: LuaValue| {
            let v = crate::limits::copy(&v).map_err(|e| mlua::Error::runtime(e.to_string()))?;
            lua.create_userdata(LuaPayload::of(v))
        })?,
    )?;
    Ok(t)
}

/// The payload in a Lua value, if it is one.
pub fn as_payload(v: &LuaValue) -> Option<LuaPayload> {
    match v {
        LuaValue::UserData(ud) => ud.borrow::<LuaPayload>().ok().map(|p| p.clone()),
        _ => None,
    }
}
