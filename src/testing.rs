//! `troupe test` (SPEC §8, WIPPY-API.md §11): discover the application's tests, group and
//! order them as Wippy's runner does, run them and judge each result.
//!
//! - A test is any entry whose `meta.type` is `test` (a `function.lua` usually; a kind that
//!   cannot run fails with why).
//! - Verdict (as Wippy): a test passes unless it raises an error, returns `false` ("test
//!   returned false"), or returns an error as its second value (`return false, "why"` and
//!   `return nil, err` fail with that reason). `true`, `nil`, tables, numbers pass. A test
//!   that cannot load (an unknown module, a library that does not load, …) or runs past the
//!   per-test timeout fails too.
//! - Grouping: by `meta.suite`, suites alphabetically, tests without a suite last as
//!   "other"; within a suite by `meta.order` ascending (a number, default 0), then by ID.
//! - Concurrency: a suite in which any test has `meta.order` runs one test at a time in that
//!   order; the tests of other suites run concurrently, at most `jobs` at a time (Troupe's
//!   default; Wippy runs every test one at a time). Suites run one after another.
//! - Each test runs as its own process on the default host with no actor or scope (tests of
//!   SPEC §7 build their own with `with_actor`/`with_scope` or talk to services that have a
//!   `lifecycle.security`). The application's auto-start services run meanwhile, as under
//!   `troupe run`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use troupe_kernel::{ErrorKind, ExitResult, SpawnRequest, Value};
use troupe_registry::{Entry, Registry};

use crate::App;

/// The name of the group of tests without `meta.suite` (run last, as Wippy).
pub const NO_SUITE: &str = "other";

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

/// The tests of one suite, in the order they start.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// `meta.suite`, or [`NO_SUITE`].
    pub name: String,
    /// Some test of the suite has `meta.order`: the tests run one at a time, in order.
    pub ordered: bool,
    /// Entry IDs, sorted by `meta.order` then ID.
    pub tests: Vec<String>,
}

/// The application's tests that any of `filters` matches (all when empty), grouped into
/// suites in run order. A pattern with `*` wildcards must match the whole ID; without `*`
/// it matches as a substring (`--filter channels`, `--filter 'app.test:spawn_*'`).
pub fn discover(registry: &Registry, filters: &[String]) -> Vec<Suite> {
    struct Found<'a> {
        entry: &'a Entry,
        order: f64,
    }
    let mut named: std::collections::BTreeMap<String, Vec<Found>> = Default::default();
    let mut other: Vec<Found> = Vec::new();
    for e in registry.entries.values() {
        if e.meta.get("type").and_then(|t| t.as_str()) != Some("test") {
            continue;
        }
        if !filters.is_empty() && !filters.iter().any(|f| matches_filter(f, &e.id)) {
            continue;
        }
        let found = Found {
            entry: e,
            order: order(e),
        };
        match suite(e) {
            Some(name) => named.entry(name).or_default().push(found),
            None => other.push(found),
        }
    }
    let mut suites: Vec<(String, Vec<Found>)> = named.into_iter().collect();
    if !other.is_empty() {
        suites.push((NO_SUITE.to_string(), other));
    }
    suites
        .into_iter()
        .map(|(name, mut tests)| {
            tests.sort_by(|a, b| {
                a.order
                    .total_cmp(&b.order)
                    .then_with(|| a.entry.id.cmp(&b.entry.id))
            });
            Suite {
                name,
                ordered: tests.iter().any(|t| t.entry.meta.contains_key("order")),
                tests: tests.into_iter().map(|t| t.entry.id.clone()).collect(),
            }
        })
        .collect()
}

/// `meta.suite` as text (a string, or a number/boolean written unquoted); `None` when absent
/// or empty.
fn suite(e: &Entry) -> Option<String> {
    let name = match e.meta.get("suite")? {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => return None,
        other => other.to_string(),
    };
    (!name.is_empty()).then_some(name)
}

/// `meta.order` as a number (a numeric string counts); 0 when absent or not a number.
fn order(e: &Entry) -> f64 {
    let n = match e.meta.get("order") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|n| n.is_finite()).unwrap_or(0.0)
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

/// Why a test's exit result is a failure, or `None` for a pass (WIPPY-API.md §11).
pub fn verdict(r: &ExitResult) -> Option<String> {
    match r {
        Ok(Value::Bool(false)) => Some("test returned false".into()),
        Ok(_) => None,
        // `error("...")` and `return false, "reason"`: the message says it all.
        Err(e) if matches!(e.kind, ErrorKind::Unknown | ErrorKind::Internal) => {
            Some(e.message.clone())
        }
        Err(e) => Some(format!("{} ({})", e.message, e.kind.as_str())),
    }
}

/// Run the tests of `suite` on `app`: one at a time when the suite is ordered, else at
/// most `jobs` at once; each limited to `timeout`. `done` is told of each outcome as it
/// completes. Returns the outcomes in completion order.
///
/// Must be called inside a tokio runtime (the caller's; the tests themselves run on the
/// app's hosts).
pub async fn run(
    app: &App,
    suite: &Suite,
    jobs: usize,
    timeout: Duration,
    mut done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let jobs = if suite.ordered { 1 } else { jobs.max(1) };
    let mut stream = futures::stream::iter(suite.tests.iter().cloned())
        .map(|id| async move {
            let start = Instant::now();
            let failure = run_one(app, &id, timeout).await;
            Outcome {
                id,
                failure,
                elapsed: start.elapsed(),
            }
        })
        .buffer_unordered(jobs);
    let mut out = Vec::with_capacity(suite.tests.len());
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
        Ok(r) => verdict(&r),
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
        assert_eq!(verdict(&Ok(Value::Nil)), None);
        assert_eq!(verdict(&Ok(Value::Int(1))), None);
        assert_eq!(verdict(&Ok(Value::Array(vec![]))), None);
        assert_eq!(
            verdict(&Ok(Value::Bool(false))).as_deref(),
            Some("test returned false")
        );
        let e = troupe_kernel::ProcessError::new(troupe_kernel::ErrorKind::Unknown, "x != y");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("x != y"));
        let e = troupe_kernel::ProcessError::new(ErrorKind::Internal, "boom");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("boom"));
        let e = troupe_kernel::ProcessError::new(ErrorKind::PermissionDenied, "no");
        assert_eq!(verdict(&Err(e)).as_deref(), Some("no (PermissionDenied)"));
    }
}
