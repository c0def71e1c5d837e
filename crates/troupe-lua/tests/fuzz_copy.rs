//! Fuzzing the Lua → `Value` deep copy (SPEC §3.2) with proptest: random table graphs
//! (random nesting, shared sub-tables, cycles through values and keys, long chains, huge
//! tables, mixed keys, NaN/±inf/−0, non-UTF-8 strings, functions) are built in a real Luau
//! VM and copied under a random byte budget. An independent walker over the *generated
//! graph* (not over Lua) predicts the outcome:
//!
//! - `Ok(v)` only when the graph has no reachable cycle, nests ≤ 512 levels and its
//!   unfolded copy fits the budget; then `v` equals the unfolded graph structurally, its
//!   footprint is within the budget, and `to_lua` → `to_value` gives it back;
//! - `Err(Cycle)` only when a cycle is reachable, `Err(TooDeep)` only when a path is
//!   deeper than 512, `Err(TooLarge)` only when the unfolded copy can exceed the budget;
//! - when none of the rules applies the copy must succeed.
//!
//! `cargo test` runs 256 cases; `TROUPE_FUZZ_CASES=N` runs N.

use mlua::{Lua, Table, Value as LuaValue};
use proptest::prelude::*;
use troupe_kernel::copy::{Budget, MAX_DEPTH, VALUE_BYTES, footprint};
use troupe_kernel::{CopyError, DEFAULT_MAX_MESSAGE, Value};
use troupe_lua::convert::{to_lua, to_value};

