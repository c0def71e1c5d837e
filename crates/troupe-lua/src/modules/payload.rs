//! The `payload` global and Payload objects (WIPPY-API.md §5): a value with a format.
//!
//! `payload.new(v)` → a Payload of format `lua/any` (`golang/error` for an error object);
//! `p:get_format()`, `p:data()` / `p:unmarshal()` (the Lua value; other formats are
//! decoded first, failure → `nil, err` Internal), `p:transcode(fmt)` → a new Payload,
//! `tostring(p)` = `payload{format=<fmt>}`. Payloads are what `msg:payload()` returns and
//! what a `funcs.async` future's channel carries.
//!
//! A Payload is a tagged userdata (`crate::tagged`): `data`/`unmarshal` of a nil,
//! boolean, number or string and `get_format` are raw C functions; the rest are mlua
//! functions.
//!
//! Decision (Troupe): a Payload holds a kernel [`Value`] (the bounded deep copy of
//! SPEC §3.2), never a reference to a Lua object. Wippy's `payload.new` keeps the Lua
//! value itself; holding a Lua reference in a userdata would make a cycle (`t.p = p`) the
//! collector cannot free, outliving the process in the shared VM. So `payload.new(t)`
//! copies `t` (charged to the process), and each `:data()` builds a fresh Lua copy.

use std::rc::Rc;

use std::ffi::c_int;

use mlua::{Lua, MultiValue, Table, Value as LuaValue, ffi};
use troupe_kernel::copy::{self};
use troupe_kernel::{ErrorKind, Value};

use crate::convert::to_lua;
use crate::memory::SMALL_BUILD;
use crate::modules::errors::nil_error;
use crate::process::{Held, fast_guard, hold};
use crate::tagged::{self, Tagged};

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

impl Tagged for LuaPayload {
    const TAG: c_int = 101;
    const NAME: &'static str = "Payload";
}

/// A Lua Payload object holding `p`.
///
/// Errors: Lua memory errors.
pub fn new_value(lua: &Lua, p: LuaPayload) -> mlua::Result<LuaValue> {
    tagged::value(lua, p)
}

/// `p:data()`, raw: `true, value` for a value that needs no Lua object but a string (nil,
/// boolean, number, string), else `false` (the Lua half then calls the general one).
unsafe extern "C-unwind" fn data_raw(l: *mut ffi::lua_State) -> c_int {
    unsafe {
        let p = tagged::this::<LuaPayload>(l, c"data");
        let Body::Value(v) = &p.0 else {
            ffi::lua_pushboolean(l, 0);
            return 1;
        };
        ffi::lua_pushboolean(l, 1);
        match &v.0 {
            Value::Nil => ffi::lua_pushnil(l),
            Value::Bool(b) => ffi::lua_pushboolean(l, c_int::from(*b)),
            Value::Int(i) => ffi::lua_pushnumber(l, *i as f64),
            Value::Float(f) => ffi::lua_pushnumber(l, *f),
            // A refused allocation raises here, as any string the process makes.
            Value::Str(s) => tagged::push_str(l, s),
            Value::Array(_) | Value::Map(_) | Value::Error(_) => {
                ffi::lua_pop(l, 1);
                ffi::lua_pushboolean(l, 0);
                return 1;
            }
        }
        2
    }
}

/// `p:get_format()`, raw.
unsafe extern "C-unwind" fn get_format_raw(l: *mut ffi::lua_State) -> c_int {
    unsafe {
        let f = tagged::this::<LuaPayload>(l, c"get_format").format();
        tagged::push_str(l, f.as_bytes());
        1
    }
}

/// `data`/`unmarshal`: the raw half, else the general one (a table, an error object, a
/// payload of another format). Upvalues only.
const DATA: &str = r#"
local raw, general = ...
return function(self)
  local done, v = raw(self)
  if done then return v end
  return general(self)
end
"#;

/// Register Payload objects on `lua`'s VM ([`tagged::install`]). Once per VM.
///
/// Errors: Lua memory errors.
pub(crate) fn install(lua: &Lua) -> mlua::Result<()> {
    let general = lua.create_function(|lua, this: LuaValue| {
        tagged::with_self::<LuaPayload, _>(lua, "data", &this, |p| data(lua, p))
    })?;
    let data_fn: mlua::Function = lua
        .load(DATA)
        .set_name("=troupe_payload")
        .call((tagged::function(lua, data_raw)?, general))?;
    let methods = lua.create_table()?;
    methods.raw_set("data", data_fn.clone())?;
    methods.raw_set("unmarshal", data_fn)?;
    methods.raw_set("get_format", tagged::function(lua, get_format_raw)?)?;
    methods.raw_set(
        "transcode",
        lua.create_function(|lua, (this, to): (LuaValue, String)| {
            tagged::with_self::<LuaPayload, _>(lua, "transcode", &this, |p| transcode(lua, p, &to))
        })?,
    )?;
    tagged::install_methods::<LuaPayload>(lua, methods, |p| {
        format!("payload{{format={}}}", p.format())
    })
}

/// `p:transcode(to)` → a new Payload of format `to`, or `nil, err` (Internal).
fn transcode(lua: &Lua, p: &LuaPayload, to: &str) -> mlua::Result<MultiValue> {
    let v = match p.value() {
        Ok(v) => v,
        Err(e) => return nil_error(lua, ErrorKind::Internal, e),
    };
    let out = match to {
        format::LUA | format::GOLANG => LuaPayload::of(v.into_owned()),
        _ => match encode(&v, to) {
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
    Ok(MultiValue::from_iter([new_value(lua, out)?, LuaValue::Nil]))
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
            new_value(lua, LuaPayload::of(v))
        })?,
    )?;
    Ok(t)
}

/// The payload in a Lua value, if it is one.
///
/// Errors: no stack slot.
pub fn as_payload(lua: &Lua, v: &LuaValue) -> mlua::Result<Option<LuaPayload>> {
    tagged::with::<LuaPayload, _>(lua, v, |p| Ok(p.clone()))
}
