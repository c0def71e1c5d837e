//! The `funcs` module: `call(id, ...)` → `value, err`. A function runs as its own short-lived
//! process on the caller's worker (so it has a PID and can `process.send`, SPEC §5),
//! inheriting the caller's actor; the caller is suspended until it returns.

use mlua::{Lua, MultiValue, Table, Value as LuaValue};
use troupe_kernel::{KernelError, SpawnRequest, Value};

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
            let spawned = with_current(|p| {
                let kind = p.node.entry(&id).map(|e| e.kind_name());
                match kind {
                    None => return Ok(Err(KernelError::EntryNotFound(id.clone()))),
                    Some("function.lua" | "function.wat" | "function.wasm") => {}
                    Some(other) => {
                        return Ok(Err(KernelError::NotAFunction {
                            id: id.clone(),
                            kind: other.to_string(),
                        }));
                    }
                }
                let req = SpawnRequest {
                    entry: id.clone(),
                    host: p.handle.pid.host().to_string(),
                    args,
                    ..Default::default()
                };
                Ok(p.node.spawn(Some(&p.handle), req, true))
            })?;
            match spawned {
                Err(e) => fail(&lua, LuaValue::Nil, &e),
                Ok((_, None)) => Ok(MultiValue::new()),
                Ok((_, Some(rx))) => exit_values(&lua, rx.await.unwrap_or(Ok(Value::Nil))),
            }
        })?,
    )?;
    Ok(t)
}