fn cases() -> u32 {
    std::env::var("TROUPE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// A generated key.
#[derive(Debug, Clone)]
enum Key {
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    Bool(bool),
    /// Table number i (mod the table count): tables as keys, shared or cyclic.
    Table(usize),
    /// A function key: the entry is left out of the copy.
    Func,
}

/// A generated value.
#[derive(Debug, Clone)]
enum Val {
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(Vec<u8>),
    /// A string of this many bytes (huge strings without a huge strategy).
    Big(usize),
    Table(usize),
    Func,
}

#[derive(Debug, Clone)]
struct Graph {
    /// tables[i] = entries of table i; table 0 is the root.
    tables: Vec<Vec<(Key, Val)>>,
    /// Wrap the root in this many extra single-element tables.
    chain: usize,
    /// Append an array of this many integers to the root.
    huge: usize,
    budget: u64,
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        4 => (1i64..=6).prop_map(Key::Int),
        1 => any::<i64>().prop_map(Key::Int),
        1 => prop_oneof![Just(1.5f64), Just(-2.25), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(1e300)].prop_map(Key::Float),
        2 => proptest::collection::vec(any::<u8>(), 0..6).prop_map(Key::Str),
        1 => any::<bool>().prop_map(Key::Bool),
        1 => (0usize..8).prop_map(Key::Table),
        1 => Just(Key::Func),
    ]
}

fn val() -> impl Strategy<Value = Val> {
    prop_oneof![
        1 => any::<bool>().prop_map(Val::Bool),
        2 => any::<i64>().prop_map(|i| Val::Int(i >> (i & 63))),
        2 => prop_oneof![
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            Just(9.0e15),
            Just(-9.0e15 + 1.0),
        ]
        .prop_map(Val::Num),
        2 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(Val::Str),
        1 => prop_oneof![9 => 0usize..4096, 1 => 0usize..(3 << 20)].prop_map(Val::Big),
        4 => (0usize..8).prop_map(Val::Table),
        1 => Just(Val::Func),
    ]
}

fn graph() -> impl Strategy<Value = Graph> {
    (
        proptest::collection::vec(proptest::collection::vec((key(), val()), 0..6), 1..8),
        prop_oneof![8 => Just(0usize), 1 => 0usize..8, 1 => 500usize..530],
        prop_oneof![9 => Just(0usize), 1 => 0usize..60_000],
        prop_oneof![
            2 => Just(DEFAULT_MAX_MESSAGE),
            1 => 0u64..4096,
            1 => 4096u64..(1 << 20),
        ],
    )
        .prop_map(|(tables, chain, huge, budget)| Graph {
            tables,
            chain,
            huge,
            budget,
        })
}

// ---- building the graph in Lua ---------------------------------------------------------

fn build(lua: &Lua, g: &Graph) -> mlua::Result<LuaValue> {
    let n = g.tables.len();
    let ts: Vec<Table> = (0..n)
        .map(|_| lua.create_table())
        .collect::<Result<_, _>>()?;
    let func = lua.create_function(|_, ()| Ok(()))?;
    for (i, entries) in g.tables.iter().enumerate() {
        for (k, v) in entries {
            let k = match k {
                Key::Int(i) => LuaValue::Number(*i as f64),
                Key::Float(f) => LuaValue::Number(*f),
                Key::Str(s) => LuaValue::String(lua.create_string(s)?),
                Key::Bool(b) => LuaValue::Boolean(*b),
                Key::Table(j) => LuaValue::Table(ts[j % n].clone()),
                Key::Func => LuaValue::Function(func.clone()),
            };
            let v = lua_val(lua, v, &ts, &func)?;
            ts[i].raw_set(k, v)?;
        }
    }
    if g.huge > 0 {
        let big = lua.create_table()?;
        for i in 1..=g.huge {
            big.raw_set(i, i as f64)?;
        }
        ts[0].raw_set("huge", big)?;
    }
    let mut root = ts[0].clone();
    for _ in 0..g.chain {
        let t = lua.create_table()?;
        t.raw_set(1, root)?;
        root = t;
    }
    Ok(LuaValue::Table(root))
}

fn lua_val(lua: &Lua, v: &Val, ts: &[Table], func: &mlua::Function) -> mlua::Result<LuaValue> {
    Ok(match v {
        Val::Bool(b) => LuaValue::Boolean(*b),
        Val::Int(i) => LuaValue::Number(*i as f64),
        Val::Num(f) => LuaValue::Number(*f),
        Val::Str(s) => LuaValue::String(lua.create_string(s)?),
        Val::Big(n) => LuaValue::String(lua.create_string(vec![b'z'; *n])?),
        Val::Table(j) => LuaValue::Table(ts[j % ts.len()].clone()),
        Val::Func => LuaValue::Function(func.clone()),
    })
}

// ---- the independent walker --------------------------------------------------------------

/// What Lua actually holds: later writes to the same key win, nil-valued writes do not
/// exist, keys are Lua-normalised (numbers by value).
#[derive(Debug, Clone, PartialEq)]
enum NKey {
    Num(u64),
    Str(Vec<u8>),
    Bool(bool),
    Table(usize),
}

fn nkey(k: &Key, n: usize) -> Option<NKey> {
    Some(match k {
        Key::Int(i) => NKey::Num((*i as f64).to_bits()),
        Key::Float(f) => NKey::Num(f.to_bits()),
        Key::Str(s) => NKey::Str(s.clone()),
        Key::Bool(b) => NKey::Bool(*b),
        Key::Table(j) => NKey::Table(j % n),
        Key::Func => return None,
    })
}

/// Table i's entries as Lua holds them (function keys left out, as the copy does).
fn entries(g: &Graph, i: usize) -> Vec<(NKey, Val)> {
    let n = g.tables.len();
    let mut out: Vec<(NKey, Val)> = Vec::new();
    for (k, v) in &g.tables[i] {
        let Some(k) = nkey(k, n) else { continue };
        match out.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k, v.clone())),
        }
    }
    out
}

fn children(g: &Graph, i: usize) -> Vec<usize> {
    let n = g.tables.len();
    let mut c = Vec::new();
    for (k, v) in entries(g, i) {
        if let NKey::Table(j) = k {
            c.push(j);
        }
        if let Val::Table(j) = v {
            c.push(j % n);
        }
    }
    c
}

