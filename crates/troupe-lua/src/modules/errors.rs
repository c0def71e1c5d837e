//! The `errors` module (SPEC §5): error objects with a kind and a message.
//! `errors.new(kind, message)`, `errors.new(message)`, `errors.new{kind=, message=}`;
//! methods `:kind()`, `:message()`, `tostring(err)`; constants `errors.NOT_FOUND`, ….

use mlua::{Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::{ErrorKind, ProcessError};

/// Lua userdata wrapping a [`ProcessError`]. Its message is Rust heap: charged to the
/// process that made the object against `max_memory` while the object lives (when it is
/// at least [`crate::process::HOLD_MIN`] bytes; smaller ones are bounded by the userdata's
/// own Lua heap).
#[derive(Clone)]
pub struct LuaError(
    pub ProcessError,
    /// Kept for its `Drop` (gives the charge back).
    #[allow(dead_code)]
    Option<std::rc::Rc<crate::process::Held>>,
);

impl LuaError {
    /// An error object made by the running process (charged to it, see above).
    pub fn new(e: ProcessError) -> LuaError {
        let held = crate::process::hold(e.message.len());
        LuaError(e, held)
    }
}

impl std::fmt::Debug for LuaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LuaError").field(&self.0).finish()
    }
}

impl UserData for LuaError {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("kind", |_, e, ()| Ok(e.0.kind.as_str()));
        m.add_method("message", |_, e, ()| Ok(e.0.message.clone()));
        m.add_meta_method(MetaMethod::ToString, |_, e, ()| Ok(e.0.message.clone()));
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<LuaError>| {
            Ok(a.0 == b.0)
        });
    }
}

/// Make an error userdata value.
pub fn new_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<LuaValue> {
    Ok(LuaValue::UserData(lua.create_userdata(LuaError::new(
        ProcessError::new(kind, msg),
    ))?))
}

/// `nil, err`: the failure half of the `value, err` convention (SPEC §5).
///
/// Errors: Lua memory errors.
pub fn nil_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([
        LuaValue::Nil,
        new_error(lua, kind, msg)?,
    ]))
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for k in ErrorKind::ALL {
        t.set(k.as_str(), k.as_str())?;
    }
    t.set(
        "new",
        lua.create_function(|lua, (a, b): (LuaValue, Option<String>)| {
            let (kind, msg) = match (&a, b) {
                (LuaValue::Table(t), _) => {
                    let kind: Option<String> = t.get("kind")?;
                    let msg: Option<String> = t.get("message")?;
                    (
                        kind.and_then(|k| ErrorKind::parse(&k))
                            .unwrap_or(ErrorKind::Unknown),
                        msg.unwrap_or_default(),
                    )
                }
                (LuaValue::String(s), Some(m)) => {
                    let s = s.to_str()?.to_string();
                    match ErrorKind::parse(&s) {
                        Some(k) => (k, m),
                        None => {
                            return Err(mlua::Error::runtime(format!(
                                "errors.new: unknown error kind {s:?}"
                            )));
                        }
                    }
                }
                (LuaValue::String(s), None) => (ErrorKind::Unknown, s.to_str()?.to_string()),
                _ => {
                    return Err(mlua::Error::runtime(
                        "errors.new: expected (kind, message), (message) or {kind=, message=}",
                    ));
                }
            };
            new_error(lua, kind, msg)
        })?,
    )?;
    t.set(
        "is",
        lua.create_function(|_, (e, kind): (LuaValue, String)| {
            Ok(match e {
                LuaValue::UserData(ud) => ud
                    .borrow::<LuaError>()
                    .map(|e| e.0.kind.as_str() == kind)
                    .unwrap_or(false),
                _ => false,
            })
        })?,
    )?;
    Ok(t)
}
