//! Fuzzing Lua → WIT lowering (`values.rs`, SPEC §6.2) with proptest: random Lua-shaped
//! values (biased towards the names and shapes the types use) are lowered against every
//! kind of WIT type `values.rs` supports, taken from a real component's export types
//! (a dummy component built from the WIT below by `wit-component`). Properties: no panic;
//! a misfit is a `TypeError` whose path starts at the parameter; a lowered value lifts back
//! (within the copy rules) to a value that lowers again.
//!
//! `cargo test` runs 256 cases; `TROUPE_FUZZ_CASES=N` runs N.

use proptest::prelude::*;
use troupe_kernel::copy::Budget;
use troupe_kernel::{DEFAULT_MAX_MESSAGE, Value};
use troupe_wasm::values::{lift, lower};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Type};

const WIT: &str = r#"
package troupe:fuzz;

world w {
  record point { x: s32, y: option<f64>, label: string }
  variant shape { circle(f32), rect(point), empty }
  enum color { red, green, blue }
  flags perms { read, write, exec }

  export t-bool: func(v: bool);
  export t-s8: func(v: s8);
  export t-u8: func(v: u8);
  export t-s16: func(v: s16);
  export t-u16: func(v: u16);
  export t-s32: func(v: s32);
  export t-u32: func(v: u32);
  export t-s64: func(v: s64);
  export t-u64: func(v: u64);
  export t-f32: func(v: f32);
  export t-f64: func(v: f64);
  export t-char: func(v: char);
  export t-string: func(v: string);
  export t-bytes: func(v: list<u8>);
  export t-nested: func(v: list<list<string>>);
  export t-tuple: func(v: tuple<s32, string, bool>);
  export t-point: func(v: point);
  export t-points: func(v: list<point>);
  export t-option: func(v: option<option<s32>>);
  export t-result: func(v: result<string, u32>);
  export t-bare-result: func(v: result);
  export t-shape: func(v: shape);
  export t-color: func(v: color);
  export t-perms: func(v: perms);
}
"#;

fn cases() -> u32 {
    std::env::var("TROUPE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// The parameter type of every export of the dummy component.
fn types() -> Vec<(String, Type)> {
    let mut resolve = wit_parser::Resolve::default();
    let pkg = resolve.push_str("fuzz.wit", WIT).expect("fuzz WIT parses");
    let world = resolve.select_world(&[pkg], None).expect("world");
    let mut module = wit_component::dummy_module(
        &resolve,
        world,
        wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
    );
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("embed");
    let bytes = wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .expect("component");
    let engine = wasmtime::Engine::default();
    let component = Component::new(&engine, &bytes).expect("compile");
    let mut out = Vec::new();
    for (name, item) in component.component_type().exports(&engine) {
        if let ComponentItem::ComponentFunc(f) = item.ty {
            for (_, t) in f.params() {
                out.push((name.to_string(), t));
            }
        }
    }
    assert_eq!(out.len(), 24, "every export has one parameter");
    out
}

fn name() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just("x"),
        Just("y"),
        Just("label"),
        Just("ok"),
        Just("err"),
        Just("circle"),
        Just("rect"),
        Just("empty"),
        Just("red"),
        Just("blue"),
        Just("read"),
        Just("exec"),
        Just("a"),
        Just("é"),
        Just(""),
    ]
    .prop_map(Value::str)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![any::<i64>(), -300i64..300, Just(i64::MAX), Just(i64::MIN)]
            .prop_map(Value::Int),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(1e300),
            Just(-0.0),
            Just(3.0),
            Just(1.5)
        ]
        .prop_map(Value::Float),
        name(),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Str),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((name(), inner.clone()), 0..4).prop_map(Value::Map),
            proptest::collection::vec((inner.clone(), inner), 0..3).prop_map(Value::Map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn lowering_never_panics_and_round_trips(v in value()) {
        thread_local! {
            static TYPES: Vec<(String, Type)> = types();
        }
        TYPES.with(|types| -> Result<(), TestCaseError> {
            for (export, t) in types {
                match lower("arg", t, &v) {
                    Ok(val) => {
                        let back = lift(&val, &mut Budget::new(DEFAULT_MAX_MESSAGE))
                            .map_err(|e| TestCaseError::fail(format!("{export}: lift: {e}")))?;
                        let again = lower("arg", t, &back);
                        prop_assert!(again.is_ok(), "{export}: {v:?} lowered, lifted to {back:?}, which does not lower: {again:?}");
                    }
                    Err(e) => prop_assert!(e.path.starts_with("arg"), "{export}: path {:?}", e.path),
                }
            }
            Ok(())
        })?;
    }
}

/// A lifted result past the budget is refused (the copy rules hold for guest results).
#[test]
fn lifting_is_bounded() {
    let types = types();
    let (_, t) = types
        .iter()
        .find(|(n, _)| n == "t-nested")
        .expect("t-nested");
    let v = Value::Array(vec![Value::Array(vec![Value::str("abcdefgh"); 1000]); 10]);
    let val = lower("arg", t, &v).expect("fits");
    assert!(lift(&val, &mut Budget::new(DEFAULT_MAX_MESSAGE)).is_ok());
    let e = lift(&val, &mut Budget::new(10_000)).unwrap_err();
    assert!(e.to_string().contains("max_message (10000 bytes"), "{e}");
}
