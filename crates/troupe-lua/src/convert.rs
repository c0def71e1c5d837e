//! Lua ⇄ [`Value`] conversion: the deep copy of SPEC §3.2. Tables become arrays (when they
//! are sequences `1..n`) or maps; error objects keep their kind; functions, threads,
//! channels and other userdata become nil. Nesting deeper than [`MAX_DEPTH`] (or a cycle)
//! is cut to nil.

use mlua::{Lua, Value as LuaValue};
use troupe_kernel::Value;

use crate::modules::errors::LuaError;

/// Maximum table nesting copied.
pub const MAX_DEPTH: usize = 64;

/// Deep-copy a Lua value.
pub fn to_value(v: &LuaValue) -> Value {
    copy(v, 0)
}

fn copy(v: &LuaValue, depth: usize) -> Value {
    match v {
        LuaValue::Nil => Value::Nil,
        LuaValue::Boolean(b) => Value::Bool(*b),
        LuaValue::Integer(i) => Value::Int(*i),
        LuaValue::Number(n) => number(*n),
        LuaValue::String(s) => Value::Str(s.as_bytes().to_vec()),
        LuaValue::Table(t) => {
            if depth >= MAX_DEPTH {
                return Value::Nil;
            }
            let len = t.raw_len();
            let mut count = 0usize;
            let mut map = Vec::new();
            for (k, v) in t.pairs::<LuaValue, LuaValue>().flatten() {
                count += 1;
                map.push((copy(&k, depth + 1), copy(&v, depth + 1)));
            }
            if len > 0 && count == len {
                let mut arr = vec![Value::Nil; len];
                for (k, v) in map {
                    if let Value::Int(i) = k
                        && i >= 1
                        && (i as usize) <= len
                    {
                        arr[i as usize - 1] = v;
                    }
                }
                Value::Array(arr)
            } else {
                Value::Map(map)
            }
        }
        LuaValue::UserData(ud) => match ud.borrow::<LuaError>() {
            Ok(e) => Value::Error(Box::new(e.0.clone())),
            Err(_) => Value::Nil,
        },
        LuaValue::Error(e) => Value::Error(Box::new(crate::error_to_process(e))),
        _ => Value::Nil,
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Int(n as i64)
    } else {
        Value::Float(n)
    }
}

/// Build a Lua value from a [`Value`].
///
/// Errors: Lua memory errors only.
pub fn to_lua(lua: &Lua, v: &Value) -> mlua::Result<LuaValue> {
    Ok(match v {
        Value::Nil => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(*b),
        Value::Int(i) => LuaValue::Number(*i as f64),
        Value::Float(f) => LuaValue::Number(*f),
        Value::Str(s) => LuaValue::String(lua.create_string(s)?),
        Value::Array(a) => {
            let t = lua.create_table_with_capacity(a.len(), 0)?;
            for (i, x) in a.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, x)?)?;
            }
            LuaValue::Table(t)
        }
        Value::Map(m) => {
            let t = lua.create_table_with_capacity(0, m.len())?;
            for (k, x) in m {
                let k = to_lua(lua, k)?;
                if !k.is_nil() {
                    t.raw_set(k, to_lua(lua, x)?)?;
                }
            }
            LuaValue::Table(t)
        }
        Value::Error(e) => LuaValue::UserData(lua.create_userdata(LuaError((**e).clone()))?),
    })
}

/// A JSON object (entry `meta`, an actor's `meta`) as a plain Lua table, by the same
/// conversion as messages and `json.decode`: a YAML/JSON null is nil, not mlua's `NULL`
/// sentinel (a light userdata, which is truthy and `~= nil`).
///
/// Errors: Lua memory errors.
pub fn json_object(
    lua: &Lua,
    o: &serde_json::Map<String, serde_json::Value>,
) -> mlua::Result<LuaValue> {
    to_lua(lua, &Value::from(&serde_json::Value::Object(o.clone())))
}
