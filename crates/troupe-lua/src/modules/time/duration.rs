//! Go durations for the `time` module (WIPPY-API.md §6): a duration is a signed count of
//! **nanoseconds** (`i64`, as Go's `time.Duration`). This file owns the argument rule (a
//! number of nanoseconds, a Go duration string, or a Duration object), Go's
//! `ParseDuration` grammar, Go's `Duration.String()` form and the Lua Duration object.
//!
//! Other modules (`funcs`, `process` options, `troupe.yaml`) keep Troupe's millisecond
//! rule in [`crate::duration`]; only `time` reads numbers as nanoseconds.

use std::fmt;

use mlua::{MetaMethod, UserData, UserDataMethods, Value as LuaValue};

/// Nanoseconds per unit (Go's `time.Nanosecond` … `time.Hour`).
pub const NANOSECOND: i64 = 1;
pub const MICROSECOND: i64 = 1_000;
pub const MILLISECOND: i64 = 1_000_000;
pub const SECOND: i64 = 1_000_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// Why a value is not a duration. The texts of the string cases are Go's own
/// (`time: invalid duration "x"`).
#[derive(Debug, Clone, PartialEq)]
pub enum DurationError {
    /// A string outside Go's grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or out of range.
    Invalid(String),
    /// A number without a unit (`"10"`).
    MissingUnit(String),
    /// A unit other than `ns us µs μs ms s m h`.
    UnknownUnit { unit: String, text: String },
    /// NaN or ±infinity.
    NotFinite(f64),
    /// A number of nanoseconds outside the `i64` range (±292 years).
    OutOfRange(f64),
    /// Not a number, string or Duration; the Lua type name.
    WrongType(&'static str),
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Invalid(s) => write!(f, "time: invalid duration {}", quote(s)),
            DurationError::MissingUnit(s) => {
                write!(f, "time: missing unit in duration {}", quote(s))
            }
            DurationError::UnknownUnit { unit, text } => write!(
                f,
                "time: unknown unit {} in duration {}",
                quote(unit),
                quote(text)
            ),
            DurationError::NotFinite(n) => write!(
                f,
                "invalid duration {n}: expected nanoseconds (a finite number), a string like \"300ms\" or a Duration"
            ),
            DurationError::OutOfRange(n) => write!(
                f,
                "invalid duration {n:e} ns: outside the range of a duration (about ±292 years)"
            ),
            DurationError::WrongType(t) => write!(
                f,
                "invalid duration: found a {t}; expected nanoseconds (a number), a string like \"300ms\" or a Duration"
            ),
        }
    }
}

impl std::error::Error for DurationError {}

