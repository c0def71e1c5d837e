//! Locations (time zones) of the `time` module (WIPPY-API.md §6): `time.utc`,
//! `time.localtz`, `time.load_location(name)` (IANA zones from the `chrono-tz` database)
//! and `time.fixed_zone(name, offset)`. A Location answers, for an instant, its UTC offset
//! and its abbreviation, as Go's `Location.lookup` does.
//!
//! The local zone is resolved once per node as Go's `initLocal`: `$TZ` unset → the system
//! zone (`/etc/localtime`, named `"Local"`); `$TZ=""` → UTC; `$TZ="Zone/Name"` (a leading
//! `:` ignored) → that zone, named so; anything unusable → UTC, named `"UTC"`.

use std::rc::Rc;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};
use mlua::{MetaMethod, UserData, UserDataMethods};

/// Longest zone name `load_location` and `fixed_zone` take (IANA names are under 40 bytes).
pub const MAX_ZONE_NAME: usize = 255;

/// A time zone.
#[derive(Clone, Debug)]
pub enum Location {
    /// `time.utc`, named `"UTC"`.
    Utc,
    /// `time.localtz`: the node's local zone (see the module doc).
    Local,
    /// `fixed_zone(name, offset)`: always `offset` seconds east of UTC.
    Fixed { name: Rc<str>, offset: i32 },
    /// An IANA zone (`load_location("Europe/Berlin")`).
    Zone(Tz),
}

/// The resolved local zone: its name and its rules (`None`: UTC).
struct LocalZone {
    name: String,
    tz: Option<Tz>,
}

fn local() -> &'static LocalZone {
    static LOCAL: OnceLock<LocalZone> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let utc = LocalZone {
            name: "UTC".into(),
            tz: None,
        };
        match std::env::var("TZ") {
            Err(_) => iana_time_zone::get_timezone()
                .ok()
                .and_then(|n| Tz::from_str(&n).ok())
                .map(|tz| LocalZone {
                    name: "Local".into(),
                    tz: Some(tz),
                })
                .unwrap_or(utc),
            Ok(tz) => {
                let tz = tz.strip_prefix(':').unwrap_or(&tz);
                if tz.is_empty() || tz == "UTC" || tz.starts_with('/') {
                    return utc;
                }
                match Tz::from_str(tz) {
                    Ok(z) => LocalZone {
                        name: tz.to_string(),
                        tz: Some(z),
                    },
                    Err(_) => utc,
                }
            }
        }
    })
}

/// Why `load_location` / `fixed_zone` refused a name.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationError {
    /// `load_location("")` (as Wippy: Invalid).
    Empty,
    /// A name longer than [`MAX_ZONE_NAME`] (Invalid).
    TooLong(usize),
    /// Not a zone of the database (as Wippy: NotFound; Go's text).
    Unknown(String),
}

impl std::fmt::Display for LocationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LocationError::Empty => write!(
                f,
                "time zone name is empty: expected an IANA name such as \"Europe/Berlin\", \"UTC\" or \"Local\""
            ),
            LocationError::TooLong(n) => write!(
                f,
                "time zone name of {n} bytes: longer than the maximum of {MAX_ZONE_NAME}"
            ),
            LocationError::Unknown(n) => {
                write!(
                    f,
                    "unknown time zone {}",
                    super::duration::quote(n).trim_matches('"')
                )
            }
        }
    }
}

impl std::error::Error for LocationError {}

impl Location {
    /// Go's `LoadLocation`, with Wippy's `""` rule: `"UTC"` → UTC, `"Local"` → the local
    /// zone, else an IANA name (case-sensitive). Errors: [`LocationError`].
    pub fn load(name: &str) -> Result<Location, LocationError> {
        if name.is_empty() {
            return Err(LocationError::Empty);
        }
        if name.len() > MAX_ZONE_NAME {
            return Err(LocationError::TooLong(name.len()));
        }
        match name {
            "UTC" => Ok(Location::Utc),
            "Local" => Ok(Location::Local),
            _ => Tz::from_str(name)
                .map(Location::Zone)
                .map_err(|_| LocationError::Unknown(name.to_string())),
        }
    }

