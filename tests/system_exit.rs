//! WIPPY-API.md §10.3 `system.exit(code)`: a process asks the node to stop; the services
//! stop in reverse dependency order (as after SIGTERM) and `troupe run` exits with the
//! code.

mod common;

use common::cli::troupe;

#[test]
fn system_exit_stops_the_node_in_order_with_the_code() {
    let dir = common::app_dir("system_exit").display().to_string();
    let run = troupe(&["run", dir.as_str()]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    let messages: Vec<String> = run
        .log
        .iter()
        .filter_map(|r| {
            let f = r.get("fields")?;
            let msg = f.get("message")?.as_str()?;
            let unit = f.get("unit").and_then(|u| u.as_str()).unwrap_or("");
            Some(format!("{msg} {unit}").trim().to_string())
        })
        .collect();
    let at = |m: &str| {
        messages
            .iter()
            .position(|x| x == m)
            .unwrap_or_else(|| panic!("no log line {m:?} in {messages:#?}"))
    };
    let requested = at("system.exit: stopping the node");
    let called = at("system.exit called; stopping services in reverse order");
    let quitter = at("service stopped app:quitter_svc");
    let steady = at("service stopped app:steady_svc");
    assert!(requested < called, "{messages:#?}");
    assert!(called < quitter, "{messages:#?}");
    assert!(quitter < steady, "the dependant stops first: {messages:#?}");
    let results: Vec<&str> = run
        .log
        .iter()
        .filter_map(|r| r.get("fields")?.get("result")?.as_str())
        .collect();
    assert!(
        results
            .iter()
            .any(|r| r.contains("quitter stopped after pid.cancel")),
        "the quitter was stopped by a CANCEL: {results:?}"
    );
    assert!(
        results
            .iter()
            .any(|r| r.contains("steady stopped after pid.cancel")),
        "{results:?}"
    );
}
