//! Go reference layouts (WIPPY-API.md §6): `t:format(layout)` and `time.parse(layout, s)`
//! with Go's tokenizer (`nextStdChunk`) and Go's rules for both directions, so a layout
//! written for Wippy (reference time `Mon Jan 2 15:04:05 MST 2006`) means the same here.
//!
//! Bounds: a layout or a value longer than [`MAX_LAYOUT`] / [`MAX_VALUE`] bytes is an
//! error; the output of `format` is then at most a few hundred KiB (the longest element is
//! a zone name of at most [`super::location::MAX_ZONE_NAME`] bytes).

use super::duration::quote;
use super::location::Location;
use super::value::{GoTime, days_in, is_leap};

/// Longest layout `format` and `parse` take, in bytes.
pub const MAX_LAYOUT: usize = 1024;
/// Longest value `parse` takes, in bytes.
pub const MAX_VALUE: usize = 4096;

/// Go's layout constants (the names of the Lua module).
pub const LAYOUTS: &[(&str, &str)] = &[
    ("RFC3339", "2006-01-02T15:04:05Z07:00"),
    ("RFC3339NANO", "2006-01-02T15:04:05.999999999Z07:00"),
    ("RFC822", "02 Jan 06 15:04 MST"),
    ("RFC822Z", "02 Jan 06 15:04 -0700"),
    ("RFC850", "Monday, 02-Jan-06 15:04:05 MST"),
    ("RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"),
    ("RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"),
    ("KITCHEN", "3:04PM"),
    ("STAMP", "Jan _2 15:04:05"),
    ("STAMP_MILLI", "Jan _2 15:04:05.000"),
    ("STAMP_MICRO", "Jan _2 15:04:05.000000"),
    ("STAMP_NANO", "Jan _2 15:04:05.000000000"),
    ("DATE_TIME", "2006-01-02 15:04:05"),
    ("DATE_ONLY", "2006-01-02"),
    ("TIME_ONLY", "15:04:05"),
];

/// Go's `Time.String()` layout.
pub const STRING_LAYOUT: &str = "2006-01-02 15:04:05.999999999 -0700 MST";

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Why a layout could not be used or a value did not match it.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutError {
    /// The layout is longer than [`MAX_LAYOUT`].
    LayoutTooLong(usize),
    /// The value is longer than [`MAX_VALUE`].
    ValueTooLong(usize),
    /// Go's `ParseError`, with Go's text.
    Parse(String),
    /// The parsed date is outside the range of a Time.
    OutOfRange,
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::LayoutTooLong(n) => write!(
                f,
                "time layout of {n} bytes: longer than the maximum of {MAX_LAYOUT}"
            ),
            LayoutError::ValueTooLong(n) => write!(
                f,
                "time value of {n} bytes: longer than the maximum of {MAX_VALUE}"
            ),
            LayoutError::Parse(m) => f.write_str(m),
            LayoutError::OutOfRange => write!(f, "{}", super::value::OutOfRange),
        }
    }
}

impl std::error::Error for LayoutError {}

/// One element of a layout (Go's `std*` constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Iso8601TZ,
    Iso8601SecondsTZ,
    Iso8601ShortTZ,
    Iso8601ColonTZ,
    Iso8601ColonSecondsTZ,
    NumTZ,
    NumSecondsTz,
    NumShortTZ,
    NumColonTZ,
    NumColonSecondsTZ,
    /// `.000` / `,000`: exactly `digits` digits; the separator.
    Frac0 {
        digits: usize,
        sep: u8,
    },
    /// `.999` / `,999`: up to `digits` digits, trailing zeros dropped.
    Frac9 {
        digits: usize,
        sep: u8,
    },
}

impl Std {
    fn is_iso(self) -> bool {
        matches!(
            self,
            Std::Iso8601TZ
                | Std::Iso8601SecondsTZ
                | Std::Iso8601ShortTZ
                | Std::Iso8601ColonTZ
                | Std::Iso8601ColonSecondsTZ
        )
    }
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

fn digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|c| c.is_ascii_digit())
}

