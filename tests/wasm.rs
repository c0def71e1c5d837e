//! End-to-end tests of the wasm host (SPEC §6): each test boots an application from
//! `tests/apps/<case>` (WAT written in the YAML, or Rust guests built for
//! `wasm32-wasip2` by `tests/guests.rs`'s builder) and checks what Lua observed.

mod common;

use common::run_ok;
use serde_json::json;

#[test]
fn lua_calls_wat_functions_with_and_without_wit() {
    let r = run_ok("wasm_funcs", "app:main");
    assert_eq!(
        r,
        json!({
            "add": 42, "add_err_is_nil": true,
            "prod": 42,
            "len": 6,
            "echo": "round trip",
            "bad_is_nil": true,
            "bad_err": "app:compute: invalid argument 1: a: expected s32, got string \"six\"",
            "bad_kind": "INVALID",
            "spin_is_nil": true,
            "spin_err": "max_execution_ms exceeded: ran longer than 200 ms",
            "spin_kind": "TIMEOUT",
        })
    );
}
