//! The poll driver of every process: [`run_process`] drives a runtime's body on its
//! worker, honours kill requests between polls, turns a panic into an error exit, sends
//! the "running" signal after the first blocked slice, and does the exit bookkeeping.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::Node;
use crate::process::ProcessRef;
use crate::runtime::ProcessBody;
use crate::{ErrorKind, ExitResult, ProcessError};

/// Drives a body, honours kill requests, turns panics into error exits and does the exit
/// bookkeeping.
pub(super) async fn run_process(
    node: Node,
    handle: ProcessRef,
    body: ProcessBody,
    wants_ready: bool,
) {
    let result = Guarded {
        handle: handle.clone(),
        body,
        starting: wants_ready,
    }
    .await;
    node.exit(&handle, result);
}

struct Guarded {
    handle: ProcessRef,
    body: ProcessBody,
    /// A spawner waits for the "running" signal, not yet sent.
    starting: bool,
}

impl Future for Guarded {
    type Output = ExitResult;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitResult> {
        if let Some(reason) = self.handle.kill_reason() {
            return Poll::Ready(Err(reason));
        }
        self.handle.steps.fetch_add(1, Ordering::Relaxed);
        let this = &mut *self;
        let polled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| this.body.as_mut().poll(cx)));
        match polled {
            Ok(Poll::Pending) => match self.handle.kill_reason() {
                Some(reason) => Poll::Ready(Err(reason)),
                None => {
                    // Running = the first slice ended blocked on something, not yielded.
                    if self.starting && !self.handle.yielded.swap(false, Ordering::Relaxed) {
                        self.starting = false;
                        if let Some(tx) = self.handle.take_ready() {
                            let _ = tx.send(());
                        }
                    }
                    Poll::Pending
                }
            },
            Ok(Poll::Ready(r)) => Poll::Ready(r),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                Poll::Ready(Err(ProcessError::new(
                    ErrorKind::Internal,
                    format!("process panicked: {msg}"),
                )))
            }
        }
    }
}
