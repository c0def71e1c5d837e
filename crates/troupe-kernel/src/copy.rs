//! The rules every deep copy into a [`Value`] obeys (SPEC §3.2): a copy is faithful or
//! refused, never truncated. A cycle, nesting deeper than [`MAX_DEPTH`] levels, or a copy
//! larger than `limits.max_message` bytes ([`DEFAULT_MAX_MESSAGE`] by default) is a
//! [`CopyError`], which becomes an `INVALID` error naming the rule.
//!
//! The size is counted *as the copy is built* by a [`Budget`], so a shared sub-table
//! repeated 2^40 times is refused after `max_message` bytes of work, not 2^40 steps. Every
//! builder of a [`Value`] from user data — the Lua copy (`troupe-lua` `convert.rs`),
//! `json.decode`, the MessagePack decoder of wasm payloads (`troupe-wasm` `codec.rs`) and
//! the lifting of WIT results — charges the same cost model, [`footprint`]:
//!
//! | part | bytes |
//! |---|---|
//! | every value (a slot: scalar, string, table, error) | [`VALUE_BYTES`] (the size of `Value`) |
//! | a string | + its length |
//! | an error object | + [`ERROR_BYTES`] + the message length |
//! | a table | its entries: each key and each value is a value (an array has values only) |
//!
//! which is the heap the `Value` holds (less allocator slack), so `max_message` bounds the
//! memory a copy can take.

use std::fmt;

use crate::error::{ErrorKind, ProcessError};
use crate::value::Value;

/// Default `limits.max_message`: 64 MiB (SPEC §3.6).
pub const DEFAULT_MAX_MESSAGE: u64 = 64 << 20;

/// Deepest table nesting a copy accepts (SPEC §3.2): a table is level 1, a table inside it
/// level 2, …; level 513 is refused.
pub const MAX_DEPTH: usize = 512;

/// Bytes charged for each value of a copy: `size_of::<Value>()`.
pub const VALUE_BYTES: u64 = std::mem::size_of::<Value>() as u64;

/// Bytes charged for an error object besides its message: `size_of::<ProcessError>()`.
pub const ERROR_BYTES: u64 = std::mem::size_of::<ProcessError>() as u64;

/// Why a copy was refused. Converts into an `INVALID` [`ProcessError`] (or the error of a
/// stop check, see [`CopyError::Failed`]).
#[derive(Debug, Clone, PartialEq)]
pub enum CopyError {
    /// A table contains itself (directly or through its descendants).
    Cycle,
    /// Tables nest deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The copy grew past `max_message` bytes (the limit is in the error).
    TooLarge { max_bytes: u64 },
    /// The copy failed for another reason: its stop check fired (the process was
    /// killed), or the source could not be read. Carries that error (boxed: a copy's
    /// `Result` is on the stack once per nesting level).
    Failed(Box<ProcessError>),
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyError::Cycle => write!(
                f,
                "cannot copy a value that contains a cycle (a table that contains itself); \
                 cyclic tables are refused (SPEC §3.2)"
            ),
            CopyError::TooDeep => write!(
                f,
                "cannot copy a value nested deeper than {MAX_DEPTH} levels (SPEC §3.2)"
            ),
            CopyError::TooLarge { max_bytes } => write!(
                f,
                "cannot copy a value larger than max_message ({max_bytes} bytes, SPEC §3.2)"
            ),
            CopyError::Failed(e) => write!(f, "{}", e.message),
        }
    }
}

impl std::error::Error for CopyError {}

impl From<CopyError> for ProcessError {
    fn from(e: CopyError) -> ProcessError {
        match e {
            CopyError::Failed(p) => *p,
            other => ProcessError::new(ErrorKind::Invalid, other.to_string()),
        }
    }
}

/// How often (in values) a [`Budget`] runs its stop check.
pub const CHECK_EVERY: u32 = 4096;

/// The byte budget of one copy, plus an optional stop check run every [`CHECK_EVERY`]
/// values (the Lua copy passes the process's kill flag).
pub struct Budget<'a> {
    max_bytes: u64,
    used: u64,
    ticks: u32,
    stop: Option<&'a dyn Fn() -> Option<ProcessError>>,
}

