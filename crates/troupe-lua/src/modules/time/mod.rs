//! The `time` module with Go semantics, as Wippy (WIPPY-API.md §6): **a bare number is
//! nanoseconds**; a duration argument is a number, a Go duration string (`"300ms"`,
//! `"1.5h"`, `"2h45m"`) or a Duration object.
//!
//! - [`duration`]: units, Go's `ParseDuration`/`String()`, the Duration object;
//! - [`value`] and [`object`]: the Time instant, its calendar and the Time object;
//! - [`layout`]: Go reference layouts for `format` and `parse`;
//! - [`location`]: `time.utc`, `time.localtz`, `load_location`, `fixed_zone`;
//! - [`timers`]: `after`, `timer`, `ticker` (worker timers that die with the process).
//!
//! `time.sleep` is a worker timer too: the sleeping process costs no thread and no CPU
//! (SPEC §3.5).
//!
//! Failure conventions (Wippy): `sleep`, `parse`, `parse_duration`, `load_location`,
//! `after`, `timer`, `ticker` return `nil, err` (kind Invalid; NotFound for an unknown
//! zone); `date` and `unix` raise on missing or non-integer arguments.

pub mod duration;
pub mod layout;
pub mod location;
pub mod object;
pub mod timers;
pub mod value;

use mlua::{Lua, MultiValue, Table, UserDataRef, Value as LuaValue};
use troupe_kernel::ErrorKind;

use crate::modules::errors::nil_error;
pub use duration::LuaDuration;
use location::{Location, LuaLocation};
pub use object::LuaTime;
use value::GoTime;

/// A duration argument of **other** modules (`funcs` options): Troupe's millisecond rule
/// of [`crate::duration::from_lua`], not `time`'s nanoseconds.
///
/// Errors (raised): see [`crate::duration::InvalidArgument`].
pub fn duration(v: &LuaValue) -> mlua::Result<std::time::Duration> {
    Ok(crate::duration::from_lua(v)?)
}

/// `nil, err` (Invalid) for a bad duration, or the positive duration.
fn positive(lua: &Lua, what: &str, d: &LuaValue) -> mlua::Result<Result<i64, MultiValue>> {
    match duration::arg(d) {
        Err(e) => Ok(Err(nil_error(
            lua,
            ErrorKind::Invalid,
            format!("{what}: {e}"),
        )?)),
        Ok(d) if d <= 0 => Ok(Err(nil_error(
            lua,
            ErrorKind::Invalid,
            format!(
                "{what}: the duration must be positive, got {}",
                duration::format(d)
            ),
        )?)),
        Ok(d) => Ok(Ok(d)),
    }
}

/// An integer argument of `time.date`/`time.unix` (raises otherwise, as Wippy).
fn int_arg(v: &LuaValue, func: &str, n: usize, what: &str) -> mlua::Result<i64> {
    object::whole(v, what)
        .map_err(|e| mlua::Error::runtime(format!("bad argument #{n} to '{func}': {e}")))
}

