//! The test actor for tests/wasm.rs: one wasm process whose behaviour the first spawn
//! argument selects, each mode exercising one part of SPEC §3 from inside wasm.
//!
//! | mode | behaviour |
//! |---|---|
//! | `echo` | replies to every inbox message with topic `echo` and the same payload; `stop` ends it with result `"stopped"` |
//! | `routing DRIVER` | listens to `a` with the inbox closed, takes two `a`s, then opens the inbox and takes two more; reports the sequence to DRIVER |
//! | `monitor DRIVER TARGET` | monitors TARGET and reports its exit to DRIVER |
//! | `trap DRIVER TARGET` | traps links, links TARGET, reports the `link-down` to DRIVER |
//! | `crash [NAME]` | registers NAME, then traps (panics) on the first message; a CANCEL ends it normally |
//! | `idle` | blocks in receive with nothing open |
//! | `cancel DRIVER` | waits for `pid.cancel`, reports the reason to DRIVER, ends with `"clean"` |
//! | `spin` | loops forever without a host call |
//! | `grow` | allocates until memory runs out |
//! | `call DRIVER` | calls `app:double` through `troupe:funcs` for each inbox integer and replies |
//! | `spawn DRIVER` | spawns `app:child` linked and monitored, reports its exit |
//! | `hostcalls DRIVER N` / `asynccalls DRIVER N` | times N trivial sync / async host calls, reports nanoseconds |

use std::time::Duration;

use rmpv::Value;
use troupe_guest::{self as t, Event, Received};

fn report<T: serde::Serialize>(driver: &str, topic: &str, v: &T) {
    if let Err(e) = t::send(driver, topic, v) {
        t::log::error(&format!("cannot report to {driver}: {e}"));
    }
}

fn main() {
    let args: Vec<String> = t::args().unwrap_or_default();
    let mode = args.first().map(String::as_str).unwrap_or("echo");
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match mode {
        "echo" => loop {
            match t::receive() {
                Received::Message(m) if m.topic == "stop" => return,
                Received::Message(m) => {
                    let v: Value = m.value().unwrap_or(Value::Nil);
                    let _ = m.reply("echo", &v);
                }
                Received::Event(Event::Cancel { .. }) => return,
                _ => {}
            }
        },
        "routing" => {
            let driver = arg(1);
            t::listen("a").expect("listen");
            let mut seen: Vec<(String, String, i64)> = Vec::new();
            let take = |seen: &mut Vec<_>| match t::receive_raw(None) {
                Some(Received::Topic(m)) => {
                    seen.push(("topic".into(), m.topic.clone(), m.decode().unwrap_or(-1)))
                }
                Some(Received::Message(m)) => {
                    seen.push(("inbox".into(), m.topic.clone(), m.decode().unwrap_or(-1)))
                }
                _ => {}
            };
            report(&driver, "ready", &true);
            take(&mut seen);
            take(&mut seen);
            t::inbox();
            take(&mut seen);
            take(&mut seen);
            report(&driver, "report", &seen);
        }
        "monitor" | "trap" => {
            let (driver, target) = (arg(1), arg(2));
            t::events();
            if mode == "monitor" {
                t::monitor(&target).expect("monitor");
            } else {
                t::set_trap_links(true);
                t::link(&target).expect("link");
            }
            report(&driver, "ready", &true);
            loop {
                match t::receive_raw(None) {
                    Some(Received::Event(Event::Exit { from, result })) => {
                        let text = match result {
                            Ok(v) => format!("ok {}", t::decode::<Value>(&v).unwrap_or(Value::Nil)),
                            Err(e) => format!("error {}", e.message),
                        };
                        report(&driver, "exit", &(from == target, text));
                        return;
                    }
                    Some(Received::Event(Event::LinkDown { from, reason })) => {
                        report(&driver, "link_down", &(from == target, reason.message));
                        return;
                    }
                    _ => {}
                }
            }
        }
        "crash" => {
            if let Some(name) = args.get(1) {
                t::register(name).expect("register");
            }
            if let Received::Event(Event::Cancel { .. }) = t::receive() {
                return;
            }
            panic!("crashing on purpose");
        }
        "idle" => {
            let _ = t::receive_raw(None);
        }
        "cancel" => {
            let driver = arg(1);
            t::events();
            report(&driver, "ready", &true);
            loop {
                if let Some(Received::Event(Event::Cancel { reason, .. })) = t::receive_raw(None) {
                    report(&driver, "canceled", &reason);
                    // Clean up, then end normally with a result.
                    std::thread::sleep(Duration::from_millis(10));
                    let _ = t::send(&driver, "result", &"clean");
                    return;
                }
            }
        }
        "spin" => {
            let mut x: u64 = 0;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        "grow" => {
            let mut hold: Vec<Vec<u8>> = Vec::new();
            loop {
                hold.push(vec![1u8; 1 << 20]);
            }
        }
        "call" => loop {
            match t::receive() {
                Received::Message(m) if m.topic == "n" => {
                    let n: i64 = m.decode().unwrap_or(0);
                    let r: Result<i64, t::Error> = t::call("app:double", &(n,));
                    let _ = match r {
                        Ok(v) => m.reply("doubled", &v),
                        Err(e) => m.reply("call_error", &e.message),
                    };
                }
                Received::Message(m) if m.topic == "stop" => return,
                _ => {}
            }
        },
        "spawn" => {
            let driver = arg(1);
            t::events();
            let child = t::spawn_with(
                "app:child",
                &("from wasm",),
                t::SpawnOptions {
                    monitor: true,
                    ..Default::default()
                },
            )
            .expect("spawn");
            if let Some(Received::Event(Event::Exit { from, result })) = t::receive_raw(None) {
                let v = result
                    .ok()
                    .and_then(|v| t::decode::<String>(&v).ok())
                    .unwrap_or_default();
                report(&driver, "child_exit", &(from == child, v));
            }
        }
        "hostcalls" | "asynccalls" => {
            // Benchmark: N trivial host calls (sync `set-trap-links`, or async `receive`
            // with a zero timeout on an empty mailbox); replies the elapsed nanoseconds.
            let (driver, n) = (arg(1), arg(2).parse::<u64>().unwrap_or(0));
            let t0 = std::time::Instant::now();
            for _ in 0..n {
                if mode == "hostcalls" {
                    t::set_trap_links(false);
                } else {
                    let _ = t::receive_raw(Some(Duration::ZERO));
                }
            }
            report(&driver, "elapsed_ns", &(t0.elapsed().as_nanos() as u64));
        }
        other => panic!("unknown mode {other}"),
    }
}
