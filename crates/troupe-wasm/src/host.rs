//! The host side of the `troupe:runtime` WIT package (`wit/runtime.wit`): the `process`,
//! `funcs` and `log` interfaces, implemented over the kernel with exactly the semantics
//! Lua processes get (SPEC §3, §6.3). `receive` and `funcs.call` are async: they suspend
//! only the calling wasm process (its fiber), never the worker thread.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use troupe_kernel::{CallRequest, Envelope, Event, KernelError, ProcessError, SpawnRequest};

use crate::codec;
use crate::mailbox::{DeliveryKind, delivery_kind};
use crate::state::State;

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "actor",
    imports: {
        "troupe:runtime/process.receive": async | trappable,
        "troupe:runtime/funcs.call": async | trappable,
        // Async for a spawn on another node's host (SPEC §10), which waits for its answer.
        "troupe:runtime/process.spawn": async | trappable,
        default: trappable,
    },
});

use troupe::runtime::types::{self, Delivery, ErrorKind as WitKind};
use troupe::runtime::{funcs, log, process};

/// Add the three interfaces to `linker`.
///
/// Errors: a name clash in the linker (a bug).
pub fn add_to_linker(linker: &mut wasmtime::component::Linker<State>) -> wasmtime::Result<()> {
    type D = wasmtime::component::HasSelf<State>;
    types::add_to_linker::<State, D>(linker, |s| s)?;
    process::add_to_linker::<State, D>(linker, |s| s)?;
    funcs::add_to_linker::<State, D>(linker, |s| s)?;
    log::add_to_linker::<State, D>(linker, |s| s)?;
    Ok(())
}

/// A kernel error as the WIT `error` record.
pub fn wit_error(e: &ProcessError) -> types::Error {
    use troupe_kernel::ErrorKind as K;
    let kind = match &e.kind {
        K::Unknown | K::Custom(_) => WitKind::Unknown,
        K::Invalid => WitKind::Invalid,
        K::NotFound => WitKind::NotFound,
        K::AlreadyExists => WitKind::AlreadyExists,
        K::PermissionDenied => WitKind::PermissionDenied,
        K::Timeout => WitKind::Timeout,
        K::Canceled => WitKind::Canceled,
        K::Unavailable => WitKind::Unavailable,
        K::Internal => WitKind::Internal,
        K::Conflict => WitKind::Conflict,
        K::RateLimited => WitKind::RateLimited,
    };
    types::Error {
        kind,
        message: e.message.clone(),
    }
}

fn kernel(r: Result<(), KernelError>) -> Result<(), types::Error> {
    r.map_err(|e| wit_error(&e.into()))
}

fn actor(a: &troupe_kernel::security::Actor) -> types::Actor {
    types::Actor {
        id: a.id.clone(),
        meta: serde_json::Value::Object(a.meta.clone()).to_string(),
    }
}

fn delivery(kind: DeliveryKind, env: Envelope) -> Delivery {
    match env {
        Envelope::Message(m) => {
            let msg = types::Message {
                topic: m.topic.to_string(),
                from: m.from.map(|p| p.as_str().to_owned()),
                payload: codec::encode(&m.payload),
                actor: m.actor.as_deref().map(actor),
            };
            // This runs on the guest's fiber (a small stack): no recursive drop.
            troupe_kernel::copy::dispose(m.payload);
            if kind == DeliveryKind::Topic {
                Delivery::Topic(msg)
            } else {
                Delivery::Inbox(msg)
            }
        }
        Envelope::Event(e) => Delivery::Event(match e {
            Event::Exit { from, result } => {
                let (value, error) = match result {
                    Ok(v) => {
                        let bytes = codec::encode(&v);
                        troupe_kernel::copy::dispose(v);
                        (Some(bytes), None)
                    }
                    Err(e) => (None, Some(wit_error(&e))),
                };
                types::Event::Exit(types::Exit {
                    from: from.to_string(),
                    value,
                    error,
                })
            }
            Event::LinkDown { from, reason } => types::Event::LinkDown(types::LinkDown {
                from: from.to_string(),
                reason: wit_error(&reason),
            }),
            Event::Cancel { from, reason } => types::Event::Cancel(types::Cancel {
                from: from.map(|p| p.to_string()),
                reason,
            }),
        }),
    }
}

impl types::Host for State {}

impl process::Host for State {
    fn self_pid(&mut self) -> wasmtime::Result<String> {
        Ok(self.handle.pid.to_string())
    }

    fn args(&mut self) -> wasmtime::Result<Vec<u8>> {
        Ok(codec::encode_args(&self.args))
    }

    fn send(
        &mut self,
        dest: String,
        topic: String,
        payload: Vec<u8>,
    ) -> wasmtime::Result<Result<(), types::Error>> {
        let payload = match codec::decode(&payload, self.max_message()) {
            Ok(v) => v,
            Err(e) => return Ok(Err(wit_error(&e.into()))),
        };
        Ok(kernel(self.node()?.send(
            Some(&self.handle),
            &dest,
            &topic,
            payload,
        )))
    }