/// `s` in double quotes as Go's `strconv.Quote` would print it for ASCII text (control
/// bytes and non-UTF-8 escaped), shortened past 200 bytes so an error stays readable.
pub fn quote(s: &str) -> String {
    const MAX: usize = 200;
    let mut out = String::with_capacity(s.len().min(MAX) + 2);
    out.push('"');
    for (i, c) in s.char_indices() {
        if i >= MAX {
            out.push_str("...");
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`: a possibly signed sequence of decimal numbers, each with an
/// optional fraction and a unit (`"300ms"`, `"-1.5h"`, `"2h45m"`); `"0"` alone needs no
/// unit. Linear in the input; overflow past ±2^63 ns is an error, as in Go.
pub fn parse(orig: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid(orig.to_string());
    let mut s = orig.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // [0-9]*
        let before = s.len();
        let (v, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let pre = before != s.len();
        // (\.[0-9]*)?
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let before = s.len();
            let (ff, sc, rest) = leading_fraction(s);
            (f, scale) = (ff, sc);
            s = rest;
            post = before != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        // The unit: up to the next digit or '.'.
        let i = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(DurationError::MissingUnit(orig.to_string()));
        }
        let unit_bytes = &s[..i];
        s = &s[i..];
        let unit: u64 = match unit_bytes {
            b"ns" => 1,
            // "µs" (U+00B5) and "μs" (U+03BC).
            b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            other => {
                return Err(DurationError::UnknownUnit {
                    unit: String::from_utf8_lossy(other).into_owned(),
                    text: orig.to_string(),
                });
            }
        };
        if v > (1u64 << 63) / unit {
            return Err(invalid());
        }
        let mut v = v * unit;
        if f > 0 {
            // float64 keeps nanosecond accuracy for fractions of the largest unit (h).
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1u64 << 63 {
                return Err(invalid());
            }
        }
        d = d.checked_add(v).ok_or_else(invalid)?;
        if d > 1u64 << 63 {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > i64::MAX as u64 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// Go's `leadingInt`: the leading `[0-9]*` of `s`; `None` past 2^63.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1u64 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > 1u64 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// Go's `leadingFraction`: digits after the point; stops gaining precision on overflow.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let (mut x, mut scale, mut overflow) = (0u64, 1f64, false);
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        let c = s[i];
        i += 1;
        if overflow {
            continue;
        }
        if x > (i64::MAX as u64) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > 1u64 << 63 {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, &s[i..])
}

/// Go's `Duration.String()`: `"1h30m0s"`, `"1.5s"`, `"300ms"`, `"1µs"`, `"0s"`.
pub fn format(d: i64) -> String {
    let mut buf = [0u8; 32];
    let mut w = buf.len();
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    if u < SECOND as u64 {
        let prec;
        w -= 1;
        buf[w] = b's';
        w -= 1;
        if u == 0 {
            return "0s".to_string();
        } else if u < MICROSECOND as u64 {
            prec = 0;
            buf[w] = b'n';
        } else if u < MILLISECOND as u64 {
            prec = 3;
            // 'µ' is two bytes.
            w -= 1;
            buf[w..w + 2].copy_from_slice("µ".as_bytes());
        } else {
            prec = 6;
            buf[w] = b'm';
        }
        (w, u) = fmt_frac(&mut buf, w, u, prec);
        w = fmt_int(&mut buf, w, u);
    } else {
        w -= 1;
        buf[w] = b's';
        (w, u) = fmt_frac(&mut buf, w, u, 9);
        w = fmt_int(&mut buf, w, u % 60);
        u /= 60;
        if u > 0 {
            w -= 1;
            buf[w] = b'm';
            w = fmt_int(&mut buf, w, u % 60);
            u /= 60;
            if u > 0 {
                w -= 1;
                buf[w] = b'h';
                w = fmt_int(&mut buf, w, u);
            }
        }
    }
    if neg {
        w -= 1;
        buf[w] = b'-';
    }
    String::from_utf8_lossy(&buf[w..]).into_owned()
}

/// The fraction of `v / 10^prec` without trailing zeros (and without the point when it is
/// 0), written before `w`; returns the new start and `v / 10^prec`.
fn fmt_frac(buf: &mut [u8; 32], mut w: usize, mut v: u64, prec: usize) -> (usize, u64) {
    let mut print = false;
    for _ in 0..prec {
        let digit = v % 10;
        print = print || digit != 0;
        if print {
            w -= 1;
            buf[w] = digit as u8 + b'0';
        }
        v /= 10;
    }
    if print {
        w -= 1;
        buf[w] = b'.';
    }
    (w, v)
}

/// `v` in decimal, written before `w`; returns the new start.
fn fmt_int(buf: &mut [u8; 32], mut w: usize, mut v: u64) -> usize {
    if v == 0 {
        w -= 1;
        buf[w] = b'0';
        return w;
    }
    while v > 0 {
        w -= 1;
        buf[w] = (v % 10) as u8 + b'0';
        v /= 10;
    }
    w
}

/// A number of nanoseconds from Lua: integers as they are, floats truncated toward zero.
///
/// Errors: NaN/∞ ([`DurationError::NotFinite`]), outside `i64` ([`DurationError::OutOfRange`]).
pub fn from_number(n: f64) -> Result<i64, DurationError> {
    if !n.is_finite() {
        return Err(DurationError::NotFinite(n));
    }
    let t = n.trunc();
    // 2^63 is exactly representable; anything at or past it does not fit.
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        return Err(DurationError::OutOfRange(n));
    }
    Ok(t as i64)
}

/// A duration argument of the `time` module, as Wippy: a number of **nanoseconds**, a Go
/// duration string ([`parse`]) or a Duration object. Errors: [`DurationError`].
pub fn arg(v: &LuaValue) -> Result<i64, DurationError> {
    match v {
        LuaValue::Integer(i) => Ok(*i),
        LuaValue::Number(n) => from_number(*n),
        LuaValue::String(s) => parse(&s.to_string_lossy()),
        LuaValue::UserData(ud) => match ud.borrow::<LuaDuration>() {
            Ok(d) => Ok(d.0),
            Err(_) => Err(DurationError::WrongType("userdata")),
        },
        other => Err(DurationError::WrongType(other.type_name())),
    }
}

/// The Duration object (`time.parse_duration`, `t:sub(u)`): signed nanoseconds.
/// Methods as Wippy: `nanoseconds() microseconds() milliseconds()` (integers, truncated),
/// `seconds() minutes() hours()` (floats); `tostring(d)` is Go's `String()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LuaDuration(pub i64);

impl UserData for LuaDuration {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("nanoseconds", |_, d, ()| Ok(d.0));
        m.add_method("microseconds", |_, d, ()| Ok(d.0 / MICROSECOND));
        m.add_method("milliseconds", |_, d, ()| Ok(d.0 / MILLISECOND));
        m.add_method("seconds", |_, d, ()| Ok(split(d.0, SECOND)));
        m.add_method("minutes", |_, d, ()| Ok(split(d.0, MINUTE)));
        m.add_method("hours", |_, d, ()| Ok(split(d.0, HOUR)));
        m.add_meta_method(MetaMethod::ToString, |_, d, ()| Ok(format(d.0)));
    }
}

/// Go's float conversion of a duration in `unit`s: whole part plus the remainder's
/// fraction (exact for the whole part).
fn split(d: i64, unit: i64) -> f64 {
    (d / unit) as f64 + (d % unit) as f64 / unit as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_duration_cases() {
        for (s, want) in [
            ("0", 0),
            ("5s", 5 * SECOND),
            ("30s", 30 * SECOND),
            ("1478s", 1478 * SECOND),
            ("-5s", -5 * SECOND),
            ("+5s", 5 * SECOND),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * SECOND),
            ("5.6s", 5 * SECOND + 600 * MILLISECOND),
            ("5.s", 5 * SECOND),
            (".5s", 500 * MILLISECOND),
            ("1.0s", SECOND),
            ("1.00s", SECOND),
            ("1.004s", SECOND + 4 * MILLISECOND),
            ("100.00100s", 100 * SECOND + MILLISECOND),
            ("10ns", 10),
            ("11us", 11 * MICROSECOND),
            ("12µs", 12 * MICROSECOND),
            ("12μs", 12 * MICROSECOND),
            ("13ms", 13 * MILLISECOND),
            ("14s", 14 * SECOND),
            ("15m", 15 * MINUTE),
            ("16h", 16 * HOUR),
            ("3h30m", 3 * HOUR + 30 * MINUTE),
            ("10.5s4m", 4 * MINUTE + 10 * SECOND + 500 * MILLISECOND),
            ("-2m3.4s", -(2 * MINUTE + 3 * SECOND + 400 * MILLISECOND)),
            (
                "1h2m3s4ms5us6ns",
                HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6,
            ),
            (
                "39h9m14.425s",
                39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND,
            ),
            ("52763797000ns", 52763797000),
            ("0.3333333333333333333h", 20 * MINUTE),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("0.100000000000000000000h", 6 * MINUTE),
            (
                "0.830103483285477580700h",
                49 * MINUTE + 48 * SECOND + 372539827,
            ),
        ] {
            assert_eq!(parse(s), Ok(want), "{s}");
        }
        for s in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{85}\u{85}",
            "9223372036854775810ns",
            "9223372036854775808ns",
            "-9223372036854775809ns",
            "3000000h",
        ] {
            assert!(parse(s).is_err(), "{s:?} should fail");
        }
        assert_eq!(
            parse("1d").unwrap_err().to_string(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse("3").unwrap_err().to_string(),
            "time: missing unit in duration \"3\""
        );
        assert_eq!(
            parse("x").unwrap_err().to_string(),
            "time: invalid duration \"x\""
        );
    }

    #[test]
    fn go_string_cases() {
        for (d, want) in [
            (0, "0s"),
            (1, "1ns"),
            (1100, "1.1µs"),
            (2200 * MICROSECOND, "2.2ms"),
            (3300 * MILLISECOND, "3.3s"),
            (4 * MINUTE + 5 * SECOND, "4m5s"),
            (4 * MINUTE + 5001 * MILLISECOND, "4m5.001s"),
            (5 * HOUR + 6 * MINUTE + 7001 * MILLISECOND, "5h6m7.001s"),
            (8 * MINUTE + 1, "8m0.000000001s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
            (90 * MINUTE, "1h30m0s"),
            (-SECOND, "-1s"),
        ] {
            assert_eq!(format(d), want);
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(from_number(1.9), Ok(1));
        assert_eq!(from_number(-1.9), Ok(-1));
        assert!(from_number(f64::NAN).is_err());
        assert!(from_number(1e19).is_err());
        assert!(from_number(-1e19).is_err());
    }
}
