//! WIPPY-API.md §1 `print` and §7.2 `logger` records, end to end: `tests/apps/wippy_log`
//! runs `app:logs` with `troupe run -x` and the node's JSON log is read back. Every record
//! carries `pid` and `location` (`<entry-id>:<line>`); logger fields, `with` fields, the
//! `named` name and `:error`'s `error` field are there; `print` is one info record of its
//! arguments joined by a space (nil, booleans and tables give ""), not stdout; only string
//! keys of a fields table become fields.

mod common;

use serde_json::Value;

/// The `fields` object of the `lua` record whose message is `msg`.
fn record<'a>(log: &'a [Value], msg: &str) -> &'a Value {
    log.iter()
        .find(|r| r["target"] == "lua" && r["fields"]["message"] == msg)
        .unwrap_or_else(|| panic!("no lua record {msg:?} in {log:#?}"))
}

fn fields_json(r: &Value) -> Value {
    match r["fields"]["fields"].as_str() {
        Some("") | None => Value::Null,
        Some(s) => serde_json::from_str(s).expect("fields are JSON"),
    }
}

#[test]
fn logger_and_print_records_carry_pid_location_and_fields() {
    let dir = common::app_dir("wippy_log").display().to_string();
    let run = common::cli::troupe(&["run", &dir, "-x", "app:logs"]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    // print writes no stdout: only the exit value is printed.
    assert_eq!(run.stdout, "done\n");

    let info = record(&run.log, "plain info");
    assert_eq!(info["level"], "INFO");
    let pid = info["fields"]["pid"].as_str().expect("pid");
    assert!(pid.starts_with("{logtest@app:workers|"), "pid {pid}");
    assert_eq!(info["fields"]["location"], "app:logs:3");
    assert_eq!(
        fields_json(info),
        serde_json::json!({"user": "bob", "n": 3})
    );

    let warn = record(&run.log, "child warning");
    assert_eq!(warn["level"], "WARN");
    assert_eq!(warn["fields"]["location"], "app:logs:4");
    assert_eq!(
        fields_json(warn),
        serde_json::json!({"request": "r1", "extra": true}),
        "with() fields and the call's fields"
    );

    let named = record(&run.log, "named info");
    assert_eq!(named["fields"]["logger"], "billing.invoices");

    let error = record(&run.log, "failed");
    assert_eq!(error["level"], "ERROR");
    assert_eq!(
        error["fields"]["error"], "disk full",
        "fields.error is the error field"
    );
    assert_eq!(fields_json(error), serde_json::json!({"path": "/x"}));

    let print = record(&run.log, "a 1 2.5 e   ");
    assert_eq!(print["level"], "INFO", "print is an info record");
    assert_eq!(print["fields"]["pid"], pid);
    assert_eq!(print["fields"]["location"], "app:logs:7");

    let number = record(&run.log, "42");
    assert_eq!(
        number["fields"]["location"], "app:logs:8",
        "a number as the message"
    );
}
