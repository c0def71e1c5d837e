//! Why a process is a tokio local task and not a ractor actor: this measures the bare
//! cost of each mechanism (no Lua) for spawn + exit and for a message round trip.
//! Run with `cargo bench --bench mechanism`; the figures are quoted in ARCHITECTURE.md.
//! They are not SPEC §9 rows (no budget); `TROUPE_BENCH_JSON=path` appends them to `path`.

mod common;

use std::time::Instant;

use common::{Better, Budget, Figure, header, report};

use ractor::{Actor, ActorProcessingErr, ActorRef};

struct Echo;

/// A reply port: ractor's `cluster` feature (on in the workspace for `troupe-cluster`)
/// asks every message type to implement `ractor::Message` itself.
struct Ask(tokio::sync::oneshot::Sender<u64>);

impl ractor::Message for Ask {}

impl Actor for Echo {
    type Msg = Ask;
    type State = u64;
    type Arguments = ();
    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }
    async fn handle(
        &self,
        _: ActorRef<Self::Msg>,
        msg: Self::Msg,
        st: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        *st += 1;
        let _ = msg.0.send(*st);
        Ok(())
    }
}

fn main() {
    let n = 20_000u64;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // ractor: spawn + stop + wait.
    let t = Instant::now();
    rt.block_on(async {
        for _ in 0..n {
            let (a, h) = Actor::spawn(None, Echo, ()).await.expect("spawn");
            a.stop(None);
            let _ = h.await;
        }
    });
    let ractor_spawn = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    // ractor: request/reply round trip.
    let t = Instant::now();
    rt.block_on(async {
        let (a, h) = Actor::spawn(None, Echo, ()).await.expect("spawn");
        for _ in 0..n {
            let (tx, rx) = tokio::sync::oneshot::channel();
            a.send_message(Ask(tx)).expect("send");
            let _ = rx.await;
        }
        a.stop(None);
        let _ = h.await;
    });
    let ractor_rt = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    // tokio local task: spawn + exit + join.
    let local = tokio::task::LocalSet::new();
    let t = Instant::now();
    local.block_on(&rt, async {
        for _ in 0..n {
            let h = tokio::task::spawn_local(async { 1u64 });
            let _ = h.await;
        }
    });
    let task_spawn = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    // tokio local task: round trip through an unbounded channel pair.
    let t = Instant::now();
    local.block_on(&rt, async {
        let (tx, mut rx) =
            tokio::sync::mpsc::unbounded_channel::<tokio::sync::oneshot::Sender<u64>>();
        let h = tokio::task::spawn_local(async move {
            let mut c = 0;
            while let Some(r) = rx.recv().await {
                c += 1;
                let _ = r.send(c);
            }
        });
        for _ in 0..n {
            let (otx, orx) = tokio::sync::oneshot::channel();
            let _ = tx.send(otx);
            let _ = orx.await;
        }
        drop(tx);
        let _ = h.await;
    });
    let task_rt = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    header();
    for (name, value) in [
        ("ractor actor spawn + stop", ractor_spawn),
        ("ractor message round trip", ractor_rt),
        ("tokio local task spawn + exit", task_spawn),
        ("tokio local task round trip", task_rt),
    ] {
        report(&Figure {
            name,
            value,
            unit: "us",
            better: Better::Lower,
            budget: Budget::None,
            otp: None,
        });
    }
}
