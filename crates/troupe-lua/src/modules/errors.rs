//! The `errors` global (WIPPY-API.md §4): error objects with a kind, a message, a
//! retryable flag, details and the Lua stack where they were made.
//!
//! `errors.new("msg")`, `errors.new{message=, kind=, retryable=, details=}`,
//! `errors.wrap(e, ctx)`, `errors.is(v, kind)`, `errors.call_stack(e)`; methods `:kind()`
//! `:message()` `:retryable()` `:details()` `:stack()`; `tostring(e)` is the message, `..`
//! joins messages; constants `errors.NOT_FOUND = "NotFound"`, …, `errors.UNKNOWN = ""`.
//! The string library accepting an error where it expects a string is the `string`
//! wrapper of [`crate::sandbox`].

use std::rc::Rc;

use mlua::{Lua, MetaMethod, MultiValue, Table, UserData, UserDataMethods, Value as LuaValue};
use troupe_kernel::{ErrorKind, ProcessError};

/// How many Lua frames an error object records (`errors.call_stack`, `:stack()`).
const MAX_FRAMES: usize = 32;
/// How many `errors.wrap` contexts an error keeps (the oldest are dropped first).
const MAX_CONTEXTS: usize = 32;
/// Bytes of a frame's source name or function name kept.
const MAX_NAME: usize = 256;

/// Lua userdata wrapping a [`ProcessError`]. Its message is Rust heap: charged to the
/// process that made the object against `max_memory` while the object lives (when it is
/// at least [`crate::process::HOLD_MIN`] bytes; smaller ones are bounded by the userdata's
/// own Lua heap).
#[derive(Clone)]
pub struct LuaError(
    pub ProcessError,
    /// Kept for its `Drop` (gives the charge back).
    #[allow(dead_code)]
    Option<Rc<crate::process::Held>>,
    /// Where the object was made and the contexts `errors.wrap` added (`None` for errors
    /// the runtime makes, which carry no Lua stack).
    Option<Rc<Trace>>,
);

/// The Lua side of an error object: its frames and wrap contexts.
#[derive(Debug, Default)]
pub struct Trace {
    frames: Vec<Frame>,
    /// `errors.wrap` contexts, newest last.
    contexts: Vec<String>,
}

/// One Lua frame, as `errors.call_stack` reports it.
#[derive(Debug, Clone)]
struct Frame {
    source: String,
    line: i64,
    name: String,
    what: &'static str,
}

impl LuaError {
    /// An error object made by the running process (charged to it, see above).
    pub fn new(e: ProcessError) -> LuaError {
        let held = crate::process::hold(error_bytes(&e));
        LuaError(e, held, None)
    }

    fn with_trace(e: ProcessError, trace: Trace) -> LuaError {
        // Everything the object holds on the Rust heap: message, details, contexts and
        // frames (up to 32 × 512 bytes of names), so a million error objects cannot hold
        // memory their process is not charged for.
        let frames: usize = trace
            .frames
            .iter()
            .map(|f| std::mem::size_of::<Frame>() + f.source.len() + f.name.len())
            .sum();
        let held = crate::process::hold(
            error_bytes(&e) + frames + trace.contexts.iter().map(String::len).sum::<usize>(),
        );
        LuaError(e, held, Some(Rc::new(trace)))
    }

    /// `:stack()`: the wrap contexts (newest first), then the frames as `src:line (name)`.
    fn stack_text(&self) -> String {
        let mut out = self.0.message.clone();
        if let Some(t) = &self.2 {
            for c in t.contexts.iter().rev() {
                out.push_str("\n  ");
                out.push_str(c);
            }
            for f in &t.frames {
                out.push_str(&format!("\n  {}:{}", f.source, f.line));
                if !f.name.is_empty() {
                    out.push_str(&format!(" ({})", f.name));
                }
            }
        }
        out
    }
}

/// The Rust heap an error's message and details hold (what [`LuaError::new`] charges).
fn error_bytes(e: &ProcessError) -> usize {
    e.message.len()
        + e.details
            .as_deref()
            .map_or(0, |d| troupe_kernel::copy::footprint(d) as usize)
}

impl std::fmt::Debug for LuaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LuaError").field(&self.0).finish()
    }
}

impl UserData for LuaError {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("kind", |_, e, ()| Ok(e.0.kind.as_str().to_string()));
        m.add_method("message", |_, e, ()| Ok(e.0.message.clone()));
        m.add_method("retryable", |_, e, ()| Ok(e.0.retryable));
        m.add_method("details", |lua, e, ()| match e.0.details.as_deref() {
            Some(d) => crate::convert::to_lua(lua, d),
            None => Ok(LuaValue::Nil),
        });
        m.add_method("stack", |_, e, ()| Ok(e.stack_text()));
        m.add_meta_method(MetaMethod::ToString, |_, e, ()| Ok(e.0.message.clone()));
        m.add_meta_function(MetaMethod::Concat, |lua, (a, b): (LuaValue, LuaValue)| {
            let mut out = Vec::new();
            for v in [&a, &b] {
                piece(lua, v, &mut out)?;
            }
            lua.create_string(out)
        });
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<LuaError>| {
            Ok(a.0 == b.0)
        });
    }
}

