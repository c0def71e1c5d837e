//! A long-running wasm actor: registers as `pong`, answers every `ping {n, text}` with
//! `pong {n, text}` (text upper-cased, so the wasm side does some work), and stops on
//! CANCEL. Built for wasm32-wasip2 by `cargo xtask guests`.

use serde::{Deserialize, Serialize};
use troupe_guest::{self as t, Event, Received};

#[derive(Deserialize)]
struct Ping {
    n: i64,
    text: String,
}

#[derive(Serialize)]
struct Pong {
    n: i64,
    text: String,
}

fn main() {
    if let Err(e) = t::register("pong") {
        t::log::error(&format!("cannot register as pong: {e}"));
        return;
    }
    t::log::info("wasm pong ready");
    let mut served = 0u64;
    loop {
        match t::receive() {
            Received::Message(m) if m.topic == "ping" => match m.decode::<Ping>() {
                Ok(p) => {
                    served += 1;
                    let _ = m.reply(
                        "pong",
                        &Pong {
                            n: p.n,
                            text: p.text.to_uppercase(),
                        },
                    );
                }
                Err(e) => t::log::warn(&format!("bad ping: {e}")),
            },
            Received::Event(Event::Cancel { .. }) => {
                t::log::info(&format!("wasm pong stopping after {served} pings"));
                return;
            }
            _ => {}
        }
    }
}
