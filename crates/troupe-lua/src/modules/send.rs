//! `process.send(dest, topic, ...)` (SPEC §3.2, WIPPY-API.md §2): a raw Luau C function
//! for the common call, the general mlua function for the rest.
//!
//! The common call — a string destination, a string topic, and no payload or one nil,
//! boolean, number or string of at most [`RAW_STRING`] bytes — is read straight off the
//! Luau stack and sent ([`send_raw`]): no mlua argument conversion, no registry
//! references, no result list (≈ 1,300 fewer instructions per send, callgrind). Anything
//! else (a table payload, several payloads, a numeric topic, a missing argument, a
//! non-UTF-8 string, a refused copy) goes to [`general`], which is what `send` always
//! was, before any side effect. A raw send the kernel refuses returns its error as a
//! [`Refusal`] object, from which the Lua half builds `nil, err` (so the send is tried
//! once either way, and a preemption between the two halves cannot mix up errors).

use std::ffi::c_int;

use mlua::{Function, Lua, MultiValue, Value as LuaValue, ffi};
use troupe_kernel::{ErrorKind, KernelError, Value};

use crate::limits;
use crate::modules::errors::nil_error;
use crate::modules::process::{fail, ok_true};
use crate::process::with_current;
use crate::tagged::{self, Tagged};

/// Longest string payload the raw path copies itself (longer: the general path).
const RAW_STRING: usize = 64 << 10;

/// The kernel's refusal of a raw send, handed from the raw half to the Lua half.
pub(crate) struct Refusal(KernelError);

impl Tagged for Refusal {
    const TAG: c_int = 102;
    const NAME: &'static str = "send refusal";
}

/// The Lua half: the raw call, else `nil, err` of its refusal, else the general call.
/// Upvalues only.
const SEND: &str = r#"
local raw, failed, general = ...
return function(...)
  local sent, refusal = raw(...)
  if sent then return true end
  if sent == false then return failed(refusal) end
  return general(...)
end
"#;

/// Build `process.send`.
///
/// Errors: Lua memory errors.
pub(crate) fn function(lua: &Lua) -> mlua::Result<Function> {
    // SAFETY: `send_raw` follows `crate::tagged`'s rules for raw functions.
    let raw = unsafe { lua.create_c_function(send_raw)? };
    let failed = lua.create_function(|lua, refusal: LuaValue| {
        tagged::with_self::<Refusal, _>(lua, "send", &refusal, |r| fail(lua, LuaValue::Nil, &r.0))
    })?;
    tagged::install::<Refusal>(lua, lua.create_table()?)?;
    let general = lua.create_function(general)?;
    lua.load(SEND)
        .set_name("=troupe_send")
        .call((raw, failed, general))
}

/// The bytes of the string at `idx`, if the value there is a string (no conversion).
unsafe fn string_at<'a>(l: *mut ffi::lua_State, idx: c_int) -> Option<&'a [u8]> {
    unsafe {
        if ffi::lua_type(l, idx) != ffi::LUA_TSTRING {
            return None;
        }
        let mut len = 0usize;
        let p = ffi::lua_tolstring(l, idx, &mut len);
        (!p.is_null()).then(|| std::slice::from_raw_parts(p as *const u8, len))
    }
}

/// The payload at `idx` if the raw path copies it, under the copy's budget (SPEC §3.2).
unsafe fn scalar_at(l: *mut ffi::lua_State, idx: c_int) -> Option<Value> {
    unsafe {
        let (v, extra) = match ffi::lua_type(l, idx) {
            ffi::LUA_TNIL => (Value::Nil, 0),
            ffi::LUA_TBOOLEAN => (Value::Bool(ffi::lua_toboolean(l, idx) != 0), 0),
            ffi::LUA_TNUMBER => (crate::convert::number(ffi::lua_tonumber(l, idx)), 0),
            ffi::LUA_TSTRING => {
                let b = string_at(l, idx)?;
                if b.len() > RAW_STRING {
                    return None;
                }
                (Value::Str(b.to_vec()), b.len() as u64)
            }
            _ => return None,
        };
        limits::copy_scalar(v, extra).ok()
    }
}

/// `process.send`, raw: `true` when sent, `false, refusal` when the kernel refused it,
/// nothing when the general path must handle the call. Calls no Luau function that can
/// raise while a Rust value needing a drop is alive (the refusal moves into its
/// userdata).
unsafe extern "C-unwind" fn send_raw(l: *mut ffi::lua_State) -> c_int {
    unsafe {
        let n = ffi::lua_gettop(l);
        if !(2..=3).contains(&n) {
            return 0;
        }
        let (Some(dest), Some(topic)) = (string_at(l, 1), string_at(l, 2)) else {
            return 0;
        };
        let (Ok(dest), Ok(topic)) = (std::str::from_utf8(dest), std::str::from_utf8(topic)) else {
            return 0;
        };
        let payload = if n == 2 {
            Value::Nil
        } else {
            match scalar_at(l, 3) {
                Some(v) => v,
                None => return 0,
            }
        };
        let sent = with_current(|p| Ok(p.node.send(Some(&p.handle), dest, topic, payload)));
        match sent {
            Ok(Ok(())) => ffi::lua_pushboolean(l, 1),
            Ok(Err(e)) => {
                ffi::lua_pushboolean(l, 0);
                tagged::push(l, Refusal(e));
                return 2;
            }
            // Outside a process: the general path raises.
            Err(_) => return 0,
        }
        1
    }
}

/// `process.send`, general: every argument shape, with Wippy's errors.
fn general(
    lua: &Lua,
    (dest, topic, payload): (LuaValue, LuaValue, MultiValue),
) -> mlua::Result<MultiValue> {
    // As Wippy: fewer than two arguments is `nil, err` (Invalid).
    let topic = match topic {
        LuaValue::String(s) => s,
        LuaValue::Integer(_) | LuaValue::Number(_) => match lua.coerce_string(topic)? {
            Some(s) => s,
            None => lua.create_string("")?,
        },
        LuaValue::Nil => {
            return nil_error(
                lua,
                ErrorKind::Invalid,
                "send: expected a destination and a topic",
            );
        }
        other => {
            return Err(mlua::Error::runtime(format!(
                "bad argument #2 to 'send' (string expected, got {})",
                other.type_name()
            )));
        }
    };
    if dest.is_nil() {
        return nil_error(
            lua,
            ErrorKind::Invalid,
            "send: expected a destination and a topic",
        );
    }
    let LuaValue::String(dest) = &dest else {
        return Err(mlua::Error::runtime(
            "expected a PID or a registered name (string)",
        ));
    };
    let (dest, topic) = (dest.to_str()?, topic.to_str()?);
    // Refused copies deliver nothing (SPEC §3.2).
    let payload = match limits::copy_payload(&payload) {
        Ok(v) => v,
        Err(e) => return limits::refused(lua, e),
    };
    with_current(
        |p| match p.node.send(Some(&p.handle), &dest, &topic, payload) {
            Ok(()) => ok_true(),
            Err(e) => fail(lua, LuaValue::Nil, &e),
        },
    )
}