/// Go's `nextStdChunk`: the literal prefix, the next element and the rest of the layout
/// (`None` when no element is left).
fn next_chunk(l: &[u8]) -> (&[u8], Option<(Std, &[u8])>) {
    let has = |i: usize, s: &str| l.len() >= i + s.len() && &l[i..i + s.len()] == s.as_bytes();
    for i in 0..l.len() {
        let hit = |std: Std, n: usize| (&l[..i], Some((std, &l[i + n..])));
        match l[i] {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    return hit(Std::LongMonth, 7);
                }
                if !starts_lower(&l[i + 3..]) {
                    return hit(Std::Month, 3);
                }
            }
            b'M' if l.len() >= i + 3 => {
                if has(i, "Mon") {
                    if has(i, "Monday") {
                        return hit(Std::LongWeekDay, 6);
                    }
                    if !starts_lower(&l[i + 3..]) {
                        return hit(Std::WeekDay, 3);
                    }
                }
                if has(i, "MST") {
                    return hit(Std::TZ, 3);
                }
            }
            b'0' => {
                if let Some(&c) = l.get(i + 1)
                    && (b'1'..=b'6').contains(&c)
                {
                    let std = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ][usize::from(c - b'1')];
                    return hit(std, 2);
                }
                if has(i, "002") {
                    return hit(Std::ZeroYearDay, 3);
                }
            }
            b'1' => {
                if has(i, "15") {
                    return hit(Std::Hour, 2);
                }
                return hit(Std::NumMonth, 1);
            }
            b'2' => {
                if has(i, "2006") {
                    return hit(Std::LongYear, 4);
                }
                return hit(Std::Day, 1);
            }
            b'_' => {
                if l.get(i + 1) == Some(&b'2') {
                    // `_2006` is a literal `_` and a long year.
                    if has(i + 1, "2006") {
                        return (&l[..i + 1], Some((Std::LongYear, &l[i + 5..])));
                    }
                    return hit(Std::UnderDay, 2);
                }
                if has(i, "__2") {
                    return hit(Std::UnderYearDay, 3);
                }
            }
            b'3' => return hit(Std::Hour12, 1),
            b'4' => return hit(Std::Minute, 1),
            b'5' => return hit(Std::Second, 1),
            b'P' if l.get(i + 1) == Some(&b'M') => return hit(Std::PM, 2),
            b'p' if l.get(i + 1) == Some(&b'm') => return hit(Std::Pm, 2),
            b'-' => {
                if has(i, "-070000") {
                    return hit(Std::NumSecondsTz, 7);
                }
                if has(i, "-07:00:00") {
                    return hit(Std::NumColonSecondsTZ, 9);
                }
                if has(i, "-0700") {
                    return hit(Std::NumTZ, 5);
                }
                if has(i, "-07:00") {
                    return hit(Std::NumColonTZ, 6);
                }
                if has(i, "-07") {
                    return hit(Std::NumShortTZ, 3);
                }
            }
            b'Z' => {
                if has(i, "Z070000") {
                    return hit(Std::Iso8601SecondsTZ, 7);
                }
                if has(i, "Z07:00:00") {
                    return hit(Std::Iso8601ColonSecondsTZ, 9);
                }
                if has(i, "Z0700") {
                    return hit(Std::Iso8601TZ, 5);
                }
                if has(i, "Z07:00") {
                    return hit(Std::Iso8601ColonTZ, 6);
                }
                if has(i, "Z07") {
                    return hit(Std::Iso8601ShortTZ, 3);
                }
            }
            sep @ (b'.' | b',') => {
                if let Some(&ch) = l.get(i + 1)
                    && (ch == b'0' || ch == b'9')
                {
                    let mut j = i + 1;
                    while j < l.len() && l[j] == ch {
                        j += 1;
                    }
                    // Only a fractional second if the run of digits ends here.
                    if !digit_at(l, j) {
                        let digits = j - (i + 1);
                        let std = if ch == b'0' {
                            Std::Frac0 { digits, sep }
                        } else {
                            Std::Frac9 { digits, sep }
                        };
                        return (&l[..i], Some((std, &l[j..])));
                    }
                }
            }
            _ => {}
        }
    }
    (l, None)
}