    fn listen(&mut self, topic: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.handle.listen(&topic).map(|_| ())))
    }

    fn unlisten(&mut self, topic: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.handle.unlisten(&topic)))
    }

    fn inbox(&mut self) -> wasmtime::Result<()> {
        self.handle.open_inbox();
        Ok(())
    }

    fn events(&mut self) -> wasmtime::Result<()> {
        self.handle.open_events();
        Ok(())
    }

    async fn receive(&mut self, timeout_ms: Option<u64>) -> wasmtime::Result<Option<Delivery>> {
        let handle = self.handle.clone();
        // A zero timeout only looks: no timer (tokio's wheel would round it up to 1 ms).
        let poll_only = timeout_ms == Some(0);
        let mut timer = timeout_ms
            .filter(|ms| *ms > 0)
            .map(|ms| Box::pin(tokio::time::sleep(Duration::from_millis(ms))));
        let got = poll_fn(|cx| {
            // The kernel routes; take the first item of any open route. Register first,
            // then look: a message arriving in between still wakes us.
            handle.register_waker(cx.waker());
            if let Some(item) = handle.take_next() {
                return Poll::Ready(Some(item));
            }
            match &mut timer {
                Some(t) => t.as_mut().poll(cx).map(|()| None),
                None if poll_only => Poll::Ready(None),
                None => Poll::Pending,
            }
        })
        .await;
        Ok(got.map(|(route, env)| {
            // Handed to the guest: its bytes leave the mailbox bound (SPEC §3.6); after a
            // CANCEL, the next one is delivered again.
            match &env {
                Envelope::Message(m) => handle.release(m.charge),
                Envelope::Event(Event::Cancel { .. }) => handle.cancel_taken(),
                Envelope::Event(_) => {}
            }
            delivery(delivery_kind(&route), env)
        }))
    }

    async fn spawn(
        &mut self,
        entry: String,
        host: String,
        args: Vec<u8>,
        link: bool,
        monitor: bool,
    ) -> wasmtime::Result<Result<String, types::Error>> {
        let args = match codec::decode_args(&args, self.max_message()) {
            Ok(a) => a,
            Err(e) => return Ok(Err(wit_error(&e.into()))),
        };
        let host = if host.is_empty() {
            self.handle.pid.host().to_string()
        } else {
            host
        };
        let req = SpawnRequest {
            entry,
            host,
            args,
            link,
            monitor,
            ..Default::default()
        };
        let spawned = match self.node()?.spawn_anywhere(&self.handle, req) {
            Ok(troupe_kernel::Started::Here(pid)) => Ok(pid),
            Ok(troupe_kernel::Started::There(reply)) => reply.await,
            Err(e) => Err(e),
        };
        Ok(spawned
            .map(|pid| pid.to_string())
            .map_err(|e| wit_error(&e.into())))
    }

    fn link(&mut self, dest: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.link(&self.handle, &dest)))
    }

    fn unlink(&mut self, dest: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.unlink(&self.handle, &dest)))
    }

    fn monitor(&mut self, dest: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.monitor(&self.handle, &dest)))
    }

    fn unmonitor(&mut self, dest: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.unmonitor(&self.handle, &dest)))
    }

    fn cancel(
        &mut self,
        dest: String,
        reason: Option<String>,
    ) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.cancel(
            Some(&self.handle),
            &dest,
            reason,
        )))
    }

    fn terminate(&mut self, dest: String) -> wasmtime::Result<Result<(), types::Error>> {
        Ok(kernel(self.node()?.terminate(Some(&self.handle), &dest)))
    }

    fn set_trap_links(&mut self, trap: bool) -> wasmtime::Result<()> {
        self.handle
            .trap_links
            .store(trap, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn register(
        &mut self,
        name: String,
        pid: Option<String>,
    ) -> wasmtime::Result<Result<(), types::Error>> {
        // The one rule both runtimes follow (`Node::register`): a PID, not a name.
        Ok(kernel(self.node()?.register(
            &self.handle,
            &name,
            pid.as_deref(),
        )))
    }

    fn lookup(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        Ok(self.node()?.lookup(&name).map(|p| p.to_string()))
    }

    fn unregister(&mut self, name: String) -> wasmtime::Result<bool> {
        Ok(self.node()?.unregister_name(&name))
    }
}

impl funcs::Host for State {
    async fn call(
        &mut self,
        id: String,
        args: Vec<u8>,
    ) -> wasmtime::Result<Result<Vec<u8>, types::Error>> {
        let args = match codec::decode_args(&args, self.max_message()) {
            Ok(a) => a,
            Err(e) => return Ok(Err(wit_error(&e.into()))),
        };
        let req = CallRequest {
            function: id,
            args,
            ..Default::default()
        };
        let rx = match self.node()?.call(&self.handle, req) {
            Ok((_, rx)) => rx,
            Err(e) => return Ok(Err(wit_error(&e.into()))),
        };
        Ok(match rx.await {
            Ok(v) => Ok(codec::encode(&v)),
            Err(e) => Err(wit_error(&e)),
        })
    }
}

impl log::Host for State {
    fn write(
        &mut self,
        level: log::Level,
        message: String,
        fields: String,
    ) -> wasmtime::Result<()> {
        let (entry, pid): (&str, Arc<str>) = (&self.entry.id, self.handle.pid.to_string().into());
        // One arm per level (tracing needs the level at compile time), with the `fields`
        // key only when the guest passed some.
        macro_rules! emit {
            ($lvl:ident) => {
                if fields.trim().is_empty() {
                    tracing::$lvl!(entry, pid = %pid, "{message}")
                } else {
                    tracing::$lvl!(entry, pid = %pid, fields = %fields, "{message}")
                }
            };
        }
        match level {
            log::Level::Trace => emit!(trace),
            log::Level::Debug => emit!(debug),
            log::Level::Info => emit!(info),
            log::Level::Warn => emit!(warn),
            log::Level::Error => emit!(error),
        }
        Ok(())
    }
}
