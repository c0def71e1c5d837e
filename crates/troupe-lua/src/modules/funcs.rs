//! The `funcs` module: `call(id, ...)` → `value, err`. A function runs as its own short-lived
//! process on the caller's worker (so it has a PID and can `process.send`, SPEC §5),
//! inheriting the caller's actor; the caller is suspended until it returns.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::Value;

use crate::convert::to_value;
use crate::modules::process::{exit_values, fail};
use crate::process::with_current;

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "call",
        lua.create_async_function(|lua, (id, args): (String, MultiValue)| async move {
            let args: Vec<Value> = args.iter().map(to_value).collect();
            let called = with_current(|p| Ok(p.node.call(&p.handle, &id, args)))?;
            match called {
                Err(e) => fail(&lua, LuaValue::Nil, &e),
                Ok(rx) => exit_values(&lua, rx.await.unwrap_or(Ok(Value::Nil))),
            }
        })?,
    )?;
    Ok(t)
}