impl<'a> Budget<'a> {
    /// A budget of `max_bytes` bytes (see the cost model in the module doc).
    pub fn new(max_bytes: u64) -> Budget<'a> {
        Budget {
            max_bytes,
            used: 0,
            ticks: 0,
            stop: None,
        }
    }

    /// Also run `stop` as the copy goes; `Some(err)` ends it with [`CopyError::Failed`].
    pub fn with_stop(mut self, stop: &'a dyn Fn() -> Option<ProcessError>) -> Budget<'a> {
        self.stop = Some(stop);
        self
    }

    /// Bytes charged so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The limit.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Charge `bytes` beyond one value's [`VALUE_BYTES`] (a string's length, …).
    ///
    /// Errors: [`CopyError::TooLarge`] past the limit.
    #[inline]
    pub fn charge(&mut self, bytes: u64) -> Result<(), CopyError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.max_bytes {
            return Err(CopyError::TooLarge {
                max_bytes: self.max_bytes,
            });
        }
        Ok(())
    }

    /// Charge one value plus `extra` bytes, and run the stop check every
    /// [`CHECK_EVERY`] values.
    ///
    /// Errors: [`CopyError::TooLarge`], or [`CopyError::Failed`].
    #[inline]
    pub fn value(&mut self, extra: u64) -> Result<(), CopyError> {
        self.charge(VALUE_BYTES.saturating_add(extra))?;
        self.ticks += 1;
        if self.ticks >= CHECK_EVERY {
            self.ticks = 0;
            if let Some(e) = self.stop.and_then(|f| f()) {
                return Err(CopyError::Failed(Box::new(e)));
            }
        }
        Ok(())
    }

    /// Check a container about to be entered at `depth` (1 = the outermost table).
    ///
    /// Errors: [`CopyError::TooDeep`] past [`MAX_DEPTH`].
    #[inline]
    pub fn enter(&self, depth: usize) -> Result<(), CopyError> {
        if depth > MAX_DEPTH {
            Err(CopyError::TooDeep)
        } else {
            Ok(())
        }
    }
}

/// The bytes a value is charged by the cost model of the module doc (iterative: safe for
/// any depth).
pub fn footprint(v: &Value) -> u64 {
    footprint_upto(v, u64::MAX)
}

/// Whether `v`'s [`footprint`] is at most `max_bytes`; stops as soon as it is not, so the
/// cost is bounded by `max_bytes` whatever the value's size (scalars allocate nothing).
pub fn within(v: &Value, max_bytes: u64) -> bool {
    match v {
        Value::Array(_) | Value::Map(_) => footprint_upto(v, max_bytes) <= max_bytes,
        Value::Str(s) => VALUE_BYTES.saturating_add(s.len() as u64) <= max_bytes,
        Value::Error(e) if e.details.is_some() => footprint_upto(v, max_bytes) <= max_bytes,
        Value::Error(e) => {
            (VALUE_BYTES + ERROR_BYTES).saturating_add(e.message.len() as u64) <= max_bytes
        }
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => VALUE_BYTES <= max_bytes,
    }
}

/// Whether the [`footprint`]s of `vs` add up to at most `max_bytes` (bounded as [`within`]).
pub fn all_within(vs: &[Value], max_bytes: u64) -> bool {
    let mut left = max_bytes;
    for v in vs {
        let f = footprint_upto(v, left);
        if f > left {
            return false;
        }
        left -= f;
    }
    true
}

/// [`footprint`], stopping once the total passes `cap` (the result is then > `cap`).
fn footprint_upto(v: &Value, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(VALUE_BYTES);
        match v {
            Value::Str(s) => total = total.saturating_add(s.len() as u64),
            Value::Error(e) => {
                total = total.saturating_add(ERROR_BYTES + e.message.len() as u64);
                stack.extend(e.details.as_deref());
            }
            Value::Array(a) => stack.extend(a.iter()),
            Value::Map(m) => {
                for (k, x) in m {
                    stack.push(k);
                    stack.push(x);
                }
            }
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
        if total > cap {
            break;
        }
    }
    total
}

/// The table nesting depth of a value (0 for a scalar, 1 for a flat table; iterative).
pub fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(a) => {
                max = max.max(d + 1);
                stack.extend(a.iter().map(|x| (x, d + 1)));
            }
            Value::Map(m) => {
                max = max.max(d + 1);
                for (k, x) in m {
                    stack.push((k, d + 1));
                    stack.push((x, d + 1));
                }
            }
            Value::Error(e) => stack.extend(e.details.as_deref().map(|x| (x, d))),
            _ => {}
        }
    }
    max
}

