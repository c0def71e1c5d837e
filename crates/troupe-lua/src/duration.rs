//! Durations and sizes from user code, validated in one place (SPEC §3.6 "Bad input"): every
//! Lua function outside the `time` module that takes a duration (`funcs`
//! `with_options{timeout}`, process options) or a count (`channel.new(size)`) goes
//! through here (`time` reads numbers as nanoseconds: `modules/time/duration.rs`), so NaN, infinities, negative and absurdly large values are a clear error
//! instead of a Rust panic (`Duration::from_secs_f64(1e300)`) or an `Instant` overflow.
//!
//! Units are Troupe's today: a bare number is **milliseconds**; strings use humantime syntax
//! (`"250ms"`, `"5s"`, `"1m"`); a `time` Duration object is taken as is (negative ones are
//! refused).

use std::fmt;
use std::time::Duration;

use mlua::Value as LuaValue;

use crate::modules::time::LuaDuration;

/// Longest duration accepted (365 days): longer is a bug or an attack, and anything past it
/// would risk overflowing `Instant` arithmetic in timers.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Largest buffer a `channel.new(size)` may ask for (2^31 - 1 slots).
pub const MAX_CHANNEL_SIZE: i64 = i32::MAX as i64;

/// Why a value is not a valid duration or size.
#[derive(Debug, Clone, PartialEq)]
pub enum InvalidArgument {
    /// NaN or ±infinity.
    NotFinite(f64),
    /// Below zero (milliseconds as written).
    Negative(f64),
    /// Above [`MAX_DURATION`]; the text is the value as written.
    TooLong(String),
    /// A string humantime cannot parse.
    Unparsable { text: String, error: String },
    /// Not a number, string or Duration; the Lua type name.
    WrongType(&'static str),
    /// A size that is not a whole number in `0..=max`.
    BadSize { value: String, max: i64 },
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const EXPECTED: &str =
            "expected milliseconds (a number) or a string like \"250ms\", \"5s\", \"1m\"";
        match self {
            InvalidArgument::NotFinite(n) => {
                write!(
                    f,
                    "invalid duration {}: not a finite number; {EXPECTED}",
                    number(*n)
                )
            }
            InvalidArgument::Negative(n) => write!(
                f,
                "invalid duration {}: a duration cannot be negative",
                number(*n)
            ),
            InvalidArgument::TooLong(text) => write!(
                f,
                "invalid duration {text}: longer than the maximum of 365 days"
            ),
            InvalidArgument::Unparsable { text, error } => {
                write!(f, "invalid duration {text:?}: {error}; {EXPECTED}")
            }
            InvalidArgument::WrongType(t) => {
                write!(f, "invalid duration: found a {t}; {EXPECTED}")
            }
            InvalidArgument::BadSize { value, max } => write!(
                f,
                "invalid size {value}: expected a whole number from 0 to {max}"
            ),
        }
    }
}

impl std::error::Error for InvalidArgument {}

impl From<InvalidArgument> for mlua::Error {
    fn from(e: InvalidArgument) -> Self {
        mlua::Error::runtime(e.to_string())
    }
}

/// A Lua number as a person would write it: `-1`, `1.5`, `1e300`, `inf`, `NaN`.
fn number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:?}")
    }
}

/// A number of milliseconds as a [`Duration`].
///
/// Errors: NaN/∞ ([`InvalidArgument::NotFinite`]), `< 0` ([`InvalidArgument::Negative`]),
/// longer than [`MAX_DURATION`] ([`InvalidArgument::TooLong`]).
pub fn from_millis(ms: f64) -> Result<Duration, InvalidArgument> {
    if !ms.is_finite() {
        return Err(InvalidArgument::NotFinite(ms));
    }
    if ms < 0.0 {
        return Err(InvalidArgument::Negative(ms));
    }
    // Compare before converting: `from_secs_f64` panics past u64 seconds.
    if ms / 1000.0 > MAX_DURATION.as_secs_f64() {
        return Err(InvalidArgument::TooLong(format!("{} ms", number(ms))));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// A duration argument from Lua: milliseconds (integer or float), a humantime string, or a
/// `time` Duration object. Errors: see [`InvalidArgument`].
pub fn from_lua(v: &LuaValue) -> Result<Duration, InvalidArgument> {
    let d = match v {
        LuaValue::Integer(i) => return from_millis(*i as f64),
        LuaValue::Number(n) => return from_millis(*n),
        LuaValue::String(s) => {
            let text = s.to_string_lossy();
            humantime::parse_duration(text.trim()).map_err(|e| InvalidArgument::Unparsable {
                text: text.to_string(),
                error: e.to_string(),
            })?
        }
        LuaValue::UserData(ud) => match ud.borrow::<LuaDuration>() {
            // A `time` Duration is signed nanoseconds.
            Ok(d) if d.0 < 0 => return Err(InvalidArgument::Negative(d.0 as f64 / 1e6)),
            Ok(d) => Duration::from_nanos(d.0 as u64),
            Err(_) => return Err(InvalidArgument::WrongType("userdata")),
        },
        other => return Err(InvalidArgument::WrongType(other.type_name())),
    };
    if d > MAX_DURATION {
        return Err(InvalidArgument::TooLong(format!("{d:?}")));
    }
    Ok(d)
}

/// A count (buffer size) from Lua: a whole number in `0..=max`; `nil` is `default`.
pub fn size(v: &LuaValue, default: usize, max: i64) -> Result<usize, InvalidArgument> {
    let bad = |value: String| InvalidArgument::BadSize { value, max };
    match v {
        LuaValue::Nil => Ok(default),
        LuaValue::Integer(i) if (0..=max).contains(i) => Ok(*i as usize),
        LuaValue::Integer(i) => Err(bad(i.to_string())),
        LuaValue::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= max as f64 => Ok(*n as usize),
        LuaValue::Number(n) => Err(bad(number(*n))),
        other => Err(bad(format!("(a {})", other.type_name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_numbers_are_errors() {
        assert_eq!(from_millis(1500.0), Ok(Duration::from_millis(1500)));
        assert_eq!(from_millis(0.0), Ok(Duration::ZERO));
        assert!(matches!(
            from_millis(f64::NAN),
            Err(InvalidArgument::NotFinite(_))
        ));
        assert!(matches!(
            from_millis(f64::INFINITY),
            Err(InvalidArgument::NotFinite(_))
        ));
        assert!(matches!(
            from_millis(-1.0),
            Err(InvalidArgument::Negative(_))
        ));
        assert_eq!(
            from_millis(1e300).unwrap_err().to_string(),
            "invalid duration 1e300 ms: longer than the maximum of 365 days"
        );
        assert!(from_millis(MAX_DURATION.as_millis() as f64).is_ok());
        assert!(from_millis(i64::MAX as f64).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(size(&LuaValue::Nil, 0, 10), Ok(0));
        assert_eq!(size(&LuaValue::Integer(3), 0, 10), Ok(3));
        assert_eq!(size(&LuaValue::Number(3.0), 0, 10), Ok(3));
        assert!(size(&LuaValue::Integer(-1), 0, 10).is_err());
        assert!(size(&LuaValue::Integer(11), 0, 10).is_err());
        assert!(size(&LuaValue::Number(f64::NAN), 0, 10).is_err());
        assert!(size(&LuaValue::Number(1.5), 0, 10).is_err());
        assert!(size(&LuaValue::Boolean(true), 0, 10).is_err());
    }
}
