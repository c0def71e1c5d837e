//! The Time object of the `time` module (WIPPY-API.md §6): Go's `time.Time` methods in
//! snake case. No `__eq`/`__lt`/`__sub`, as Wippy: `t1 == t2` compares identity; use
//! `t:equal(u)`, `t:before(u)`, `t:after(u)`, `t:sub(u)`.
//!
//! Failure convention: a wrong argument (a bad duration, a non-Time, a non-Duration for
//! `round`/`truncate`, an over-long layout) or a result outside the range of a Time
//! raises an error naming the method.

use mlua::{MetaMethod, UserData, UserDataMethods, UserDataRef, Value as LuaValue};

use super::duration::{LuaDuration, arg as duration_arg};
use super::layout;
use super::location::{Location, LuaLocation};
use super::value::GoTime;

/// A Time (`time.now()`, `time.date(...)`, `time.parse(...)`, timer values).
#[derive(Clone, Debug)]
pub struct LuaTime(pub GoTime);

fn raise(method: &str, e: impl std::fmt::Display) -> mlua::Error {
    mlua::Error::runtime(format!("time: {method}: {e}"))
}

/// A whole number from Lua for a calendar field (`add_date`, `time.date`).
pub(super) fn whole(v: &LuaValue, what: &str) -> Result<i64, String> {
    match v {
        LuaValue::Integer(i) => Ok(*i),
        LuaValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.2e18 => Ok(*n as i64),
        LuaValue::Number(n) => Err(format!("{what} must be a whole number, got {n}")),
        other => Err(format!(
            "{what} must be an integer, got {}",
            other.type_name()
        )),
    }
}

/// A Duration object argument (`round`, `truncate`: Wippy takes only Durations there).
fn duration_object(v: &LuaValue, method: &str) -> mlua::Result<i64> {
    match v {
        LuaValue::UserData(ud) => match ud.borrow::<LuaDuration>() {
            Ok(d) => Ok(d.0),
            Err(_) => Err(raise(method, "expected a Duration (time.parse_duration)")),
        },
        other => Err(raise(
            method,
            format!(
                "expected a Duration (time.parse_duration), got a {}",
                other.type_name()
            ),
        )),
    }
}

impl UserData for LuaTime {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("add", |_, t, d: LuaValue| {
            let d = duration_arg(&d).map_err(|e| raise("add", e))?;
            Ok(LuaTime(t.0.add(d).map_err(|e| raise("add", e))?))
        });
        m.add_method("sub", |_, t, u: UserDataRef<LuaTime>| {
            Ok(LuaDuration(t.0.sub(&u.0)))
        });
        m.add_method(
            "add_date",
            |_, t, (y, mo, d): (LuaValue, LuaValue, LuaValue)| {
                let y = whole(&y, "years").map_err(|e| raise("add_date", e))?;
                let mo = whole(&mo, "months").map_err(|e| raise("add_date", e))?;
                let d = whole(&d, "days").map_err(|e| raise("add_date", e))?;
                Ok(LuaTime(
                    t.0.add_date(y, mo, d).map_err(|e| raise("add_date", e))?,
                ))
            },
        );
        m.add_method("after", |_, t, u: UserDataRef<LuaTime>| {
            Ok(t.0.nanos() > u.0.nanos())
        });
        m.add_method("before", |_, t, u: UserDataRef<LuaTime>| {
            Ok(t.0.nanos() < u.0.nanos())
        });
        m.add_method("equal", |_, t, u: UserDataRef<LuaTime>| {
            Ok(t.0.nanos() == u.0.nanos())
        });
        m.add_method("format", |_, t, l: mlua::LuaString| {
            layout::format(&t.0, &l.to_str()?).map_err(|e| raise("format", e))
        });
        m.add_method("format_rfc3339", |_, t, ()| {
            layout::format(&t.0, "2006-01-02T15:04:05Z07:00").map_err(|e| raise("format", e))
        });
        m.add_method("unix", |_, t, ()| Ok(t.0.unix));
        m.add_method("unix_nano", |_, t, ()| {
            // Go: undefined outside int64; saturated here.
            Ok(t.0
                .nanos()
                .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
        });
        m.add_method("date", |_, t, ()| {
            let f = t.0.fields();
            Ok((f.year, f.month, f.day))
        });
        m.add_method("clock", |_, t, ()| {
            let f = t.0.fields();
            Ok((f.hour, f.minute, f.second))
        });
        m.add_method("year", |_, t, ()| Ok(t.0.fields().year));
        m.add_method("month", |_, t, ()| Ok(t.0.fields().month));
        m.add_method("day", |_, t, ()| Ok(t.0.fields().day));
        m.add_method("hour", |_, t, ()| Ok(t.0.fields().hour));
        m.add_method("minute", |_, t, ()| Ok(t.0.fields().minute));
        m.add_method("second", |_, t, ()| Ok(t.0.fields().second));
        m.add_method("nanosecond", |_, t, ()| Ok(t.0.nsec));
        m.add_method("weekday", |_, t, ()| Ok(t.0.fields().weekday));
        m.add_method("year_day", |_, t, ()| Ok(t.0.fields().yday));
        m.add_method("is_zero", |_, t, ()| Ok(t.0.is_zero()));
        m.add_method("in_location", |_, t, l: UserDataRef<LuaLocation>| {
            Ok(LuaTime(t.0.with_loc(l.0.clone())))
        });
        m.add_method("location", |_, t, ()| Ok(LuaLocation(t.0.loc.clone())));
        m.add_method("utc", |_, t, ()| Ok(LuaTime(t.0.with_loc(Location::Utc))));
        m.add_method("in_local", |_, t, ()| {
            Ok(LuaTime(t.0.with_loc(Location::Local)))
        });
        m.add_method("round", |_, t, d: LuaValue| {
            let d = duration_object(&d, "round")?;
            Ok(LuaTime(t.0.round(d).map_err(|e| raise("round", e))?))
        });
        m.add_method("truncate", |_, t, d: LuaValue| {
            let d = duration_object(&d, "truncate")?;
            Ok(LuaTime(t.0.truncate(d).map_err(|e| raise("truncate", e))?))
        });
        m.add_meta_method(MetaMethod::ToString, |_, t, ()| {
            layout::format(&t.0, layout::STRING_LAYOUT).map_err(|e| raise("tostring", e))
        });
    }
}