/// Go's `appendInt`: `x` in decimal, zero-padded to `width` digits, `-` first if negative.
fn append_int(b: &mut Vec<u8>, x: i64, width: usize) {
    if x < 0 {
        b.push(b'-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push(b'0');
    }
    b.extend_from_slice(digits.as_bytes());
}

/// Go's `Time.Format(layout)`. Errors: a layout longer than [`MAX_LAYOUT`].
pub fn format(t: &GoTime, layout: &str) -> Result<String, LayoutError> {
    if layout.len() > MAX_LAYOUT {
        return Err(LayoutError::LayoutTooLong(layout.len()));
    }
    let f = t.fields();
    let mut b: Vec<u8> = Vec::with_capacity(layout.len() + 16);
    let mut l = layout.as_bytes();
    loop {
        let (prefix, next) = next_chunk(l);
        b.extend_from_slice(prefix);
        let Some((std, rest)) = next else {
            break;
        };
        l = rest;
        let year = f.year;
        match std {
            Std::Year => append_int(&mut b, year.abs() % 100, 2),
            Std::LongYear => append_int(&mut b, year, 4),
            Std::Month => b.extend_from_slice(&LONG_MONTHS[f.month as usize - 1].as_bytes()[..3]),
            Std::LongMonth => b.extend_from_slice(LONG_MONTHS[f.month as usize - 1].as_bytes()),
            Std::NumMonth => append_int(&mut b, i64::from(f.month), 0),
            Std::ZeroMonth => append_int(&mut b, i64::from(f.month), 2),
            Std::WeekDay => b.extend_from_slice(&LONG_DAYS[f.weekday as usize].as_bytes()[..3]),
            Std::LongWeekDay => b.extend_from_slice(LONG_DAYS[f.weekday as usize].as_bytes()),
            Std::Day => append_int(&mut b, i64::from(f.day), 0),
            Std::UnderDay => {
                if f.day < 10 {
                    b.push(b' ');
                }
                append_int(&mut b, i64::from(f.day), 0)
            }
            Std::ZeroDay => append_int(&mut b, i64::from(f.day), 2),
            Std::UnderYearDay => {
                if f.yday < 100 {
                    b.push(b' ');
                    if f.yday < 10 {
                        b.push(b' ');
                    }
                }
                append_int(&mut b, i64::from(f.yday), 0)
            }
            Std::ZeroYearDay => append_int(&mut b, i64::from(f.yday), 3),
            Std::Hour => append_int(&mut b, i64::from(f.hour), 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let hr = match f.hour % 12 {
                    0 => 12,
                    h => h,
                };
                let w = if std == Std::Hour12 { 0 } else { 2 };
                append_int(&mut b, i64::from(hr), w)
            }
            Std::Minute => append_int(&mut b, i64::from(f.minute), 0),
            Std::ZeroMinute => append_int(&mut b, i64::from(f.minute), 2),
            Std::Second => append_int(&mut b, i64::from(f.second), 0),
            Std::ZeroSecond => append_int(&mut b, i64::from(f.second), 2),
            Std::PM => b.extend_from_slice(if f.hour >= 12 { b"PM" } else { b"AM" }),
            Std::Pm => b.extend_from_slice(if f.hour >= 12 { b"pm" } else { b"am" }),
            Std::TZ => {
                if !f.zone.is_empty() {
                    b.extend_from_slice(f.zone.as_bytes());
                } else {
                    // No name known: the -0700 form.
                    let mut zone = f.offset / 60;
                    if zone < 0 {
                        b.push(b'-');
                        zone = -zone;
                    } else {
                        b.push(b'+');
                    }
                    append_int(&mut b, i64::from(zone / 60), 2);
                    append_int(&mut b, i64::from(zone % 60), 2);
                }
            }
            Std::Frac0 { digits, sep } | Std::Frac9 { digits, sep } => {
                let trim = matches!(std, Std::Frac9 { .. });
                if trim && (digits == 0 || f.nsec == 0) {
                    continue;
                }
                let start = b.len();
                b.push(sep);
                let mut ns = Vec::with_capacity(9);
                append_int(&mut ns, i64::from(f.nsec), 9);
                ns.truncate(digits.min(9));
                b.extend_from_slice(&ns);
                if trim {
                    while b.len() > start + 1 && b.last() == Some(&b'0') {
                        b.pop();
                    }
                    if b.len() == start + 1 {
                        b.pop();
                    }
                }
            }
            _ => {
                // The numeric and ISO 8601 zones.
                let offset = f.offset;
                if offset == 0 && std.is_iso() {
                    b.push(b'Z');
                    continue;
                }
                let mut zone = offset / 60;
                let mut abs = offset;
                if zone < 0 {
                    b.push(b'-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    b.push(b'+');
                }
                append_int(&mut b, i64::from(zone / 60), 2);
                if matches!(
                    std,
                    Std::Iso8601ColonTZ
                        | Std::NumColonTZ
                        | Std::Iso8601ColonSecondsTZ
                        | Std::NumColonSecondsTZ
                ) {
                    b.push(b':');
                }
                if !matches!(std, Std::NumShortTZ | Std::Iso8601ShortTZ) {
                    append_int(&mut b, i64::from(zone % 60), 2);
                }
                if matches!(
                    std,
                    Std::Iso8601SecondsTZ
                        | Std::NumSecondsTz
                        | Std::NumColonSecondsTZ
                        | Std::Iso8601ColonSecondsTZ
                ) {
                    if matches!(std, Std::NumColonSecondsTZ | Std::Iso8601ColonSecondsTZ) {
                        b.push(b':');
                    }
                    append_int(&mut b, i64::from(abs % 60), 2);
                }
            }
        }
    }
    Ok(String::from_utf8_lossy(&b).into_owned())
}

/// Go's `getnum`: one or two digits (`fixed`: exactly two).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !digit_at(s, 0) {
        return None;
    }
    if !digit_at(s, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(s[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'),
        &s[2..],
    ))
}

/// Go's `getnum3`: one to three digits (`fixed`: exactly three).
fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && digit_at(s, i) {
        n = n * 10 + i64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `atoi` for the short fields it parses (at most 10 bytes reach it).
fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Go's `lookup`: the index of the name in `tab` that `val` starts with, ignoring ASCII
/// case.
fn lookup<'a>(tab: &[&str], val: &'a [u8], short: bool) -> Option<(usize, &'a [u8])> {
    for (i, v) in tab.iter().enumerate() {
        let v = if short {
            &v.as_bytes()[..3]
        } else {
            v.as_bytes()
        };
        if val.len() >= v.len() && val[..v.len()].eq_ignore_ascii_case(v) {
            return Some((i, &val[v.len()..]));
        }
    }
    None
}

fn cutspace(mut s: &[u8]) -> &[u8] {
    while s.first() == Some(&b' ') {
        s = &s[1..];
    }
    s
}

/// Go's `skip`: `prefix` off the front of `value`, runs of spaces matching runs of spaces.
fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Option<&'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return None;
            }
            prefix = cutspace(prefix);
            value = cutspace(value);
            continue;
        }
        if value.first() != Some(&p) {
            return None;
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Some(value)
}

