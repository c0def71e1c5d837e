//! The wasm half of the routing equivalence tests (tests/routing.rs): each scenario of
//! SPEC §3.2 that `tests/apps/routing` also runs from Lua (`app:lua_scenario`), reporting
//! what it observed, line by line, to the driver. The Rust test asserts both reports are
//! the same list.
//!
//! Arguments: `[scenario, driver, dead_pid]`. Lines: `"<route> <topic> <n>"` for a
//! message taken (`topic`/`inbox`), `"cancel <reason>"` for a CANCEL, `"none"` when
//! nothing is deliverable, `"<step>: ok"` / `"<step>: <ErrorKind>"` for a call's outcome.

use troupe_guest::{self as t, ErrorKind, Event, Received};

fn kind(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Unknown => "",
        ErrorKind::Invalid => "Invalid",
        ErrorKind::NotFound => "NotFound",
        ErrorKind::AlreadyExists => "AlreadyExists",
        ErrorKind::PermissionDenied => "PermissionDenied",
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Canceled => "Canceled",
        ErrorKind::Unavailable => "Unavailable",
        ErrorKind::Internal => "Internal",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::RateLimited => "RateLimited",
    }
}

fn outcome(step: &str, r: Result<(), t::Error>) -> String {
    match r {
        Ok(()) => format!("{step}: ok"),
        Err(e) => format!("{step}: {}", kind(e.kind)),
    }
}

/// One line for what `receive` hands over now (none: `"none"`); `wait` blocks for it.
fn take(wait: bool) -> String {
    let got = if wait {
        t::receive_raw(None)
    } else {
        t::receive_raw(Some(std::time::Duration::ZERO))
    };
    match got {
        None => "none".into(),
        Some(Received::Topic(m)) => {
            format!("topic {} {}", m.topic, m.decode::<i64>().unwrap_or(-1))
        }
        Some(Received::Message(m)) => {
            format!("inbox {} {}", m.topic, m.decode::<i64>().unwrap_or(-1))
        }
        Some(Received::Event(Event::Cancel { reason, .. })) => {
            format!("cancel {}", reason.unwrap_or_default())
        }
        Some(Received::Event(_)) => "other event".into(),
    }
}

fn to_self(topic: &str, n: i64) {
    if let Err(e) = t::send(&t::pid(), topic, &n) {
        t::log::error(&format!("send to self: {e}"));
    }
}

fn main() {
    let args: Vec<String> = t::args().unwrap_or_default();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let (scenario, driver, dead) = (arg(0), arg(1), arg(2));
    let me = t::pid();
    let mut lines: Vec<String> = Vec::new();
    match scenario.as_str() {
        "bad_topics" => {
            lines.push(outcome("listen @x", t::listen("@x")));
            lines.push(outcome("listen empty", t::listen("")));
            lines.push(outcome("listen long", t::listen(&"x".repeat(2000))));
            lines.push(outcome("send @x", t::send(&me, "@x", &1)));
            lines.push(outcome("unlisten never", t::unlisten("never")));
            lines.push(outcome("listen t", t::listen("t")));
            lines.push(outcome("listen t again", t::listen("t")));
            to_self("t", 1);
            lines.push(take(true));
            lines.push(take(false));
        }
        "register" => {
            lines.push(outcome("self", t::register_pid("eq_self", &me)));
            lines.push(outcome("self again", t::register_pid("eq_self", &me)));
            lines.push(outcome("own, no pid", t::register("eq_own")));
            lines.push(outcome("a name", t::register_pid("eq_alias", "eq_self")));
            lines.push(outcome("not a pid", t::register_pid("eq_bad", "{nope}")));
            lines.push(outcome("dead pid", t::register_pid("eq_dead", &dead)));
            lines.push(outcome("taken", t::register("eq_taken")));
            lines.push(format!(
                "lookup {}",
                t::lookup("eq_self").as_deref() == Some(me.as_str())
            ));
        }
        "queued" => {
            for (topic, n) in [("b", 1), ("a", 2), ("b", 3), ("a", 4)] {
                to_self(topic, n);
            }
            lines.push(outcome("listen a", t::listen("a")));
            lines.push(take(true));
            lines.push(take(true));
            lines.push(take(false));
            t::inbox();
            lines.push(take(true));
            lines.push(take(true));
            lines.push(take(false));
        }
        "listen_after_inbox" => {
            t::inbox();
            to_self("t", 1);
            lines.push(outcome("listen t", t::listen("t")));
            to_self("t", 2);
            lines.push(take(true));
            lines.push(take(true));
            lines.push(take(false));
        }
        "unlisten" => {
            lines.push(outcome("listen t", t::listen("t")));
            to_self("t", 1);
            to_self("t", 2);
            lines.push(take(true));
            lines.push(outcome("unlisten t", t::unlisten("t")));
            lines.push(outcome("unlisten t again", t::unlisten("t")));
            t::inbox();
            to_self("t", 3);
            lines.push(take(true));
            lines.push(take(true));
            lines.push(take(false));
        }
        "events" => {
            to_self("m", 9);
            for r in ["r1", "r2"] {
                lines.push(outcome(&format!("cancel {r}"), t::cancel(&me, Some(r))));
            }
            t::events();
            lines.push(take(true));
            lines.push(take(false));
            lines.push(outcome("cancel r3", t::cancel(&me, Some("r3"))));
            lines.push(take(true));
            t::inbox();
            lines.push(take(true));
            lines.push(take(false));
        }
        other => lines.push(format!("unknown scenario {other}")),
    }
    if let Err(e) = t::send(&driver, "report", &lines) {
        t::log::error(&format!("cannot report to {driver}: {e}"));
    }
}
