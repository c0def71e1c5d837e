//! Duration and size arguments from user code are validated (SPEC §3.6 "Bad input"): the
//! `tests/apps/bad_args` process calls every Lua function that takes one with NaN, ±∞,
//! negative, huge, unparsable and wrongly typed values; each is a clear Lua error (no Rust
//! panic, no backtrace) and the process carries on.

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
    for call in [
        "sleep",
        "after",
        "timer",
        "ticker",
        "parse_duration",
        "reset",
        "call_timeout",
    ] {
        let msg = |v: &str| get(&format!("{call}.{v}"));
        for v in [
            "huge", "inf", "ninf", "nan", "neg", "words", "long", "table",
        ] {
            let m = msg(v);
            assert!(m.contains("invalid duration"), "{call}.{v}: {m}");
            assert!(
                !m.contains("panicked") && !m.contains("backtrace"),
                "{call}.{v}: {m}"
            );
        }
        assert!(
            msg("huge").contains("invalid duration 1e300 ms: longer than the maximum of 365 days"),
            "{call}: {}",
            msg("huge")
        );
        assert!(
            msg("inf").contains("invalid duration inf: not a finite number"),
            "{}",
            msg("inf")
        );
        assert!(
            msg("ninf").contains("invalid duration -inf: not a finite number"),
            "{}",
            msg("ninf")
        );
        assert!(
            msg("nan").contains("invalid duration NaN: not a finite number"),
            "{}",
            msg("nan")
        );
        assert!(
            msg("neg").contains("invalid duration -1: a duration cannot be negative"),
            "{}",
            msg("neg")
        );
        assert!(
            msg("words").contains("invalid duration \"forever\":"),
            "{}",
            msg("words")
        );
        assert!(
            msg("long").contains("longer than the maximum of 365 days"),
            "{}",
            msg("long")
        );
        assert!(
            msg("table").contains("invalid duration: found a table"),
            "{}",
            msg("table")
        );
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
        m.contains("invalid time format \"%Q\": expected strftime specifiers"),
        "{m}"
    );
    assert_eq!(map.get("ok_channel"), Some(&serde_json::json!(true)));
    assert_eq!(map.get("ok_sleep"), Some(&serde_json::json!(true)));
    assert_eq!(map.get("alive"), Some(&serde_json::json!(true)));
}