/// Go's `parseNanoseconds`: `value` starts with the separator; `nbytes` counts it.
fn parse_nanos(value: &[u8], nbytes: usize) -> Result<i64, ()> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(());
    }
    let nbytes = nbytes.min(10);
    let mut ns = atoi(&value[1..nbytes]).ok_or(())?;
    if ns < 0 {
        return Err(());
    }
    for _ in 0..10 - nbytes {
        ns *= 10;
    }
    Ok(ns)
}

/// Go's `parseSignedOffset`: the length of a `+h`/`-hh` offset (hours ≤ 12), 0 if none.
fn parse_signed_offset(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = value[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return 0;
    }
    match atoi(&value[1..1 + digits]) {
        Some(x) if x <= 12 => 1 + digits,
        _ => 0,
    }
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.len() >= 4 && (&value[..4] == b"ChST" || &value[..4] == b"MeST") {
        return Some(4);
    }
    if &value[..3] == b"GMT" {
        return Some(
            3 + if value.len() > 3 {
                parse_signed_offset(&value[3..])
            } else {
                0
            },
        );
    }
    if value[0] == b'+' || value[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let upper = value
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if value[4] == b'T' => Some(5),
        4 if value[3] == b'T' || &value[..4] == b"WITA" => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// The text of a layout element for Go's error messages.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's `time.Parse` (`loc` = None: default UTC, zone names looked up in the local zone)
/// and `time.ParseInLocation` (`loc` given: default and lookups in it).
///
/// Errors: [`LayoutError`] — Go's `ParseError` texts (`parsing time "x" as "2006-01-02":
/// cannot parse "x" as "2006"`, `… month out of range`, …), over-long inputs, or a date
/// outside the range of a Time.
pub fn parse(layout: &str, value: &str, loc: Option<&Location>) -> Result<GoTime, LayoutError> {
    if layout.len() > MAX_LAYOUT {
        return Err(LayoutError::LayoutTooLong(layout.len()));
    }
    if value.len() > MAX_VALUE {
        return Err(LayoutError::ValueTooLong(value.len()));
    }
    let (default, local) = match loc {
        Some(l) => (l.clone(), l.clone()),
        None => (Location::Utc, Location::Local),
    };
    let perr = |layout_elem: &[u8], value_elem: &[u8], msg: &str| {
        LayoutError::Parse(if msg.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                quote(value),
                quote(layout),
                quote(&text(value_elem)),
                quote(&text(layout_elem))
            )
        } else {
            format!("parsing time {}{msg}", quote(value))
        })
    };
    let mut l = layout.as_bytes();
    let mut v = value.as_bytes();
    let (mut am, mut pm) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Location> = None;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name: Option<String> = None;
    loop {
        let (prefix, next) = next_chunk(l);
        let stdstr = match next {
            Some((_, rest)) => &l[prefix.len()..l.len() - rest.len()],
            None => &[][..],
        };
        v = match skip(v, prefix) {
            Some(r) => r,
            None => return Err(perr(prefix, v, "")),
        };
        let Some((std, rest)) = next else {
            if !v.is_empty() {
                return Err(perr(b"", v, &format!(": extra text: {}", quote(&text(v)))));
            }
            break;
        };
        l = rest;
        let hold = v;
        let mut range_err: Option<&str> = None;
        let ok: Option<()> = (|| {
            match std {
                Std::Year => {
                    if v.len() < 2 {
                        return None;
                    }
                    let (p, r) = v.split_at(2);
                    v = r;
                    year = atoi(p)?;
                    year += if year >= 69 { 1900 } else { 2000 };
                }
                Std::LongYear => {
                    if v.len() < 4 || !digit_at(v, 0) {
                        return None;
                    }
                    let (p, r) = v.split_at(4);
                    v = r;
                    year = atoi(p)?;
                }
                Std::Month | Std::LongMonth => {
                    let (m, r) = lookup(&LONG_MONTHS, v, std == Std::Month)?;
                    month = m as i64 + 1;
                    v = r;
                }
                Std::NumMonth | Std::ZeroMonth => {
                    let (m, r) = getnum(v, std == Std::ZeroMonth)?;
                    (month, v) = (m, r);
                    if !(1..=12).contains(&month) {
                        range_err = Some("month");
                    }
                }
                Std::WeekDay | Std::LongWeekDay => {
                    let (_, r) = lookup(&LONG_DAYS, v, std == Std::WeekDay)?;
                    v = r;
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    if std == Std::UnderDay && v.first() == Some(&b' ') {
                        v = &v[1..];
                    }
                    let (d, r) = getnum(v, std == Std::ZeroDay)?;
                    (day, v) = (d, r);
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    for _ in 0..2 {
                        if std == Std::UnderYearDay && v.first() == Some(&b' ') {
                            v = &v[1..];
                        }
                    }
                    let (d, r) = getnum3(v, std == Std::ZeroYearDay)?;
                    (yday, v) = (d, r);
                }
                Std::Hour => {
                    let (h, r) = getnum(v, false)?;
                    (hour, v) = (h, r);
                    if !(0..24).contains(&hour) {
                        range_err = Some("hour");
                    }
                }
                Std::Hour12 | Std::ZeroHour12 => {
                    let (h, r) = getnum(v, std == Std::ZeroHour12)?;
                    (hour, v) = (h, r);
                    if !(0..=12).contains(&hour) {
                        range_err = Some("hour");
                    }
                }
                Std::Minute | Std::ZeroMinute => {
                    let (m, r) = getnum(v, std == Std::ZeroMinute)?;
                    (min, v) = (m, r);
                    if !(0..60).contains(&min) {
                        range_err = Some("minute");
                    }
                }
                Std::Second | Std::ZeroSecond => {
                    let (s, r) = getnum(v, std == Std::ZeroSecond)?;
                    (sec, v) = (s, r);
                    if !(0..60).contains(&sec) {
                        range_err = Some("second");
                        return Some(());
                    }
                    // A fractional second in the value but not in the layout.
                    if v.len() >= 2 && matches!(v[0], b'.' | b',') && digit_at(v, 1) {
                        let (_, next) = next_chunk(l);
                        if matches!(next, Some((Std::Frac0 { .. } | Std::Frac9 { .. }, _))) {
                            return Some(());
                        }
                        let mut n = 2;
                        while digit_at(v, n) {
                            n += 1;
                        }
                        nsec = parse_nanos(v, n).ok()?;
                        v = &v[n..];
                    }
                }
                Std::PM | Std::Pm => {
                    if v.len() < 2 {
                        return None;
                    }
                    let (p, r) = v.split_at(2);
                    v = r;
                    let (up, low): (&[u8], &[u8]) = if std == Std::PM {
                        (b"PM", b"AM")
                    } else {
                        (b"pm", b"am")
                    };
                    if p == up {
                        pm = true;
                    } else if p == low {
                        am = true;
                    } else {
                        return None;
                    }
                }
                Std::TZ => {
                    if v.starts_with(b"UTC") {
                        z = Some(Location::Utc);
                        v = &v[3..];
                        return Some(());
                    }
                    let n = parse_time_zone(v)?;
                    zone_name = Some(text(&v[..n]));
                    v = &v[n..];
                }
                Std::Frac0 { digits, .. } => {
                    let ndigit = 1 + digits;
                    if v.len() < ndigit {
                        return None;
                    }
                    nsec = parse_nanos(v, ndigit).ok()?;
                    v = &v[ndigit..];
                }
                Std::Frac9 { .. } => {
                    if v.len() < 2 || !matches!(v[0], b'.' | b',') || !digit_at(v, 1) {
                        // Fractional second omitted.
                        return Some(());
                    }
                    let mut i = 0;
                    while digit_at(v, i + 1) {
                        i += 1;
                    }
                    nsec = parse_nanos(v, 1 + i).ok()?;
                    v = &v[1 + i..];
                }
                _ => {
                    // ISO 8601 and numeric zones.
                    if std.is_iso() && v.first() == Some(&b'Z') {
                        v = &v[1..];
                        z = Some(Location::Utc);
                        return Some(());
                    }
                    let (sign, hh, mm, ss): (u8, &[u8], &[u8], &[u8]);
                    match std {
                        Std::Iso8601ColonTZ | Std::NumColonTZ => {
                            if v.len() < 6 || v[3] != b':' {
                                return None;
                            }
                            (sign, hh, mm, ss) = (v[0], &v[1..3], &v[4..6], b"00");
                            v = &v[6..];
                        }
                        Std::NumShortTZ | Std::Iso8601ShortTZ => {
                            if v.len() < 3 {
                                return None;
                            }
                            (sign, hh, mm, ss) = (v[0], &v[1..3], b"00", b"00");
                            v = &v[3..];
                        }
                        Std::Iso8601ColonSecondsTZ | Std::NumColonSecondsTZ => {
                            if v.len() < 9 || v[3] != b':' || v[6] != b':' {
                                return None;
                            }
                            (sign, hh, mm, ss) = (v[0], &v[1..3], &v[4..6], &v[7..9]);
                            v = &v[9..];
                        }
                        Std::Iso8601SecondsTZ | Std::NumSecondsTz => {
                            if v.len() < 7 {
                                return None;
                            }
                            (sign, hh, mm, ss) = (v[0], &v[1..3], &v[3..5], &v[5..7]);
                            v = &v[7..];
                        }
                        _ => {
                            if v.len() < 5 {
                                return None;
                            }
                            (sign, hh, mm, ss) = (v[0], &v[1..3], &v[3..5], b"00");
                            v = &v[5..];
                        }
                    }
                    let (hr, _) = getnum(hh, true)?;
                    let (mi, _) = getnum(mm, true)?;
                    let (se, _) = getnum(ss, true)?;
                    if hr > 24 {
                        range_err = Some("time zone offset hour");
                    }
                    if mi > 60 {
                        range_err = Some("time zone offset minute");
                    }
                    if se > 60 {
                        range_err = Some("time zone offset second");
                    }
                    let off = (hr * 60 + mi) * 60 + se;
                    zone_offset = Some(match sign {
                        b'+' => off,
                        b'-' => -off,
                        _ => return None,
                    });
                }
            }
            Some(())
        })();
        if let Some(what) = range_err {
            return Err(perr(stdstr, v, &format!(": {what} out of range")));
        }
        if ok.is_none() {
            return Err(perr(stdstr, hold, ""));
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    // Day of the year to month and day.
    if yday >= 0 {
        let mut m = 0i64;
        let mut d = 0i64;
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(perr(b"", v, ": day-of-year out of range"));
        }
        if m == 0 {
            const BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
            m = (yday - 1) / 31 + 1;
            if BEFORE[m as usize] < yday {
                m += 1;
            }
            d = yday - BEFORE[m as usize - 1];
        }
        if month >= 0 && month != m {
            return Err(perr(b"", v, ": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(perr(b"", v, ": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > i64::from(days_in(month as u32, year)) {
        return Err(perr(b"", v, ": day out of range"));
    }
    let fields = [year, month, day, hour, min, sec, nsec];
    let range = |_| LayoutError::OutOfRange;
    if let Some(z) = z {
        return GoTime::date(fields, z).map_err(range);
    }
    if let Some(off) = zone_offset {
        let t = GoTime::date(fields, Location::Utc).map_err(range)?;
        let t = t.add(-off * 1_000_000_000).map_err(range)?;
        let (name, local_off) = {
            let (o, n) = local.lookup(t.unix);
            (n, o)
        };
        if i64::from(local_off) == off && zone_name.as_ref().is_none_or(|z| *z == name) {
            return Ok(t.with_loc(local));
        }
        let name: std::rc::Rc<str> = zone_name.unwrap_or_default().into();
        return Ok(t.with_loc(Location::Fixed {
            name,
            offset: off as i32,
        }));
    }
    if let Some(name) = zone_name {
        let t = GoTime::date(fields, Location::Utc).map_err(range)?;
        if let Some(off) = local.lookup_name(&name, t.unix) {
            let t = t.add(-i64::from(off) * 1_000_000_000).map_err(range)?;
            return Ok(t.with_loc(local));
        }
        // Unknown zone: a fake zone of that name (GMT±h keeps its hours).
        let mut offset = 0i32;
        if name.len() > 3 && name.starts_with("GMT") {
            offset = atoi(&name.as_bytes()[3..]).unwrap_or(0) as i32 * 3600;
        }
        return Ok(t.with_loc(Location::Fixed {
            name: name.into(),
            offset,
        }));
    }
    GoTime::date(fields, default).map_err(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ns: i64) -> GoTime {
        GoTime::date([y, mo, d, h, mi, s, ns], Location::Utc).unwrap()
    }

    #[test]
    fn formats_like_go() {
        let t = utc(2009, 2, 4, 21, 0, 57, 12_345_600);
        let pst = t.with_loc(Location::Fixed {
            name: "PST".into(),
            offset: -8 * 3600,
        });
        for (layout, want) in [
            ("2006-01-02T15:04:05Z07:00", "2009-02-04T13:00:57-08:00"),
            (
                "2006-01-02T15:04:05.999999999Z07:00",
                "2009-02-04T13:00:57.0123456-08:00",
            ),
            ("Mon Jan _2 15:04:05 2006", "Wed Feb  4 13:00:57 2009"),
            (
                "Mon Jan _2 15:04:05 MST 2006",
                "Wed Feb  4 13:00:57 PST 2009",
            ),
            (
                "Mon Jan 02 15:04:05 -0700 2006",
                "Wed Feb 04 13:00:57 -0800 2009",
            ),
            ("02 Jan 06 15:04 MST", "04 Feb 09 13:00 PST"),
            ("02 Jan 06 15:04 -0700", "04 Feb 09 13:00 -0800"),
            (
                "Monday, 02-Jan-06 15:04:05 MST",
                "Wednesday, 04-Feb-09 13:00:57 PST",
            ),
            (
                "Mon, 02 Jan 2006 15:04:05 MST",
                "Wed, 04 Feb 2009 13:00:57 PST",
            ),
            (
                "Mon, 02 Jan 2006 15:04:05 -0700",
                "Wed, 04 Feb 2009 13:00:57 -0800",
            ),
            ("3:04PM", "1:00PM"),
            ("3:04pm", "1:00pm"),
            ("Jan _2 15:04:05", "Feb  4 13:00:57"),
            ("Jan _2 15:04:05.000", "Feb  4 13:00:57.012"),
            ("Jan _2 15:04:05.000000", "Feb  4 13:00:57.012345"),
            ("Jan _2 15:04:05.000000000", "Feb  4 13:00:57.012345600"),
            ("2006-01-02", "2009-02-04"),
            ("15:04:05,000", "13:00:57,012"),
            ("2006 6 002 __2", "2009 6 035  35"),
            ("January Monday 1 2 3 4 5", "February Wednesday 2 4 1 0 57"),
            ("-07 -07:00:00 -070000 Z07", "-08 -08:00:00 -080000 -08"),
            ("Jana", "Jana"),
            ("_2006", "_2009"),
        ] {
            assert_eq!(format(&pst, layout).unwrap(), want, "{layout}");
        }
        assert_eq!(format(&t, "Z07:00 MST").unwrap(), "Z UTC");
        assert_eq!(
            format(&t, STRING_LAYOUT).unwrap(),
            "2009-02-04 21:00:57.0123456 +0000 UTC"
        );
        let unnamed = t.with_loc(Location::Fixed {
            name: "".into(),
            offset: 5 * 3600 + 1800,
        });
        assert_eq!(format(&unnamed, "MST").unwrap(), "+0530");
        let y1 = utc(-1, 1, 1, 0, 0, 0, 0);
        assert_eq!(format(&y1, "2006 06").unwrap(), "-0001 01");
        assert!(format(&t, &"2".repeat(MAX_LAYOUT + 1)).is_err());
    }

    #[test]
    fn parses_like_go() {
        let p = |l: &str, v: &str| parse(l, v, None);
        let t = p("2006-01-02T15:04:05Z07:00", "2009-02-04T13:00:57-08:00").unwrap();
        assert_eq!(t.unix, utc(2009, 2, 4, 21, 0, 57, 0).unix);
        assert_eq!(t.fields().offset, -8 * 3600);
        let t = p(
            "2006-01-02T15:04:05.999999999Z07:00",
            "2009-02-04T21:00:57.0123456Z",
        )
        .unwrap();
        assert_eq!(t.nsec, 12_345_600);
        assert!(t.loc.is_utc());
        // A fraction the layout does not ask for is still read.
        assert_eq!(p("15:04:05", "13:00:57.5").unwrap().nsec, 500_000_000);
        let t = p(
            "Mon Jan _2 15:04:05 MST 2006",
            "Thu Feb  4 21:00:57 PST 2010",
        )
        .unwrap();
        assert_eq!(t.loc.name(), "PST");
        let t = p("3:04PM", "12:30AM").unwrap();
        assert_eq!(t.fields().hour, 0);
        assert_eq!(p("2006 002", "2024 060").unwrap().fields().day, 29);
        assert_eq!(p("Jan 2006", "FEB 2020").unwrap().fields().month, 2);
        assert_eq!(p("MST", "GMT+3").unwrap().fields().offset, 3 * 3600);
        for (l, v, want) in [
            (
                "2006-01-02",
                "2009-13-01",
                "parsing time \"2009-13-01\": month out of range",
            ),
            (
                "2006-01-02",
                "2009-02-30",
                "parsing time \"2009-02-30\": day out of range",
            ),
            (
                "2006-01-02",
                "x",
                "parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\"",
            ),
            (
                "2006-01-02",
                "2009-02-04 x",
                "parsing time \"2009-02-04 x\": extra text: \" x\"",
            ),
            (
                "15:04",
                "25:00",
                "parsing time \"25:00\": hour out of range",
            ),
            (
                "2006 002",
                "2023 366",
                "parsing time \"2023 366\": day-of-year out of range",
            ),
        ] {
            assert_eq!(p(l, v).unwrap_err().to_string(), want, "{l} / {v}");
        }
        assert!(p("2006", &"9".repeat(MAX_VALUE + 1)).is_err());
        assert_eq!(
            p(".000000000000000000000", ".999999999999999999999")
                .unwrap()
                .nsec,
            999_999_999
        );
    }
}
