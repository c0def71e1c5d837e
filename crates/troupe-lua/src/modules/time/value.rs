//! The instant of a `time` Time (WIPPY-API.md §6, Go's `time.Time` without a monotonic
//! reading): seconds since the Unix epoch, nanoseconds and a [`Location`]. This file owns
//! the calendar: Go's `Date` normalisation, the civil fields in a location, `Add`, `Sub`,
//! `AddDate`, `Round` and `Truncate`.
//!
//! Every Time lies within chrono's range (years −262,143 to 262,142); an operation whose
//! result falls outside is an [`OutOfRange`] error, never a wrap-around or a panic. All
//! intermediate arithmetic is `i128`, so no user value can overflow it.

use chrono::DateTime;

use super::location::Location;

const NANOS: i128 = 1_000_000_000;
/// Unix seconds of Go's zero Time, January 1, year 1, 00:00:00 UTC.
pub const ZERO_UNIX: i64 = -62_135_596_800;

/// A result outside the range a Time can hold.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfRange;

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "time out of range: a Time must fall between the years -262143 and 262142"
        )
    }
}

impl std::error::Error for OutOfRange {}

/// A point in time in a location.
#[derive(Clone, Debug)]
pub struct GoTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix: i64,
    /// Nanoseconds within the second, `0..1e9`.
    pub nsec: u32,
    pub loc: Location,
}

/// The civil fields of a Time in its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nsec: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    /// 1..=366.
    pub yday: u32,
    /// Seconds east of UTC, and the zone's abbreviation.
    pub offset: i32,
    pub zone: String,
}

fn min_unix() -> i64 {
    DateTime::<chrono::Utc>::MIN_UTC.timestamp()
}
fn max_unix() -> i64 {
    DateTime::<chrono::Utc>::MAX_UTC.timestamp()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i128, m: u32, d: u32) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i128::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i128::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a leap year.
pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in `month` (1..=12) of `year`.
pub fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl GoTime {
    /// A Time at `unix` seconds plus `nsec` nanoseconds (any value: normalised as Go's
    /// `time.Unix`). Errors: outside the range.
    pub fn from_unix(unix: i128, nsec: i128, loc: Location) -> Result<GoTime, OutOfRange> {
        GoTime::from_nanos(unix * NANOS + nsec, loc)
    }

    /// A Time `ns` nanoseconds after the Unix epoch.
    fn from_nanos(ns: i128, loc: Location) -> Result<GoTime, OutOfRange> {
        let unix = ns.div_euclid(NANOS);
        let nsec = ns.rem_euclid(NANOS) as u32;
        if unix < i128::from(min_unix()) || unix > i128::from(max_unix()) {
            return Err(OutOfRange);
        }
        Ok(GoTime {
            unix: unix as i64,
            nsec,
            loc,
        })
    }

    /// Nanoseconds since the Unix epoch.
    pub fn nanos(&self) -> i128 {
        i128::from(self.unix) * NANOS + i128::from(self.nsec)
    }

    /// The current time in the local zone (`time.now()`).
    pub fn now() -> GoTime {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i128)
            .unwrap_or_else(|e| -(e.duration().as_nanos() as i128));
        GoTime::from_nanos(d, Location::Local).unwrap_or(GoTime {
            unix: 0,
            nsec: 0,
            loc: Location::Local,
        })
    }

    /// Go's `time.Date`: every field may overflow its range and is normalised (month 13
    /// is January of the next year, second 61 the next minute, …); the wall time is then
    /// resolved in `loc` as Go does for times in a gap or an overlap of a zone's rules.
    pub fn date(v: [i64; 7], loc: Location) -> Result<GoTime, OutOfRange> {
        let [y, mo, d, h, mi, s, ns] = v.map(i128::from);
        let months = y * 12 + (mo - 1);
        let (year, month) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
        // Only a year within chrono's range can give a valid Time; this also keeps the
        // day count below far from any overflow.
        if year.abs() > 300_000 {
            return Err(OutOfRange);
        }
        let days = days_from_civil(year, month, 1) + (d - 1);
        let local = (days * 86_400 + h * 3600 + mi * 60 + s) * NANOS + ns;
        let local_secs = local.div_euclid(NANOS);
        if local_secs.abs() > 1i128 << 62 {
            return Err(OutOfRange);
        }
        let unix = local_secs as i64;
        // Go: look the offset up as if the wall time were UTC; if the instant that gives
        // is not in that offset's period, use the offset in effect at that instant.
        let (off1, _) = loc.lookup(unix.clamp(min_unix(), max_unix()));
        let mut offset = off1;
        if off1 != 0 {
            let utc = unix.saturating_sub(i64::from(off1));
            let (off2, _) = loc.lookup(utc.clamp(min_unix(), max_unix()));
            if off2 != off1 {
                offset = off2;
            }
        }
        GoTime::from_nanos(local - i128::from(offset) * NANOS, loc)
    }

    /// The civil fields in the Time's location.
    pub fn fields(&self) -> Fields {
        let (offset, zone) = self.loc.lookup(self.unix);
        let local = i128::from(self.unix) + i128::from(offset);
        let days = local.div_euclid(86_400) as i64;
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let yday = (i128::from(days) - days_from_civil(i128::from(year), 1, 1) + 1) as u32;
        Fields {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            nsec: self.nsec,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday,
            offset,
            zone,
        }
    }

    /// The same instant in `loc`.
    pub fn with_loc(&self, loc: Location) -> GoTime {
        GoTime {
            unix: self.unix,
            nsec: self.nsec,
            loc,
        }
    }

    /// Go's `Add`. Errors: the result is out of range.
    pub fn add(&self, d: i64) -> Result<GoTime, OutOfRange> {
        GoTime::from_nanos(self.nanos() + i128::from(d), self.loc.clone())
    }

    /// Go's `Sub`: `self - other` in nanoseconds, saturated to the duration range.
    pub fn sub(&self, other: &GoTime) -> i64 {
        let d = self.nanos() - other.nanos();
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Go's `AddDate`: the civil date moved by years, months and days, normalised
    /// (October 31 + 1 month is December 1).
    pub fn add_date(&self, years: i64, months: i64, days: i64) -> Result<GoTime, OutOfRange> {
        let f = self.fields();
        let y = f.year.checked_add(years).ok_or(OutOfRange)?;
        let mo = i64::from(f.month).checked_add(months).ok_or(OutOfRange)?;
        let d = i64::from(f.day).checked_add(days).ok_or(OutOfRange)?;
        GoTime::date(
            [
                y,
                mo,
                d,
                i64::from(f.hour),
                i64::from(f.minute),
                i64::from(f.second),
                i64::from(f.nsec),
            ],
            self.loc.clone(),
        )
    }

    /// Nanoseconds since Go's zero Time modulo `d` (> 0), as Go's `div`.
    fn rem(&self, d: i64) -> i128 {
        (self.nanos() - i128::from(ZERO_UNIX) * NANOS).rem_euclid(i128::from(d))
    }

    /// Go's `Truncate`: rounded down to a multiple of `d` since the zero Time; `d <= 0`
    /// leaves it as it is.
    pub fn truncate(&self, d: i64) -> Result<GoTime, OutOfRange> {
        if d <= 0 {
            return Ok(self.clone());
        }
        GoTime::from_nanos(self.nanos() - self.rem(d), self.loc.clone())
    }

    /// Go's `Round`: to the nearest multiple of `d` since the zero Time, halves up.
    pub fn round(&self, d: i64) -> Result<GoTime, OutOfRange> {
        if d <= 0 {
            return Ok(self.clone());
        }
        let r = self.rem(d);
        let to = if r + r < i128::from(d) {
            self.nanos() - r
        } else {
            self.nanos() + (i128::from(d) - r)
        };
        GoTime::from_nanos(to, self.loc.clone())
    }

    /// Go's `IsZero`: January 1, year 1, 00:00:00 UTC, in any location.
    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX && self.nsec == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -719_468, -1, 0, 1, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(i128::from(y), m, d), i128::from(days));
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(1, 1, 1) * 86_400, i128::from(ZERO_UNIX));
    }

    #[test]
    fn date_normalises_like_go() {
        let t = GoTime::date([2024, 13, 1, 0, 0, 0, 0], Location::Utc).unwrap();
        assert_eq!((t.fields().year, t.fields().month), (2025, 1));
        let t = GoTime::date([2024, 3, 0, 24, 0, 0, 0], Location::Utc).unwrap();
        assert_eq!((t.fields().month, t.fields().day), (3, 1));
        let t = GoTime::date([2023, 10, 31, 0, 0, 0, 0], Location::Utc).unwrap();
        let u = t.add_date(0, 1, 0).unwrap();
        assert_eq!((u.fields().month, u.fields().day), (12, 1));
        assert!(
            GoTime::date(
                [
                    i64::MAX,
                    i64::MAX,
                    i64::MAX,
                    i64::MAX,
                    i64::MAX,
                    i64::MAX,
                    i64::MAX
                ],
                Location::Utc
            )
            .is_err()
        );
        assert!(GoTime::date([i64::MIN; 7], Location::Utc).is_err());
        assert!(t.add_date(i64::MAX, 0, 0).is_err());
        assert!(t.add_date(0, 0, i64::MAX).is_err());
    }

    #[test]
    fn gaps_resolve_as_go() {
        // 2024-03-10 02:30 does not exist in New York: Go's lookup gives 01:30 EST.
        let ny = Location::load("America/New_York").unwrap();
        let t = GoTime::date([2024, 3, 10, 2, 30, 0, 0], ny.clone()).unwrap();
        let f = t.fields();
        assert_eq!((f.hour, f.minute, f.zone.as_str()), (1, 30, "EST"));
        // An ordinary summer time.
        let t = GoTime::date([2024, 7, 1, 12, 0, 0, 0], ny).unwrap();
        assert_eq!(t.unix, 1_719_849_600);
    }
}