/// Drop a value without recursion (its containers are emptied one level at a time): for
/// threads with a small stack, such as the wasm fibers host calls run on.
pub fn dispose(v: Value) {
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Array(a) => todo.extend(a),
            Value::Map(m) => {
                for (k, x) in m {
                    todo.push(k);
                    todo.push(x);
                }
            }
            Value::Error(mut e) => todo.extend(e.details.take().map(|d| *d)),
            _ => {}
        }
    }
}

/// Check a value built elsewhere (for example lifted from a wasm guest) against the same
/// rules: at most [`MAX_DEPTH`] levels and `max_bytes` bytes.
///
/// Errors: [`CopyError::TooDeep`] or [`CopyError::TooLarge`].
pub fn check(v: &Value, max_bytes: u64) -> Result<(), CopyError> {
    if depth(v) > MAX_DEPTH {
        return Err(CopyError::TooDeep);
    }
    if footprint(v) > max_bytes {
        return Err(CopyError::TooLarge { max_bytes });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..levels {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn all_within_adds_up() {
        let v = nested(3);
        let f = footprint(&v);
        let vs = [v.clone(), v];
        assert!(all_within(&vs, 2 * f));
        assert!(!all_within(&vs, 2 * f - 1));
        assert!(all_within(&[], 0));
    }

    #[test]
    fn within_agrees_with_footprint() {
        let vals = [
            Value::Int(1),
            Value::str("hello"),
            nested(3),
            Value::Map(vec![
                (Value::str("k"), nested(5)),
                (Value::Nil, Value::str("x")),
            ]),
        ];
        for v in &vals {
            let f = footprint(v);
            assert!(within(v, f), "{v:?}");
            assert!(!within(v, f - 1), "{v:?}");
        }
    }

    #[test]
    fn budget_refuses_past_the_limit_and_names_it() {
        let mut b = Budget::new(100);
        b.value(0).unwrap();
        b.value(60).unwrap_err();
        let e: ProcessError = b.value(0).unwrap_err().into();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("max_message (100 bytes"), "{e:?}");
    }

    #[test]
    fn the_stop_check_runs_as_the_copy_goes() {
        let stop = || Some(ProcessError::terminated());
        let mut b = Budget::new(u64::MAX).with_stop(&stop);
        let mut n = 0;
        let err = loop {
            n += 1;
            if let Err(e) = b.value(0) {
                break e;
            }
        };
        assert_eq!(n, CHECK_EVERY);
        assert_eq!(err, CopyError::Failed(Box::new(ProcessError::terminated())));
    }

    #[test]
    fn depth_and_footprint_follow_the_cost_model() {
        assert_eq!(depth(&nested(MAX_DEPTH)), MAX_DEPTH);
        assert!(check(&nested(MAX_DEPTH), u64::MAX).is_ok());
        assert_eq!(
            check(&nested(MAX_DEPTH + 1), u64::MAX),
            Err(CopyError::TooDeep)
        );
        let v = Value::Map(vec![(Value::str("ab"), Value::Int(1))]);
        assert_eq!(footprint(&v), 3 * VALUE_BYTES + 2);
        assert_eq!(
            check(&v, 3 * VALUE_BYTES + 1),
            Err(CopyError::TooLarge {
                max_bytes: 3 * VALUE_BYTES + 1
            })
        );
    }

    /// Dropping, cloning, comparing and printing the deepest value a copy can build (one
    /// more level than [`MAX_DEPTH`]: the array of several message values) takes a small part
    /// of a worker's stack: here it runs on a quarter of [`crate::host::WORKER_STACK`], in a
    /// debug build (measured: ≤ 2 KiB per level in debug, ≤ 0.5 KiB in release, for
    /// `to_json`, the deepest).
    #[test]
    fn a_deep_value_is_safe_on_a_small_stack() {
        let r = std::thread::Builder::new()
            .stack_size(crate::host::WORKER_STACK / 4)
            .spawn(|| {
                let v = nested(MAX_DEPTH + 1);
                let c = v.clone();
                assert!(c == v);
                let s = v.display();
                assert!(s.starts_with("[[[[") && s.contains('1'));
                let j = serde_json::to_string(&v.to_json()).unwrap_or_default();
                assert_eq!(j.len(), 2 * (MAX_DEPTH + 1) + 1);
                assert!(!format!("{v:?}").is_empty());
                drop(c);
                drop(v);
            })
            .and_then(|h| h.join().map_err(|_| std::io::Error::other("panicked")));
        assert!(
            r.is_ok(),
            "a deep value overflowed a quarter of a worker stack: {r:?}"
        );
    }
}
