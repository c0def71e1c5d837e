//! Duration and size arguments from user code are validated (SPEC §3.6 "Bad input"): the
//! `tests/apps/bad_args` process calls every Lua function that takes one with NaN, ±∞,
//! negative, huge, unparsable and wrongly typed values; each is a clear error (raised, or
//! `nil, err` from the `time` functions; no Rust panic, no backtrace) and the process
//! carries on.

mod common;

use common::run_ok;

#[test]
fn hostile_durations_and_sizes_are_clear_lua_errors() {
    let out = run_ok("bad_args", "app:main");
    let map = out.as_object().expect("a table");
    let get = |k: &str| -> &str {
        map.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("no {k} in {out:#}"))
    };
    // funcs options keep Troupe's milliseconds (a raised error).
    let msg = |v: &str| get(&format!("call_timeout.{v}"));
    for v in [
        "huge", "inf", "ninf", "nan", "neg", "words", "long", "table",
    ] {
        let m = msg(v);
        assert!(m.contains("invalid duration"), "call_timeout.{v}: {m}");
        assert!(
            !m.contains("panicked") && !m.contains("backtrace"),
            "{v}: {m}"
        );
    }
    for (v, want) in [
        (
            "huge",
            "invalid duration 1e300 ms: longer than the maximum of 365 days",
        ),
        ("inf", "invalid duration inf: not a finite number"),
        ("ninf", "invalid duration -inf: not a finite number"),
        ("nan", "invalid duration NaN: not a finite number"),
        ("neg", "invalid duration -1: a duration cannot be negative"),
        ("words", "invalid duration \"forever\":"),
        ("long", "longer than the maximum of 365 days"),
        ("table", "invalid duration: found a table"),
    ] {
        assert!(msg(v).contains(want), "call_timeout.{v}: {}", msg(v));
    }
    // `time` takes nanoseconds and Go duration strings (WIPPY-API.md §6): `nil, err` from
    // the functions, a raised error from `timer:reset`.
    for call in [
        "sleep",
        "after",
        "timer",
        "ticker",
        "parse_duration",
        "reset",
    ] {
        let msg = |v: &str| get(&format!("{call}.{v}"));
        let expect = |v: &str, want: &str| {
            let m = msg(v);
            assert!(m.contains(want), "{call}.{v}: {m}");
            assert!(
                !m.contains("panicked") && !m.contains("backtrace"),
                "{call}.{v}: {m}"
            );
            if call != "reset" {
                assert!(m.starts_with("nil, err: "), "{call}.{v}: {m}");
            }
        };
        expect(
            "huge",
            "invalid duration 1e300 ns: outside the range of a duration",
        );
        expect("inf", "invalid duration inf: expected nanoseconds");
        expect("ninf", "invalid duration -inf: expected nanoseconds");
        expect("nan", "invalid duration NaN: expected nanoseconds");
        expect("words", "time: invalid duration \"forever\"");
        expect(
            "long",
            "time: unknown unit \"years\" in duration \"1000000years\"",
        );
        expect("table", "invalid duration: found a table");
        match call {
            // Go: a negative sleep returns at once; a negative Duration is a value.
            "sleep" | "parse_duration" => assert_eq!(msg("neg"), "accepted"),
            _ => expect("neg", "the duration must be positive, got -1ns"),
        }
    }
    for (v, shown) in [
        ("neg", "-1"),
        ("huge", "1e300"),
        ("nan", "NaN"),
        ("frac", "1.5"),
        ("big", "1099511627776"),
        ("str", "(a string)"),
    ] {
        let m = get(&format!("channel.{v}"));
        assert!(
            m.contains(&format!(
                "channel.new: invalid size {shown}: expected a whole number from 0 to 2147483647"
            )),
            "channel.{v}: {m}"
        );
    }
    let m = get("bad_format");
    assert!(
        m.contains("time layout of 4000 bytes: longer than the maximum of 1024"),
        "{m}"
    );
    assert_eq!(map.get("ok_channel"), Some(&serde_json::json!(true)));
    assert_eq!(map.get("ok_sleep"), Some(&serde_json::json!(true)));
    assert_eq!(map.get("alive"), Some(&serde_json::json!(true)));
}
