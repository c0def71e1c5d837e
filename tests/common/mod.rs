//! Shared helpers for the end-to-end tests: boot an application from `tests/apps/<name>`,
//! run one entry to completion under a timeout, shut the node down.

#![allow(dead_code)]

pub mod cli;

use std::path::PathBuf;
use std::time::Duration;

use troupe::App;
use troupe::kernel::{ExitResult, ProcessError, Value};

/// How long one entry may run before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// `tests/apps/<app>`.
pub fn app_dir(app: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/apps")
        .join(app)
}

/// Boot `tests/apps/<app>`, run `entry` and return its exit result.
pub fn run(app: &str, entry: &str) -> ExitResult {
    run_with(app, entry, Vec::new())
}

/// [`run`] with arguments for the entry's main.
pub fn run_with(app: &str, entry: &str, args: Vec<Value>) -> ExitResult {
    let dir = app_dir(app);
    let booted = App::open(&dir).unwrap_or_else(|e| panic!("cannot boot {}:\n{e}", dir.display()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let outcome =
        rt.block_on(async { tokio::time::timeout(TIMEOUT, booted.exec(entry, args)).await });
    match outcome {
        Err(_) => {
            // Do not join the hosts: a stuck worker would hang the test instead of failing it.
            booted.node.begin_shutdown();
            panic!("{app}: {entry} did not finish within {TIMEOUT:?}");
        }
        Ok(Err(e)) => {
            booted.shutdown();
            panic!("{app}: cannot run {entry}: {e}");
        }
        Ok(Ok(result)) => {
            booted.shutdown();
            result
        }
    }
}

/// Run an entry that must exit normally; its result as JSON.
pub fn run_ok(app: &str, entry: &str) -> serde_json::Value {
    match run(app, entry) {
        Ok(v) => v.to_json(),
        Err(e) => panic!("{app}: {entry} failed: [{}] {}", e.kind.as_str(), e.message),
    }
}

/// Run an entry that must exit with an error; the error.
pub fn run_err(app: &str, entry: &str) -> ProcessError {
    match run(app, entry) {
        Ok(v) => panic!(
            "{app}: {entry} should have failed but returned {}",
            v.display()
        ),
        Err(e) => e,
    }
}

/// The string at a JSON pointer (panics with the whole document otherwise).
pub fn str_at<'a>(v: &'a serde_json::Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(|s| s.as_str())
        .unwrap_or_else(|| panic!("no string at {pointer} in {v:#}"))
}