fn has_cycle(g: &Graph) -> bool {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    fn dfs(g: &Graph, i: usize, st: &mut [u8]) -> bool {
        st[i] = 1;
        for j in children(g, i) {
            if st[j] == 1 || (st[j] == 0 && dfs(g, j, st)) {
                return true;
            }
        }
        st[i] = 2;
        false
    }
    dfs(g, 0, &mut vec![0; g.tables.len()])
}

/// Depth (tables) of table i in an acyclic graph, and an upper bound of the bytes its
/// copy is charged (every table as a map: a value per key and per value).
fn measure(g: &Graph, i: usize, memo: &mut Vec<Option<(usize, u64)>>) -> (usize, u64) {
    if let Some(m) = memo[i] {
        return m;
    }
    let mut depth = 1;
    let mut bytes = VALUE_BYTES;
    for (k, v) in entries(g, i) {
        bytes = bytes.saturating_add(match &k {
            NKey::Str(s) => VALUE_BYTES + s.len() as u64,
            NKey::Table(j) => {
                let (d, b) = measure(g, *j, memo);
                depth = depth.max(d + 1);
                b
            }
            _ => VALUE_BYTES,
        });
        bytes = bytes.saturating_add(match &v {
            Val::Str(s) => VALUE_BYTES + s.len() as u64,
            Val::Big(n) => VALUE_BYTES + *n as u64,
            Val::Table(j) => {
                let (d, b) = measure(g, j % g.tables.len(), memo);
                depth = depth.max(d + 1);
                b
            }
            _ => VALUE_BYTES,
        });
    }
    if i == 0 && g.huge > 0 {
        depth = depth.max(2);
        bytes = bytes.saturating_add(3 * VALUE_BYTES + 2 * VALUE_BYTES * g.huge as u64);
    }
    memo[i] = Some((depth, bytes));
    (depth, bytes)
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 && !(f == 0.0 && f.is_sign_negative()) {
        Value::Int(f as i64)
    } else {
        Value::Float(f)
    }
}

/// The unfolded copy of table i, by the rules of SPEC §3.2 as convert.rs documents them.
fn unfold(g: &Graph, i: usize) -> Value {
    let n = g.tables.len();
    let mut es: Vec<(Value, Value)> = entries(g, i)
        .into_iter()
        .map(|(k, v)| {
            let k = match k {
                NKey::Num(b) => number(f64::from_bits(b)),
                NKey::Str(s) => Value::Str(s),
                NKey::Bool(b) => Value::Bool(b),
                NKey::Table(j) => unfold(g, j),
            };
            let v = match v {
                Val::Bool(b) => Value::Bool(b),
                Val::Int(x) => number(x as f64),
                Val::Num(f) => number(f),
                Val::Str(s) => Value::Str(s),
                Val::Big(n) => Value::Str(vec![b'z'; n]),
                Val::Table(j) => unfold(g, j % n),
                Val::Func => Value::Nil,
            };
            (k, v)
        })
        .collect();
    if i == 0 && g.huge > 0 {
        es.push((
            Value::str("huge"),
            Value::Array((1..=g.huge as i64).map(Value::Int).collect()),
        ));
    }
    // An array exactly when the keys are the integers 1..n.
    let len = es.len() as i64;
    let is_array = len > 0
        && (1..=len).all(|i| {
            es.iter()
                .any(|(k, _)| matches!(k, Value::Int(x) if *x == i))
        });
    if is_array {
        let mut arr = vec![Value::Nil; es.len()];
        for (k, v) in es {
            if let Value::Int(x) = k {
                arr[x as usize - 1] = v;
            }
        }
        Value::Array(arr)
    } else {
        Value::Map(es)
    }
}

/// Structural equality: numbers by value and bits (NaN equals NaN, −0 differs from 0),
/// maps as sets.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        // An integral number may arrive as either form (mlua hands out integers): the same
        // number is the same (−0 stays apart from 0: its bits differ).
        (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => {
            (*i as f64).to_bits() == f.to_bits()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| same(k, k2) && same(v, v2)))
        }
        _ => a == b,
    }
}