    /// Go's `Location.String()`: `"UTC"`, the local zone's name, the fixed zone's name or
    /// the IANA name.
    pub fn name(&self) -> String {
        match self {
            Location::Utc => "UTC".into(),
            Location::Local => local().name.clone(),
            Location::Fixed { name, .. } => name.to_string(),
            Location::Zone(tz) => tz.name().to_string(),
        }
    }

    /// Whether this is UTC (also the local zone when it resolved to UTC).
    pub fn is_utc(&self) -> bool {
        match self {
            Location::Utc => true,
            Location::Local => local().tz.is_none(),
            _ => false,
        }
    }

    /// The offset (seconds east of UTC) and abbreviation in effect at `unix` seconds, as
    /// Go's `lookup`. `unix` must be within chrono's range (every Time is).
    pub fn lookup(&self, unix: i64) -> (i32, String) {
        let tz = match self {
            Location::Utc => return (0, "UTC".into()),
            Location::Fixed { name, offset } => return (*offset, name.to_string()),
            Location::Local => match local().tz {
                Some(tz) => tz,
                None => return (0, "UTC".into()),
            },
            Location::Zone(tz) => *tz,
        };
        let Some(utc) = DateTime::from_timestamp(unix, 0) else {
            return (0, "UTC".into());
        };
        let off = tz.offset_from_utc_datetime(&utc.naive_utc());
        let secs = off.fix().local_minus_utc();
        let abbr = match off.abbreviation() {
            Some(a) => a.to_string(),
            None => numeric_abbreviation(secs),
        };
        (secs, abbr)
    }

    /// The offset of the zone named `abbr` in this location around `unix` (Go's
    /// `lookupName`, used by `parse` for a `MST` field): the zone in effect at `unix` or
    /// half a year either side (standard and daylight time) whose abbreviation is `abbr`.
    pub fn lookup_name(&self, abbr: &str, unix: i64) -> Option<i32> {
        const HALF_YEAR: i64 = 182 * 86_400;
        for probe in [
            unix,
            unix.saturating_sub(HALF_YEAR),
            unix.saturating_add(HALF_YEAR),
        ] {
            let (offset, name) = self.lookup(probe);
            if name == abbr {
                // The zone with that name in effect at the parsed wall time, if it is.
                let (o2, n2) = self.lookup(unix.saturating_sub(i64::from(offset)));
                return Some(if n2 == abbr { o2 } else { offset });
            }
        }
        None
    }
}

/// The tz database's abbreviation for a zone without letters: `+03`, `-0330`.
fn numeric_abbreviation(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    if m.is_multiple_of(60) {
        format!("{sign}{:02}", m / 60)
    } else {
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }
}

/// The Location object: `loc:string()`, `tostring(loc)` (Go's `String()`).
#[derive(Clone, Debug)]
pub struct LuaLocation(pub Location);

impl UserData for LuaLocation {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("string", |_, l, ()| Ok(l.0.name()));
        m.add_meta_method(MetaMethod::ToString, |_, l, ()| Ok(l.0.name()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        let ny = Location::load("America/New_York").unwrap();
        // 2024-01-15 and 2024-07-15, 12:00 UTC.
        assert_eq!(ny.lookup(1_705_320_000), (-5 * 3600, "EST".into()));
        assert_eq!(ny.lookup(1_721_044_800), (-4 * 3600, "EDT".into()));
        assert_eq!(ny.lookup_name("EDT", 1_705_320_000), Some(-4 * 3600));
        assert_eq!(ny.lookup_name("XYZ", 1_705_320_000), None);
        assert!(matches!(Location::load(""), Err(LocationError::Empty)));
        assert!(matches!(
            Location::load("Nowhere/Town"),
            Err(LocationError::Unknown(_))
        ));
        assert_eq!(numeric_abbreviation(3 * 3600), "+03");
        assert_eq!(numeric_abbreviation(-(3 * 3600 + 1800)), "-0330");
    }
}
