//! A long-running wasm worker of examples/cluster: it runs on a worker node, supervised
//! there, and serves a coordinator on another node that it finds by a cluster-wide name.
//!
//! - on start, sends `hello` to the name `coordinator` (a `process.registry.EVENTUAL`
//!   name, resolved on whatever node holds it), retrying every 100 ms until it is known;
//! - `job {id, n}` → counts the primes below `n` and replies `result {id, n, primes,
//!   worker}` to the sender (a PID of the coordinator's node);
//! - a CANCEL ends it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use troupe_guest::{self as t, Event, Received};

#[derive(Deserialize)]
struct Job {
    id: i64,
    n: u32,
}

#[derive(Serialize)]
struct Done {
    id: i64,
    n: u32,
    primes: u32,
    worker: String,
}

/// Primes below `n`, by trial division (deliberately plain: a job takes a while).
fn primes_below(n: u32) -> u32 {
    (2..n)
        .filter(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
        .count() as u32
}

fn main() {
    let me = t::pid();
    // Announce ourselves; until the coordinator's node is up and its name known here,
    // the send is an error: wait and try again (a receive with a timeout is the sleep).
    loop {
        match t::send("coordinator", "hello", &me) {
            Ok(()) => break,
            Err(_) => {
                if let Some(Received::Event(Event::Cancel { .. })) =
                    t::receive_timeout(Duration::from_millis(100))
                {
                    return;
                }
            }
        }
    }
    t::log::info(&format!("worker {me} announced itself"));
    loop {
        match t::receive() {
            Received::Message(m) if m.topic == "job" => match m.decode::<Job>() {
                Ok(job) => {
                    let done = Done {
                        id: job.id,
                        n: job.n,
                        primes: primes_below(job.n),
                        worker: me.clone(),
                    };
                    let _ = m.reply("result", &done);
                }
                Err(e) => t::log::warn(&format!("bad job: {e}")),
            },
            Received::Event(Event::Cancel { .. }) => return,
            _ => {}
        }
    }
}