/// One side of `a .. b` where either is an error: an error gives its message, a string
/// or number its text; anything else raises as Lua's own `..` does.
fn piece(lua: &Lua, v: &LuaValue, out: &mut Vec<u8>) -> mlua::Result<()> {
    match v {
        LuaValue::UserData(ud) if ud.is::<LuaError>() => {
            out.extend_from_slice(ud.borrow::<LuaError>()?.0.message.as_bytes())
        }
        LuaValue::String(s) => out.extend_from_slice(&s.as_bytes()),
        LuaValue::Integer(_) | LuaValue::Number(_) => {
            let s: mlua::LuaString = lua.coerce_string(v.clone())?.ok_or_else(|| {
                mlua::Error::runtime("attempt to concatenate a number that has no text")
            })?;
            out.extend_from_slice(&s.as_bytes())
        }
        other => {
            return Err(mlua::Error::runtime(format!(
                "attempt to concatenate an error with a {} value",
                other.type_name()
            )));
        }
    }
    Ok(())
}

/// The error object in `v`, if it is one.
pub fn as_error(v: &LuaValue) -> Option<mlua::UserDataRef<LuaError>> {
    match v {
        LuaValue::UserData(ud) => ud.borrow::<LuaError>().ok(),
        _ => None,
    }
}

/// Make an error userdata value.
pub fn new_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<LuaValue> {
    Ok(LuaValue::UserData(lua.create_userdata(LuaError::new(
        ProcessError::new(kind, msg),
    ))?))
}

/// `nil, err`: the failure half of the `value, err` convention (WIPPY-API.md notation).
///
/// Errors: Lua memory errors.
pub fn nil_error(lua: &Lua, kind: ErrorKind, msg: impl Into<String>) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_iter([
        LuaValue::Nil,
        new_error(lua, kind, msg)?,
    ]))
}

/// The Lua frames above the calling Rust function, at most [`MAX_FRAMES`].
fn frames(lua: &Lua) -> Vec<Frame> {
    let mut out = Vec::new();
    for level in 1..=MAX_FRAMES {
        let f = lua.inspect_stack(level, |d| {
            let src = d.source();
            let names = d.names();
            Frame {
                source: clip(src.short_src.as_deref().unwrap_or("?")),
                line: d.current_line().map_or(-1, |l| l as i64),
                name: clip(names.name.as_deref().unwrap_or("")),
                what: src.what,
            }
        });
        match f {
            Some(f) => out.push(f),
            None => break,
        }
    }
    out
}

fn clip(s: &str) -> String {
    let mut end = s.len().min(MAX_NAME);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `errors.new(...)`: a string message, or a table `{message=, kind=, retryable=, details=}`.
fn new(lua: &Lua, a: LuaValue) -> mlua::Result<LuaValue> {
    let e = match &a {
        LuaValue::String(s) => ProcessError::new(ErrorKind::Unknown, s.to_str()?.to_string()),
        LuaValue::Table(t) => {
            let message = match t.raw_get::<LuaValue>("message")? {
                LuaValue::String(s) => s.to_str()?.to_string(),
                _ => {
                    return Err(mlua::Error::runtime(
                        "errors.new: the table's `message` must be a string",
                    ));
                }
            };
            let kind = match t.raw_get::<LuaValue>("kind")? {
                LuaValue::String(s) => ErrorKind::named(&s.to_str()?),
                LuaValue::Nil => ErrorKind::Unknown,
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "errors.new: `kind` must be a string, got {}",
                        other.type_name()
                    )));
                }
            };
            let retryable = match t.raw_get::<LuaValue>("retryable")? {
                LuaValue::Boolean(b) => Some(b),
                LuaValue::Nil => None,
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "errors.new: `retryable` must be a boolean, got {}",
                        other.type_name()
                    )));
                }
            };
            let details = match t.raw_get::<LuaValue>("details")? {
                LuaValue::Nil => None,
                LuaValue::Table(d) if d.is_empty() => None,
                d @ LuaValue::Table(_) => Some(Box::new(
                    crate::limits::copy(&d).map_err(|e| mlua::Error::runtime(e.to_string()))?,
                )),
                other => {
                    return Err(mlua::Error::runtime(format!(
                        "errors.new: `details` must be a table, got {}",
                        other.type_name()
                    )));
                }
            };
            ProcessError {
                kind,
                message,
                retryable,
                details,
            }
        }
        LuaValue::Integer(_) | LuaValue::Number(_) => {
            let s = lua.coerce_string(a.clone())?.map(|s| s.to_string_lossy());
            ProcessError::new(ErrorKind::Unknown, s.unwrap_or_default())
        }
        other => {
            return Err(mlua::Error::runtime(format!(
                "errors.new: expected string or table, got {}",
                other.type_name()
            )));
        }
    };
    let trace = Trace {
        frames: frames(lua),
        contexts: Vec::new(),
    };
    Ok(LuaValue::UserData(
        lua.create_userdata(LuaError::with_trace(e, trace))?,
    ))
}