fn values(v: impl IntoIterator<Item = LuaValue>) -> MultiValue {
    MultiValue::from_iter(v)
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "sleep",
        crate::block::wrap(
            lua,
            lua.create_function(|lua, d: LuaValue| {
                let d = match duration::arg(&d) {
                    Ok(d) => d,
                    Err(e) => {
                        return nil_error(lua, ErrorKind::Invalid, format!("time.sleep: {e}"));
                    }
                };
                if d <= 0 {
                    // Go returns at once for d <= 0; the process still yields the worker
                    // at its next interrupt, as a preemption does (Erlang's `yield`).
                    crate::slice::yield_soon();
                    return Ok(MultiValue::new());
                }
                let sleep = tokio::time::sleep(std::time::Duration::from_nanos(d as u64));
                Ok(crate::block::park_multi(async move {
                    sleep.await;
                    Ok(MultiValue::new())
                }))
            })?,
        )?,
    )?;
    t.set(
        "now",
        lua.create_function(|_, ()| Ok(LuaTime(GoTime::now())))?,
    )?;
    t.set(
        "date",
        lua.create_function(|_, args: mlua::Variadic<LuaValue>| {
            const NAMES: [&str; 7] = ["year", "month", "day", "hour", "min", "sec", "nsec"];
            let mut v = [0i64; 7];
            for (i, name) in NAMES.iter().enumerate() {
                let a = args.get(i).unwrap_or(&LuaValue::Nil);
                v[i] = int_arg(a, "date", i + 1, name)?;
            }
            let loc = match args.get(7) {
                None | Some(LuaValue::Nil) => Location::Local,
                Some(LuaValue::UserData(ud)) => match ud.borrow::<LuaLocation>() {
                    Ok(l) => l.0.clone(),
                    Err(_) => {
                        return Err(mlua::Error::runtime(
                            "bad argument #8 to 'date': expected a Location",
                        ));
                    }
                },
                Some(other) => {
                    return Err(mlua::Error::runtime(format!(
                        "bad argument #8 to 'date': expected a Location, got {}",
                        other.type_name()
                    )));
                }
            };
            GoTime::date(v, loc)
                .map(LuaTime)
                .map_err(|e| mlua::Error::runtime(format!("time.date: {e}")))
        })?,
    )?;
    t.set(
        "unix",
        lua.create_function(|_, (s, ns): (LuaValue, LuaValue)| {
            let s = int_arg(&s, "unix", 1, "sec")?;
            let ns = int_arg(&ns, "unix", 2, "nsec")?;
            GoTime::from_unix(i128::from(s), i128::from(ns), Location::Local)
                .map(LuaTime)
                .map_err(|e| mlua::Error::runtime(format!("time.unix: {e}")))
        })?,
    )?;
    t.set(
        "parse",
        lua.create_function(
            |lua,
             (l, s, loc): (
                mlua::LuaString,
                mlua::LuaString,
                Option<UserDataRef<LuaLocation>>,
            )| {
                let (l, s) = (l.to_str()?, s.to_str()?);
                match layout::parse(&l, &s, loc.as_ref().map(|l| &l.0)) {
                    Ok(t) => Ok(values([LuaValue::UserData(
                        lua.create_userdata(LuaTime(t))?,
                    )])),
                    Err(e) => nil_error(lua, ErrorKind::Invalid, e.to_string()),
                }
            },
        )?,
    )?;
    t.set(
        "parse_duration",
        lua.create_function(|lua, d: LuaValue| match duration::arg(&d) {
            Ok(d) => Ok(values([LuaValue::UserData(
                lua.create_userdata(LuaDuration(d))?,
            )])),
            Err(e) => nil_error(lua, ErrorKind::Invalid, e.to_string()),
        })?,
    )?;
    t.set(
        "load_location",
        lua.create_function(|lua, name: mlua::LuaString| {
            let name = name.to_string_lossy();
            match Location::load(&name) {
                Ok(l) => Ok(values([LuaValue::UserData(
                    lua.create_userdata(LuaLocation(l))?,
                )])),
                Err(e @ location::LocationError::Unknown(_)) => {
                    nil_error(lua, ErrorKind::NotFound, e.to_string())
                }
                Err(e) => nil_error(lua, ErrorKind::Invalid, e.to_string()),
            }
        })?,
    )?;
    t.set(
        "fixed_zone",
        lua.create_function(|_, (name, offset): (mlua::LuaString, LuaValue)| {
            let name = name.to_string_lossy();
            if name.len() > location::MAX_ZONE_NAME {
                return Err(mlua::Error::runtime(format!(
                    "time.fixed_zone: {}",
                    location::LocationError::TooLong(name.len())
                )));
            }
            let offset = int_arg(&offset, "fixed_zone", 2, "offset_seconds")?;
            let offset = i32::try_from(offset).map_err(|_| {
                mlua::Error::runtime(format!(
                    "bad argument #2 to 'fixed_zone': offset of {offset} seconds is out of range"
                ))
            })?;
            Ok(LuaLocation(Location::Fixed {
                name: name.into(),
                offset,
            }))
        })?,
    )?;
    t.set(
        "after",
        lua.create_function(|lua, d: LuaValue| match positive(lua, "time.after", &d)? {
            Err(nil_err) => Ok(nil_err),
            Ok(d) => Ok(values([LuaValue::UserData(
                lua.create_userdata(timers::after(d)?)?,
            )])),
        })?,
    )?;
    t.set(
        "timer",
        lua.create_function(|lua, d: LuaValue| match positive(lua, "time.timer", &d)? {
            Err(nil_err) => Ok(nil_err),
            Ok(d) => Ok(values([LuaValue::UserData(
                lua.create_userdata(timers::Timer::start(d)?)?,
            )])),
        })?,
    )?;
    t.set(
        "ticker",
        lua.create_function(|lua, d: LuaValue| match positive(lua, "time.ticker", &d)? {
            Err(nil_err) => Ok(nil_err),
            Ok(d) => Ok(values([LuaValue::UserData(
                lua.create_userdata(timers::Ticker::start(d)?)?,
            )])),
        })?,
    )?;
    for (k, v) in [
        ("NANOSECOND", duration::NANOSECOND),
        ("MICROSECOND", duration::MICROSECOND),
        ("MILLISECOND", duration::MILLISECOND),
        ("SECOND", duration::SECOND),
        ("MINUTE", duration::MINUTE),
        ("HOUR", duration::HOUR),
    ] {
        t.set(k, v)?;
    }
    for (k, v) in layout::LAYOUTS {
        t.set(*k, *v)?;
    }
    const MONTHS: [&str; 12] = [
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
    ];
    for (i, m) in MONTHS.iter().enumerate() {
        t.set(*m, i + 1)?;
    }
    const DAYS: [&str; 7] = [
        "SUNDAY",
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
    ];
    for (i, d) in DAYS.iter().enumerate() {
        t.set(*d, i)?;
    }
    t.set("utc", LuaLocation(Location::Utc))?;
    t.set("localtz", LuaLocation(Location::Local))?;
    Ok(t)
}
