//! The `json` module: `encode(v)` → string or `nil, err`; `decode(s)` → value or
//! `nil, err`. Goes through the same deep copy as messages, so `null` decodes to nil and
//! sequences encode as arrays.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::{ErrorKind, Value};

use crate::convert::{to_lua, to_value};
use crate::modules::errors::nil_error;

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "encode",
        lua.create_function(|lua, v: LuaValue| {
            let j = to_value(&v).to_json();
            match serde_json::to_string(&j) {
                Ok(s) => Ok(MultiValue::from_iter([LuaValue::String(
                    lua.create_string(s)?,
                )])),
                Err(e) => nil_error(lua, ErrorKind::Invalid, e.to_string()),
            }
        })?,
    )?;
    t.set(
        "decode",
        lua.create_function(|lua, s: mlua::LuaString| {
            match serde_json::from_slice::<serde_json::Value>(&s.as_bytes()) {
                Ok(j) => Ok(MultiValue::from_iter([to_lua(lua, &Value::from(&j))?])),
                Err(e) => nil_error(lua, ErrorKind::Invalid, format!("json.decode: {e}")),
            }
        })?,
    )?;
    Ok(t)
}