/// Text of a string or error argument (`errors.wrap`'s context).
fn text_of(v: &LuaValue, what: &str) -> mlua::Result<String> {
    if let Some(e) = as_error(v) {
        return Ok(e.0.message.clone());
    }
    match v {
        LuaValue::String(s) => Ok(s.to_string_lossy()),
        LuaValue::Integer(i) => Ok(i.to_string()),
        LuaValue::Number(n) => Ok(n.to_string()),
        other => Err(mlua::Error::runtime(format!(
            "errors.wrap: {what} must be an error or a string, got {}",
            other.type_name()
        ))),
    }
}

/// `errors.wrap(e, ctx)`: `e`'s kind, retryable, details and message, with `ctx` added
/// to its stack.
fn wrap(lua: &Lua, (e, ctx): (LuaValue, LuaValue)) -> mlua::Result<LuaValue> {
    let ctx = text_of(&ctx, "the context")?;
    let (base, mut trace) = match as_error(&e) {
        Some(x) => (
            x.0.clone(),
            match &x.2 {
                Some(t) => Trace {
                    frames: t.frames.clone(),
                    contexts: t.contexts.clone(),
                },
                None => Trace {
                    frames: frames(lua),
                    contexts: Vec::new(),
                },
            },
        ),
        None => (
            ProcessError::new(ErrorKind::Unknown, text_of(&e, "the error")?),
            Trace {
                frames: frames(lua),
                contexts: Vec::new(),
            },
        ),
    };
    if trace.contexts.len() >= MAX_CONTEXTS {
        trace.contexts.remove(0);
    }
    trace.contexts.push(ctx);
    Ok(LuaValue::UserData(
        lua.create_userdata(LuaError::with_trace(base, trace))?,
    ))
}

/// `errors.call_stack(e)`: `{thread, frames = {{level, source, line, name, type}, …}}`,
/// or nil for a value without a Lua stack.
fn call_stack(lua: &Lua, e: LuaValue) -> mlua::Result<LuaValue> {
    let Some(e) = as_error(&e) else {
        return Ok(LuaValue::Nil);
    };
    let Some(t) = &e.2 else {
        return Ok(LuaValue::Nil);
    };
    let out = lua.create_table()?;
    out.raw_set("thread", "main")?;
    let frames = lua.create_table()?;
    for (i, f) in t.frames.iter().enumerate() {
        let ft = lua.create_table()?;
        ft.raw_set("level", i as i64 + 1)?;
        ft.raw_set("source", f.source.as_str())?;
        ft.raw_set("line", f.line)?;
        ft.raw_set("name", f.name.as_str())?;
        ft.raw_set("type", f.what)?;
        frames.raw_push(ft)?;
    }
    out.raw_set("frames", frames)?;
    Ok(LuaValue::Table(out))
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for k in ErrorKind::ALL {
        if let Some(name) = k.const_name() {
            t.set(name, k.as_str())?;
        }
    }
    t.set("new", lua.create_function(|lua, a: LuaValue| new(lua, a))?)?;
    t.set("wrap", lua.create_function(wrap)?)?;
    t.set("call_stack", lua.create_function(call_stack)?)?;
    t.set(
        "is",
        lua.create_function(|_, (e, kind): (LuaValue, LuaValue)| {
            let Some(e) = as_error(&e) else {
                return Ok(false);
            };
            Ok(match kind {
                LuaValue::String(k) => e.0.kind.as_str().as_bytes() == &*k.as_bytes(),
                _ => false,
            })
        })?,
    )?;
    Ok(t)
}

/// Whether a value is an error object; used by the `string` wrapper to pass its message.
pub fn message_of(v: &LuaValue) -> Option<String> {
    match v {
        // An error raised by a Rust function and caught by `pcall`: its text, without
        // mlua's "runtime error: " prefix and traceback.
        LuaValue::Error(e) => Some(crate::process::error_to_process(e).message),
        _ => as_error(v).map(|e| e.0.message.clone()),
    }
}
