//! [`Value`]: the process-independent data that crosses process boundaries — message
//! payloads, spawn arguments, results. Lua tables are deep-copied into it on send and
//! rebuilt on receive (SPEC §3.2); channels, functions and userdata have no `Value` form.

use crate::error::ProcessError;

/// The fixed cost of one value node in [`Value::estimated_bytes`].
const NODE_BYTES: u64 = std::mem::size_of::<Value>() as u64;

/// Nesting levels [`Value::estimated_bytes`] walks recursively before it switches to an
/// explicit stack.
const ESTIMATE_RECURSION: usize = 64;

/// A deep-copied value. Sequences `1..n` become [`Value::Array`], other tables
/// [`Value::Map`] (keys in iteration order).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Byte string (Lua strings are not necessarily UTF-8).
    Str(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    /// An error object (`errors.new`), kept with its kind.
    Error(Box<ProcessError>),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into().into_bytes())
    }

    /// The string content, if this is a UTF-8 string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// An estimate of the bytes this value holds, for the `max_mailbox` bound (SPEC
    /// §3.6): a fixed cost per node (`size_of::<Value>()`, so a map entry costs two) plus
    /// the length of every string and error message. Linear in the number of nodes; a
    /// scalar or string costs no walk. Deep values are walked with an explicit stack, so
    /// no nesting depth can overflow the thread's stack.
    pub fn estimated_bytes(&self) -> u64 {
        self.estimate(0)
    }

    /// Recursive walk up to [`ESTIMATE_RECURSION`] levels, then [`Value::estimate_flat`].
    fn estimate(&self, depth: usize) -> u64 {
        match self {
            Value::Array(a) if depth < ESTIMATE_RECURSION => {
                NODE_BYTES + a.iter().map(|v| v.estimate(depth + 1)).sum::<u64>()
            }
            Value::Map(m) if depth < ESTIMATE_RECURSION => {
                NODE_BYTES
                    + m.iter()
                        .map(|(k, v)| k.estimate(depth + 1) + v.estimate(depth + 1))
                        .sum::<u64>()
            }
            Value::Array(_) | Value::Map(_) => self.estimate_flat(),
            Value::Error(e) if e.details.is_some() => self.estimate_flat(),
            other => other.node_bytes(),
        }
    }

    /// [`Value::estimated_bytes`] without recursion.
    fn estimate_flat(&self) -> u64 {
        let mut total = 0u64;
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            total += v.node_bytes();
            match v {
                Value::Array(a) => stack.extend(a.iter()),
                Value::Map(m) => {
                    for (k, v) in m {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                Value::Error(e) => stack.extend(e.details.as_deref()),
                _ => {}
            }
        }
        total
    }

    /// The cost of this node alone (its children not included).
    fn node_bytes(&self) -> u64 {
        match self {
            Value::Str(b) => NODE_BYTES + b.len() as u64,
            Value::Error(e) => {
                NODE_BYTES + std::mem::size_of::<ProcessError>() as u64 + e.message.len() as u64
            }
            _ => NODE_BYTES,
        }
    }

    /// Convert to JSON (non-UTF-8 strings are converted lossily, map keys stringified).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Nil => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(b) => J::String(String::from_utf8_lossy(b).into_owned()),
            Value::Array(a) => J::Array(a.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::Str(b) => String::from_utf8_lossy(b).into_owned(),
                            other => other.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
            Value::Error(e) => J::String(e.to_string()),
        }
    }

    /// Short human-readable rendering for logs and `-x` output.
    pub fn display(&self) -> String {
        match self {
            Value::Nil => "nil".into(),
            Value::Str(b) => String::from_utf8_lossy(b).into_owned(),
            Value::Error(e) => e.to_string(),
            other => other.to_json().to_string(),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Nil,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::str(s.clone()),
            J::Array(a) => Value::Array(a.iter().map(Value::from).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (Value::str(k.clone()), Value::from(v)))
                    .collect(),
            ),
        }
    }
}
