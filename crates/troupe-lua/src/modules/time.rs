//! The `time` module (SPEC §5): `sleep(d)`, `after(d)` → channel, `timer(d)`,
//! `ticker(d)`, `now()`, `since(t)`. Durations are strings such as `"250ms"`, `"5s"`,
//! `"1m"` (humantime syntax) or numbers of milliseconds. Waits are worker timers: the
//! sleeping process costs no thread and no CPU (SPEC §3.5).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use chrono::{DateTime, Utc};
use mlua::{Lua, MetaMethod, Table, UserData, UserDataMethods, Value as LuaValue};

use crate::channel::Channel;

/// Parse a duration argument (see [`crate::duration::from_lua`]).
///
/// Errors (raised, as Troupe's `time` does for bad durations): NaN, infinities, negative,
/// longer than [`crate::duration::MAX_DURATION`], unparsable strings, other types.
pub fn duration(v: &LuaValue) -> mlua::Result<Duration> {
    Ok(crate::duration::from_lua(v)?)
}

/// A point in time (`time.now()`).
#[derive(Clone, Copy)]
pub struct LuaTime(pub DateTime<Utc>);

/// A duration value.
#[derive(Clone, Copy)]
pub struct LuaDuration(pub Duration);

impl UserData for LuaDuration {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("milliseconds", |_, d, ()| Ok(d.0.as_secs_f64() * 1000.0));
        m.add_method("seconds", |_, d, ()| Ok(d.0.as_secs_f64()));
        m.add_method("nanoseconds", |_, d, ()| Ok(d.0.as_nanos() as f64));
        m.add_meta_method(MetaMethod::ToString, |_, d, ()| Ok(format!("{:?}", d.0)));
    }
}

impl UserData for LuaTime {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("unix", |_, t, ()| Ok(t.0.timestamp()));
        m.add_method("unix_milli", |_, t, ()| Ok(t.0.timestamp_millis()));
        m.add_method("unix_nano", |_, t, ()| {
            Ok(t.0.timestamp_nanos_opt().unwrap_or(0) as f64)
        });
        m.add_method("format", |_, t, fmt: Option<String>| {
            let Some(f) = fmt else {
                return Ok(t.0.to_rfc3339());
            };
            // chrono's `to_string` panics on an invalid specifier; `write!` reports it.
            let mut out = String::new();
            std::fmt::Write::write_fmt(&mut out, format_args!("{}", t.0.format(&f))).map_err(
                |_| {
                    mlua::Error::runtime(format!(
                        "invalid time format {f:?}: expected strftime specifiers such as \"%Y-%m-%d %H:%M:%S\""
                    ))
                },
            )?;
            Ok(out)
        });
        m.add_method("sub", |_, t, o: mlua::UserDataRef<LuaTime>| {
            Ok(LuaDuration(since(o.0, t.0)))
        });
        m.add_meta_method(MetaMethod::ToString, |_, t, ()| Ok(t.0.to_rfc3339()));
        m.add_meta_method(MetaMethod::Eq, |_, a, b: mlua::UserDataRef<LuaTime>| {
            Ok(a.0 == b.0)
        });
        m.add_meta_method(MetaMethod::Lt, |_, a, b: mlua::UserDataRef<LuaTime>| {
            Ok(a.0 < b.0)
        });
        m.add_meta_method(MetaMethod::Le, |_, a, b: mlua::UserDataRef<LuaTime>| {
            Ok(a.0 <= b.0)
        });
    }
}

fn since(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or(Duration::ZERO)
}

/// Yield once to the worker (what `sleep(0)` does).
struct YieldNow(bool);
impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// A timer: `:channel()`, `:stop()`, `:reset(d)`.
pub struct Timer {
    channel: Channel,
    task: Option<tokio::task::JoinHandle<()>>,
    every: bool,
}

impl Timer {
    fn start(d: Duration, every: bool) -> Timer {
        let channel = Channel::new(usize::MAX, true);
        let task = Some(schedule(&channel, d, every));
        Timer {
            channel,
            task,
            every,
        }
    }
}

fn schedule(ch: &Channel, d: Duration, every: bool) -> tokio::task::JoinHandle<()> {
    let ch = ch.clone();
    tokio::task::spawn_local(async move {
        if every {
            let mut iv = tokio::time::interval_at(
                tokio::time::Instant::now() + d,
                d.max(Duration::from_micros(100)),
            );
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                iv.tick().await;
                if ch.is_closed() {
                    return;
                }
                ch.push(LuaValue::Boolean(true));
            }
        } else {
            tokio::time::sleep(d).await;
            ch.push(LuaValue::Boolean(true));
        }
    })
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl UserData for Timer {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        m.add_method("channel", |_, t, ()| Ok(t.channel.clone()));
        m.add_method_mut("stop", |_, t, ()| {
            let Some(h) = t.task.take() else {
                return Ok(false);
            };
            let was = !h.is_finished();
            h.abort();
            Ok(was)
        });
        m.add_method_mut("reset", |_, t, d: LuaValue| {
            let d = duration(&d)?;
            if let Some(h) = t.task.take() {
                h.abort();
            }
            t.task = Some(schedule(&t.channel, d, t.every));
            Ok(true)
        });
    }
}

/// Build the module table.
pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "sleep",
        lua.create_async_function(|_, d: LuaValue| {
            // mlua boxes the future in a userdata first: on its fast path.
            let fast = crate::process::fast_guard();
            async move {
                drop(fast);
                let d = duration(&d)?;
                if d.is_zero() {
                    YieldNow(false).await;
                } else {
                    tokio::time::sleep(d).await;
                }
                Ok(())
            }
        })?,
    )?;
    t.set(
        "after",
        lua.create_function(|_, d: LuaValue| {
            let d = duration(&d)?;
            let ch = Channel::new(1, true);
            let c2 = ch.clone();
            tokio::task::spawn_local(async move {
                tokio::time::sleep(d).await;
                c2.push(LuaValue::Boolean(true));
            });
            Ok(ch)
        })?,
    )?;
    t.set(
        "timer",
        lua.create_function(|_, d: LuaValue| Ok(Timer::start(duration(&d)?, false)))?,
    )?;
    t.set(
        "ticker",
        lua.create_function(|_, d: LuaValue| Ok(Timer::start(duration(&d)?, true)))?,
    )?;
    t.set("now", lua.create_function(|_, ()| Ok(LuaTime(Utc::now())))?)?;
    t.set(
        "since",
        lua.create_function(|_, t: mlua::UserDataRef<LuaTime>| {
            Ok(LuaDuration(since(t.0, Utc::now())))
        })?,
    )?;
    t.set(
        "parse_duration",
        lua.create_function(|_, d: LuaValue| Ok(LuaDuration(duration(&d)?)))?,
    )?;
    t.set("MILLISECOND", 1)?;
    t.set("SECOND", 1000)?;
    t.set("MINUTE", 60_000)?;
    Ok(t)
}
