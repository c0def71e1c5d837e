//! `troupe test` (SPEC §8): discover the application's Lua tests and run them.
//!
//! A test is a `function.lua` entry whose `meta.type` is `test`. It passes when it
//! returns `true`; it fails when it returns anything else (`false`/`nil` plus a reason is
//! the convention), raises an error, cannot load (an unknown module, a library that does
//! not load, …) or runs past the per-test timeout. Tests run concurrently, at most
//! `jobs` at a time, each as its own process on the default host with no actor or scope
//! (tests of SPEC §7 build their own with `with_actor`/`with_scope` or talk to services
//! that have a `lifecycle.security`). The application's auto-start services run
//! meanwhile, as under `troupe run`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use troupe_kernel::{ErrorKind, ExitResult, SpawnRequest, Value};
use troupe_registry::{Kind, Registry};

use crate::App;

/// One test's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Entry ID of the test.
    pub id: String,
    /// `None` when it passed; otherwise why it failed.
    pub failure: Option<String>,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

/// The IDs of the tests in `registry`, sorted, keeping those `filter` matches: a
/// pattern with `*` wildcards must match the whole ID; without `*` it matches as a
/// substring (`--filter channels`, `--filter 'app.test:spawn_*'`).
pub fn discover(registry: &Registry, filter: Option<&str>) -> Vec<String> {
    let mut ids: Vec<String> = registry
        .entries
        .values()
        .filter(|e| matches!(e.kind, Kind::FunctionLua(_)))
        .filter(|e| e.meta.get("type").and_then(|t| t.as_str()) == Some("test"))
        .map(|e| e.id.clone())
        .filter(|id| filter.is_none_or(|f| matches_filter(f, id)))
        .collect();
    ids.sort();
    ids
}

/// `*`-wildcard match over the whole text, or a substring match without `*`.
fn matches_filter(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return text.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    let Some(mut rest) = text.strip_prefix(first).and_then(|t| t.strip_suffix(last)) else {
        return false;
    };
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Why a test's exit result is a failure, or `None` for a pass.
pub fn verdict(r: &ExitResult) -> Option<String> {
    match r {
        Ok(Value::Bool(true)) => None,
        Ok(Value::Bool(false)) => Some("returned false".into()),
        Ok(Value::Nil) => Some("returned nil".into()),
        Ok(v) => Some(format!(
            "returned {}; a test returns true, or false/nil plus a reason",
            v.display()
        )),
        // `error("...")` and `return false, "reason"`: the message says it all.
        Err(e) if matches!(e.kind, ErrorKind::Unknown | ErrorKind::Internal) => {
            Some(e.message.clone())
        }
        Err(e) => Some(format!("{} ({})", e.message, e.kind.as_str())),
    }
}

/// Run `ids` on `app`, at most `jobs` at once, each limited to `timeout`; `done` is told
/// of each outcome as it completes. Returns the outcomes in completion order.
///
/// Must be called inside a tokio runtime (the caller's; the tests themselves run on the
/// app's hosts).
pub async fn run(
    app: &App,
    ids: &[String],
    jobs: usize,
    timeout: Duration,
    mut done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let mut stream = futures::stream::iter(ids.iter().cloned())
        .map(|id| async move {
            let start = Instant::now();
            let failure = run_one(app, &id, timeout).await;
            Outcome {
                id,
                failure,
                elapsed: start.elapsed(),
            }
        })
        .buffer_unordered(jobs.max(1));
    let mut out = Vec::with_capacity(ids.len());
    while let Some(o) = stream.next().await {
        done(&o);
        out.push(o);
    }
    out
}

async fn run_one(app: &App, id: &str, timeout: Duration) -> Option<String> {
    let req = SpawnRequest {
        entry: id.to_string(),
        host: app.default_host.clone(),
        ..Default::default()
    };
    let (pid, rx) = match app.node.spawn(None, req, true) {
        Ok((pid, Some(rx))) => (pid, rx),
        Ok((_, None)) => return Some("the test did not start".into()),
        Err(e) => return Some(format!("cannot start: {e}")),
    };
    match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(r)) => verdict(&r),
        Ok(Err(_)) => Some("the test process vanished without a result".into()),
        Err(_) => {
            app.node
                .kill(&pid, troupe_kernel::ProcessError::terminated());
            Some(format!(
                "timed out after {}",
                humantime::format_duration(timeout)
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert!(matches_filter("chan", "app.test:channels"));
        assert!(!matches_filter("spawn", "app.test:channels"));
        assert!(matches_filter("app.test:*", "app.test:channels"));
        assert!(matches_filter("*:chan*ls", "app.test:channels"));
        assert!(matches_filter("*", "x"));
        assert!(!matches_filter("app.*:x", "app.test:channels"));
        assert!(!matches_filter("a*a", "a"));
        assert!(matches_filter("a*a", "aa"));
        assert!(!matches_filter("*é", "xé-"), "no panic off a char boundary");
        assert!(matches_filter("app.*:é*", "app.t:été"));
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(&Ok(Value::Bool(true))), None);
        assert_eq!(
            verdict(&Ok(Value::Bool(false))).as_deref(),
            Some("returned false")
        );
        assert!(verdict(&Ok(Value::Int(1))).is_some());
        let e = troupe_kernel::ProcessError::new(troupe_kernel::ErrorKind::Unknown, "x != y");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("x != y"));
        let e = troupe_kernel::ProcessError::new(ErrorKind::Internal, "boom");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("boom"));
        let e = troupe_kernel::ProcessError::new(ErrorKind::PermissionDenied, "no");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("no (PermissionDenied)"));
    }
}
