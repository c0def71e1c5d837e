//! The limits the Lua modules apply to what a process copies (SPEC §3.2, §3.6), read in
//! one place: [`max_message`] is the byte bound of every deep copy a Lua process makes
//! (send, spawn arguments, `with_context`, `with_message`, function arguments and
//! results, `json`), and [`copy`] / [`copy_all`] / [`copy_payload`] run the bounded copy of
//! `convert.rs` with it and with the current process's kill flag as the stop check.

use mlua::{MultiValue, Value as LuaValue};
use troupe_kernel::copy::Budget;
use troupe_kernel::{CopyError, DEFAULT_MAX_MESSAGE, ProcessError, ProcessRef, Value};

use crate::convert;
use crate::process::with_current;

/// `limits.max_message` of the current process, in bytes: the most a deep copy may take
/// (cost model in `troupe_kernel::copy`): the entry's, else `troupe.yaml`'s, else
/// [`DEFAULT_MAX_MESSAGE`] (64 MiB) outside a process.
pub fn max_message() -> u64 {
    with_current(|p| Ok(p.limits.max_message)).unwrap_or(DEFAULT_MAX_MESSAGE)
}

/// The current process's handle, if there is one (the stop check reads its kill flag).
fn current() -> Option<ProcessRef> {
    with_current(|p| Ok(p.handle.clone())).ok()
}

/// Run `f` with a [`Budget`] of [`max_message`] bytes that stops when the current process
/// is killed.
fn with_budget<R>(f: impl FnOnce(&mut Budget) -> Result<R, CopyError>) -> Result<R, CopyError> {
    let handle = current();
    let stop = || -> Option<ProcessError> { handle.as_ref().and_then(|h| h.kill_reason()) };
    let mut budget = Budget::new(max_message()).with_stop(&stop);
    f(&mut budget)
}

/// Deep-copy one Lua value under the current process's limits.
///
/// Errors: a [`CopyError`] (cycle, depth, `max_message`, or the process was killed).
pub fn copy(v: &LuaValue) -> Result<Value, CopyError> {
    with_budget(|b| convert::to_value(v, b))
}

/// Deep-copy several values as one copy (arguments of a spawn or call).
///
/// Errors: as [`copy`].
pub fn copy_all<'v>(vs: impl IntoIterator<Item = &'v LuaValue>) -> Result<Vec<Value>, CopyError> {
    with_budget(|b| convert::to_values(vs, b))
}

/// A scalar (nil, boolean, number, or a string of `extra` bytes) already copied, charged
/// to a budget as [`copy`] charges it.
///
/// Errors: the value does not fit `max_message`; the process was killed.
pub fn copy_scalar(v: Value, extra: u64) -> Result<Value, CopyError> {
    with_budget(|b| {
        b.value(extra)?;
        Ok(v)
    })
}

/// A message payload: no value is nil, one value is itself, several are an array.
///
/// Errors: as [`copy`].
pub fn copy_payload(payload: &MultiValue) -> Result<Value, CopyError> {
    match payload.len() {
        0 => Ok(Value::Nil),
        1 => copy(&payload[0]),
        _ => Ok(Value::Array(copy_all(payload.iter())?)),
    }
}

/// `nil, err` for a refused copy (the `value, err` convention of SPEC §5); the error keeps
/// the copy's kind (`INVALID`, naming the rule).
///
/// Errors: Lua memory errors.
pub fn refused(lua: &mlua::Lua, e: CopyError) -> mlua::Result<MultiValue> {
    let e = ProcessError::from(e);
    crate::modules::errors::nil_error(lua, e.kind, e.message)
}