fn check(g: &Graph) -> Result<(), TestCaseError> {
    let lua = Lua::new();
    let root = build(&lua, g).map_err(|e| TestCaseError::fail(format!("build: {e}")))?;
    let mut budget = Budget::new(g.budget);
    let got = to_value(&root, &mut budget);
    let cyclic = has_cycle(g);
    let (depth, bound) = if cyclic {
        (usize::MAX, u64::MAX)
    } else {
        let (d, b) = measure(g, 0, &mut vec![None; g.tables.len()]);
        // Each chain level is a table of one array value.
        (
            d + g.chain,
            b.saturating_add(2 * VALUE_BYTES * g.chain as u64),
        )
    };
    match got {
        Ok(v) => {
            prop_assert!(!cyclic, "copied a cyclic graph");
            prop_assert!(depth <= MAX_DEPTH, "copied {depth} levels");
            prop_assert!(footprint(&v) <= g.budget, "copy larger than its budget");
            let mut expected = unfold(g, 0);
            for _ in 0..g.chain {
                expected = Value::Array(vec![expected]);
            }
            prop_assert!(
                same(&v, &expected),
                "copy differs:\n got {v:?}\nwant {expected:?}"
            );
            // And back: the rebuilt Lua value copies to the same value (unless a function
            // became nil: Lua cannot hold a nil value, so that entry is gone).
            let funcs = g
                .tables
                .iter()
                .flatten()
                .any(|(_, v)| matches!(v, Val::Func));
            if funcs {
                return Ok(());
            }
            let back = to_lua(&lua, &v).map_err(|e| TestCaseError::fail(format!("to_lua: {e}")))?;
            let again = to_value(&back, &mut Budget::new(u64::MAX))
                .map_err(|e| TestCaseError::fail(format!("second copy: {e}")))?;
            prop_assert!(same(&again, &expected), "round trip differs");
        }
        Err(CopyError::Cycle) => prop_assert!(cyclic, "a cycle reported in an acyclic graph"),
        Err(CopyError::TooDeep) => prop_assert!(depth > MAX_DEPTH, "TooDeep at depth {depth}"),
        Err(CopyError::TooLarge { max_bytes }) => {
            prop_assert_eq!(max_bytes, g.budget);
            prop_assert!(
                bound > g.budget,
                "TooLarge though the copy is at most {bound} bytes"
            );
        }
        Err(e) => prop_assert!(false, "unexpected error {e:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn lua_copies_are_faithful_or_refused(g in graph()) {
        // On half a worker's stack (a debug build needs a few KiB per level of a
        // 512-level copy; workers have `WORKER_STACK`).
        let r = std::thread::Builder::new()
            .stack_size(troupe_kernel::host::WORKER_STACK / 2)
            .spawn(move || check(&g))
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .join()
            .map_err(|_| TestCaseError::fail("the check panicked"))?;
        r?;
    }
}

/// The worst refused copy of SPEC §3.2 (a 64-times doubled table: 2^64 paths) stops once
/// 64 MiB are charged, and `for_each` recursion at 512 levels stays on the stack.
#[test]
fn the_doubling_bomb_is_refused_after_the_budget() {
    let lua = Lua::new();
    let t: LuaValue = lua
        .load("local t = {} for i = 1, 64 do t = { t, t } end return t")
        .eval()
        .unwrap_or(LuaValue::Nil);
    let mut budget = Budget::new(DEFAULT_MAX_MESSAGE);
    let started = std::time::Instant::now();
    let r = to_value(&t, &mut budget);
    // A measurement for the record (`--nocapture`), not an assertion.
    eprintln!(
        "doubling bomb refused after {} bytes in {:?}",
        budget.used(),
        started.elapsed()
    );
    assert_eq!(
        r,
        Err(CopyError::TooLarge {
            max_bytes: DEFAULT_MAX_MESSAGE
        })
    );
    assert!(budget.used() > DEFAULT_MAX_MESSAGE && budget.used() < DEFAULT_MAX_MESSAGE + 4096);
}
