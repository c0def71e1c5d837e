//! Fuzzing the MessagePack codec of wasm payloads (`codec.rs`, SPEC §6.3 and §3.2) with
//! proptest:
//!
//! - random `Value`s (nesting, NaN/±inf/−0, non-UTF-8 strings, error objects, deep chains
//!   past 512 levels) round-trip, or are refused as too deep exactly when they are; the
//!   encoding is valid MessagePack for an independent decoder (`rmpv`);
//! - random and mutated bytes never panic; what decodes is within the depth and size rules
//!   and agrees with `rmpv` on what is well-formed.
//!
//! `cargo test` runs 256 cases per property from a fixed seed, so CI is repeatable;
//! `TROUPE_FUZZ_CASES=N` runs N from a random seed. The one difference from `rmpv` (the
//! oracle) is by design: the reserved marker 0xc1 ("never used" in the MessagePack spec)
//! is malformed here and nil for `rmpv`.

use proptest::prelude::*;
use troupe_kernel::copy::{MAX_DEPTH, depth, footprint};
use troupe_kernel::{CopyError, DEFAULT_MAX_MESSAGE, ErrorKind, ProcessError, Value};
use troupe_wasm::codec::{CodecError, decode, decode_args, encode, encode_args};

fn cases() -> u32 {
    std::env::var("TROUPE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// Fixed for the default run, random for an explicit `TROUPE_FUZZ_CASES` run.
fn seed() -> proptest::test_runner::RngSeed {
    if std::env::var("TROUPE_FUZZ_CASES").is_ok() {
        proptest::test_runner::RngSeed::Random
    } else {
        proptest::test_runner::RngSeed::Fixed(0x7e57_c0de)
    }
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0)
        ]
        .prop_map(Value::Float),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Str),
        "[a-zé]{0,20}".prop_map(Value::str),
        (0usize..ErrorKind::ALL.len(), "[ -~]{0,20}").prop_map(|(k, m)| Value::Error(Box::new(
            ProcessError::new(ErrorKind::ALL[k].clone(), m)
        ))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let tree = scalar().prop_recursive(8, 256, 10, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..10).prop_map(Value::Array),
            proptest::collection::vec((inner.clone(), inner), 0..10).prop_map(Value::Map),
        ]
    });
    (
        tree,
        prop_oneof![8 => Just(0usize), 1 => 0usize..10, 1 => 505usize..520],
    )
        .prop_map(|(mut v, chain)| {
            for _ in 0..chain {
                v = Value::Array(vec![v]);
            }
            v
        })
}

/// Structural equality with floats by bits (NaN equals NaN).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, v), (k2, v2))| same(k, k2) && same(v, v2))
        }
        _ => a == b,
    }
}

/// The bytes are exactly one value for `rmpv` (an independent decoder, 1024 levels).
/// The decoder's reason for refusing the reserved marker.
const RESERVED: &str = "reserved marker 0xc1";

fn rmpv_accepts(bytes: &[u8]) -> bool {
    let mut rd = bytes;
    rmpv::decode::read_value(&mut rd).is_ok() && rd.is_empty()
}

/// Run a check on an 8 MiB thread: `rmpv` (the oracle) recurses per level and needs more
/// than a test thread's 2 MiB for 512 levels in a debug build. (The codec itself is
/// iterative.)
fn on_big_stack(
    f: impl FnOnce() -> Result<(), TestCaseError> + Send + 'static,
) -> Result<(), TestCaseError> {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .join()
        .map_err(|_| TestCaseError::fail("the check panicked"))?
}

/// Own encodings decode to the same value, or are refused as too deep exactly when they
/// are; `rmpv` reads them.
fn round_trip(v: Value) -> Result<(), TestCaseError> {
    let bytes = encode(&v);
    // rmpv's own depth limit (1024) counts about two per level.
    prop_assert!(
        rmpv_accepts(&bytes) || depth(&v) >= MAX_DEPTH - 2,
        "invalid MessagePack for {v:?}"
    );
    match decode(&bytes, DEFAULT_MAX_MESSAGE) {
        Ok(back) => {
            prop_assert!(depth(&v) <= MAX_DEPTH);
            prop_assert!(
                same(&back, &v),
                "round trip differs:\n got {back:?}\nwant {v:?}"
            );
        }
        Err(CodecError::Refused(CopyError::TooDeep)) => prop_assert!(depth(&v) > MAX_DEPTH),
        Err(e) => prop_assert!(false, "cannot decode own encoding: {e}"),
    }
    let args = decode_args(&encode_args(std::slice::from_ref(&v)), DEFAULT_MAX_MESSAGE);
    prop_assert_eq!(args.is_ok(), depth(&v) <= MAX_DEPTH);
    Ok(())
}

/// Properties of decoding arbitrary bytes under `budget`.
fn check_bytes(bytes: &[u8], budget: u64) -> Result<(), TestCaseError> {
    match decode(bytes, budget) {
        Ok(v) => {
            prop_assert!(depth(&v) <= MAX_DEPTH);
            prop_assert!(footprint(&v) <= budget);
            // rmpv's own depth limit (1024) counts about two per level.
            prop_assert!(
                rmpv_accepts(bytes) || depth(&v) >= MAX_DEPTH - 2,
                "decoded bytes rmpv rejects: {bytes:?}"
            );
        }
        Err(CodecError::Malformed(why)) => {
            // What rmpv reads is well-formed: we may refuse it only by depth or size,
            // which are `Refused`, never `Malformed` — except the reserved marker 0xc1,
            // which the MessagePack spec says is never used and which rmpv reads as nil.
            prop_assert!(
                !rmpv_accepts(bytes) || why == RESERVED,
                "rejected valid MessagePack ({why}): {bytes:?}"
            );
        }
        Err(CodecError::Refused(CopyError::TooLarge { max_bytes })) => {
            prop_assert_eq!(max_bytes, budget)
        }
        Err(CodecError::Refused(CopyError::TooDeep)) => {}
        Err(e) => prop_assert!(false, "unexpected error {e:?}"),
    }
    let _ = decode_args(bytes, budget);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, rng_seed: seed(), ..ProptestConfig::default() })]

    #[test]
    fn values_round_trip_or_are_refused_as_too_deep(v in value()) {
        on_big_stack(move || round_trip(v))?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), budget in prop_oneof![Just(DEFAULT_MAX_MESSAGE), 0u64..2048]) {
        check_bytes(&bytes, budget)?;
    }

    #[test]
    fn mutated_payloads_never_panic(
        v in value(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        budget in prop_oneof![Just(DEFAULT_MAX_MESSAGE), 0u64..4096],
    ) {
        let mut bytes = encode(&v);
        for (at, b, op) in edits {
            if bytes.is_empty() {
                bytes.push(b);
                continue;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        on_big_stack(move || check_bytes(&bytes, budget))?;
    }
}
