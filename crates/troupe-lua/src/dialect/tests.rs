//! Unit tests of the rewrite: the exact Luau for each construct, what must not change
//! (strings, comments, `as` as a name), that Luau compiles the output, the errors with
//! their lines, hostile inputs, and a property test (never panics, same line count).

use super::{DialectError, rewrite};

/// The rewrite of `src`, which Luau must compile.
fn luau(src: &str) -> String {
    let out = rewrite(src).unwrap_or_else(|e| panic!("rewrite of {src:?} failed: {e}"));
    assert_eq!(out.lines().count(), src.lines().count(), "lines of {src:?}");
    let lua = mlua::Lua::new();
    if let Err(e) = lua.load(out.as_ref()).into_function() {
        panic!("Luau rejects the rewrite of {src:?}:\n{out}\n{e}");
    }
    out.into_owned()
}

fn same(src: &str) {
    assert_eq!(luau(src), src);
}

#[test]
fn cast_as() {
    assert_eq!(luau("local x = y as number"), "local x = y :: number");
    assert_eq!(luau("return f(a) as {string}"), "return f(a) :: {string}");
    assert_eq!(luau("local n = (v as any).x"), "local n = (v :: any).x");
    assert_eq!(
        luau("local x = foo(a,\n  b) as\n  number?\nprint(x)"),
        "local x = foo(a,\n  b) ::\n  number?\nprint(x)"
    );
    assert_eq!(
        luau("local t = {a = b as string}"),
        "local t = {a = b :: string}"
    );
    assert_eq!(luau("local s = x as string[]"), "local s = x :: {string}");
}

#[test]
fn as_stays_a_name() {
    same("local as = 1\nlocal t = {as = as}\nt.as = as\nprint(t.as, as)");
    same("local x = {}\nfunction x:as() return 1 end\nprint(x:as())");
    same("local function as(v) return v end\nprint(as(1))");
    // A statement that starts with a call of a function named `as`.
    same("local as = print\nlocal y = 1\nas(y)\nas 'x'");
}

#[test]
fn strings_and_comments_are_not_changed() {
    same(
        "local s = 'x as number' .. \"T[]\" .. [[a?: b]] -- e! as T[]\n--[==[ readonly T @min(1) ]==]\nprint(s)",
    );
    same("local s = `{1} as number`\nprint(s)");
}

#[test]
fn optional_fields() {
    assert_eq!(
        luau("type P = { name: string, age?: number }"),
        "type P = { name: string, age: (number)? }"
    );
    assert_eq!(
        luau("type P = { cb?: (string) -> boolean }"),
        "type P = { cb: ((string) -> boolean)? }"
    );
    assert_eq!(
        luau("type P = { tags?: string[], n?: { a?: number } }"),
        "type P = { tags: ({string})?, n: ({ a: (number)? })? }"
    );
    assert_eq!(
        luau("local function f(a: number, b?: string) end"),
        "local function f(a: number, b: (string)?) end"
    );
}

#[test]
fn arrays() {
    assert_eq!(luau("local a: number[] = {}"), "local a: {number} = {}");
    assert_eq!(luau("local a: any[][] = {}"), "local a: {{any}} = {}");
    assert_eq!(luau("local a: Foo<T>[] = {}"), "local a: {Foo<T>} = {}");
    assert_eq!(luau("local a: string?[] = {}"), "local a: {string?} = {}");
    assert_eq!(
        luau("type X = { a?: number[], b: (string) -> R }"),
        "type X = { a: ({number})?, b: (string) -> R }"
    );
    assert_eq!(
        luau("local function f(xs: number[]): string[] return {} end"),
        "local function f(xs: {number}): {string} return {} end"
    );
}

#[test]
fn validators_are_stripped() {
    assert_eq!(
        luau(
            "type U = { age: number @min(0) @max(150), name: string @min_len(1) @max_len(64), mail: string @pattern(\"^.+@.+$\") }"
        ),
        "type U = { age: number  , name: string  , mail: string  }"
    );
    assert_eq!(
        luau("type U = { t?: number @min(-5) }"),
        "type U = { t: (number )? }"
    );
}

#[test]
fn constraint_generics() {
    assert_eq!(
        luau("local function f<T: Base>(x: T): T return x end"),
        "local function f<T >(x: T): T return x end"
    );
    assert_eq!(
        luau("function M.f<T extends {number}, U>(x: T, y: U) end"),
        "function M.f<T  , U>(x: T, y: U) end"
    );
    assert_eq!(
        luau("type Box<T: Item> = { v: T }"),
        "type Box<T > = { v: T }"
    );
    assert_eq!(
        luau("local f: <T: A>(T) -> T = nil"),
        "local f: <T >(T) -> T = nil"
    );
}

#[test]
fn readonly_and_non_nil() {
    assert_eq!(
        luau("local a: readonly number[] = {}"),
        "local a:  {number} = {}"
    );
    assert_eq!(
        luau("type R = { readonly id: string }"),
        "type R = {  id: string }"
    );
    assert_eq!(luau("local v = t.x!\nprint(v)"), "local v = t.x\nprint(v)");
    assert_eq!(luau("local v = f()!.y"), "local v = f().y");
    assert_eq!(
        luau("local v = (a! as number) + 1"),
        "local v = (a :: number) + 1"
    );
}

#[test]
fn number_literal_types() {
    assert_eq!(
        luau("type N = 1 | 2 | -3"),
        "type N = number | number | number"
    );
}

#[test]
fn plain_luau_is_unchanged() {
    same(
        "local x: number = 1\nlocal function f(a: string, ...: number): (boolean, string?) return true end\ntype T = { [string]: number, f: (a: T) -> () }\nlocal y = x :: number\nlocal s = `a{x}b`\nexport type E = \"a\" | \"b\"\nprint(type(x), y)",
    );
    same("local t = { [1] = 2 }\nlocal v = t[1]\nif v ~= nil then print(v) end");
    same("local type = type\nprint(type(1))");
}

/// Every Lua file of the repository: Luau compiles its rewrite, which has its lines; one
/// with none of the dialect's marks (plain Luau) is returned unchanged.
#[test]
fn every_lua_file_of_the_repository_rewrites() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stack = vec![root.join("tests"), root.join("examples")];
    let (mut n, mut plain) = (0, 0);
    let lua = mlua::Lua::new();
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                // `tests/check` holds deliberately broken applications.
                if p.file_name().is_some_and(|f| f != "target" && f != "check") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "lua") {
                let src = std::fs::read_to_string(&p).expect("read");
                let out = rewrite(&src).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                assert_eq!(out.lines().count(), src.lines().count(), "{}", p.display());
                if let Err(e) = lua.load(out.as_ref()).into_function() {
                    panic!("{}: {e}", p.display());
                }
                let marks = [" as ", "?:", "[]", "@", "!", "readonly", "extends", "type "];
                if !marks.iter().any(|m| src.contains(m)) {
                    assert_eq!(out, src, "{} changed", p.display());
                    plain += 1;
                }
                n += 1;
            }
        }
    }
    assert!(
        n > 50 && plain > 20,
        "only {n} Lua files ({plain} plain) found"
    );
}

#[test]
fn runtime_type_declaration_gets_a_value_on_its_line() {
    let out = luau("type P = { x: number }\nlocal ok = P:is({x = 1})\nreturn ok");
    assert!(
        out.starts_with("local P = __troupe_type(\"P\", [[{\"k\":\"record\""),
        "{out}"
    );
    assert!(out.ends_with("; type P = { x: number }\nlocal ok = P:is({x = 1})\nreturn ok"));
    // Not used as a value: only erased by Luau.
    same("type P = { x: number }\nlocal p: P = {x = 1}\nreturn p");
}

#[test]
fn unsupported_runtime_types_are_errors_at_their_line() {
    let e = rewrite("local a = 1\n\ntype F = (number) -> string\nreturn F:is(a)").unwrap_err();
    assert!(
        matches!(e, DialectError::RuntimeType { line: 3, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("a function type has no runtime validator"),
        "{e}"
    );
    let e = rewrite("type L = { next: L? }\nreturn L").unwrap_err();
    assert!(e.to_string().contains("recursive"), "{e}");
    let e = rewrite("type B<T> = { v: T }\nreturn B").unwrap_err();
    assert!(e.to_string().contains("generic"), "{e}");
    let e = rewrite("type U = { x: Unknown }\nreturn U").unwrap_err();
    assert!(
        e.to_string().contains("`Unknown` is not a type declared"),
        "{e}"
    );
}

#[test]
fn bad_validators_are_errors_at_their_line() {
    let e = rewrite("local x = 1\ntype U = { a: number @minimum(1) }").unwrap_err();
    assert_eq!(e.line(), 2);
    assert!(e.to_string().contains("unknown validator @minimum"), "{e}");
    let e = rewrite("type U = { a: string @pattern(\"(\") }").unwrap_err();
    assert!(e.to_string().contains("bad @pattern"), "{e}");
    let e = rewrite("type U = { a: string @min_len(\"x\") }").unwrap_err();
    assert!(e.to_string().contains("takes a number"), "{e}");
}

#[test]
fn deep_types_are_refused_not_overflowed() {
    let src = format!(
        "local x: {}number{}",
        "{".repeat(100_000),
        "}".repeat(100_000)
    );
    let e = rewrite(&src).unwrap_err();
    assert!(matches!(e, DialectError::TooDeep { line: 1 }), "{e:?}");
    let src = format!(
        "local x: {}number{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(matches!(rewrite(&src), Err(DialectError::TooDeep { .. })));
}

#[test]
fn hostile_inputs_end_with_the_same_lines() {
    // 100k nested parentheses in expressions (not types): no recursion at all.
    let src = format!("local x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(rewrite(&src).expect("parens"), src);
    // 10 MB of `?` and of `as`/`!` soup, and unclosed long brackets.
    for src in [
        "?".repeat(10 << 20),
        "x as ".repeat(1 << 20),
        "a!\n".repeat(1 << 20),
        format!("--[==[{}", "]=]".repeat(1 << 20)),
        "[=".repeat(1 << 20),
        "local a: {[".repeat(1 << 16),
        // Regions re-read after failed parses (unclosed `typeof(`, declarations in types).
        "x :: typeof(".repeat(1 << 16),
        "local a: A | type X = { f: B | ".repeat(1 << 14),
    ] {
        let out = rewrite(&src).map(|o| o.lines().count());
        if let Ok(n) = out {
            assert_eq!(n, src.lines().count());
        }
    }
}

mod props {
    use super::rewrite;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "as", " ", "\n", "?", ":", "::", "[", "]", "{", "}", "(", ")", "<", ">", "!", "@",
            "min", "(1)", "type", "export", "X", "=", "local", "function", "readonly", "extends",
            "number", ",", ";", "'s'", "\"", "--", "[[", "]]", "|", "&", "->", "...", "1", "-",
            "typeof", "for", "in", "`", "{x}", "end", "return", ".",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_and_keeps_lines(parts in prop::collection::vec(piece(), 0..60)) {
            let src: String = parts.concat();
            // The pass itself, outside `rewrite`'s catch_unwind, so a panic fails the test.
            if let Ok(pass) = super::super::rewrite::Pass::run(&src) {
                prop_assert_eq!(pass.output().matches('\n').count(), src.matches('\n').count());
            }
            if let Ok(out) = rewrite(&src) {
                prop_assert_eq!(out.matches('\n').count(), src.matches('\n').count());
            }
        }

        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
            let _ = super::super::rewrite::Pass::run(&src).map(|p| p.output().len());
            if let Ok(out) = rewrite(&src) {
                prop_assert_eq!(out.matches('\n').count(), src.matches('\n').count());
            }
        }
    }
}

#[test]
fn hard_cases() {
    // A statement after a call that assigns to a variable named `as`.
    same("local as\nprint(1)\nas = 1\nas.x = 2");
    // Casts inside interpolated strings, if-expressions, multiple returns.
    assert_eq!(
        luau("local s = `{x as number}`"),
        "local s = `{x :: number}`"
    );
    assert_eq!(
        luau("local v = if a then b as string else c as number"),
        "local v = if a then b :: string else c :: number"
    );
    assert_eq!(luau("return x as T, y as U[]"), "return x :: T, y :: {U}");
    // Anonymous generic functions, methods, `for` bindings.
    assert_eq!(
        luau("local f = function<T: C>(x: T, y?: T[]) end"),
        "local f = function<T >(x: T, y: ({T})?) end"
    );
    assert_eq!(
        luau("function M:m(a?: number): string? end"),
        "function M:m(a: (number)?): string? end"
    );
    assert_eq!(
        luau("for k: string, v: number[] in pairs(t) do end"),
        "for k: string, v: {number} in pairs(t) do end"
    );
    // typeof in types and casts; leading `|` over lines; generic exported types.
    same("local a: typeof(x) = x\nlocal b = y :: typeof(a)");
    assert_eq!(
        luau("local b = y as typeof(a)[]"),
        "local b = y :: {typeof(a)}"
    );
    assert_eq!(
        luau("type C =\n  | \"red\"\n  | \"green\"[]\n"),
        "type C =\n  | \"red\"\n  | {\"green\"}\n"
    );
    same("export type Box<T> = { v: T }\nlocal b: Box<number> = { v = 1 }");
    // Function types with named and optional parameters, returning packs.
    assert_eq!(
        luau("type F = (a: number, b?: string, ...any) -> (boolean, string?)"),
        "type F = (a: number, b: (string)?, ...any) -> (boolean, string?)"
    );
    // `!=` is not Wippy: left for Luau to refuse.
    assert_eq!(
        rewrite("if a != b then end").map(|s| s.into_owned()),
        Ok("if a != b then end".to_string())
    );
}

#[test]
fn runtime_type_shapes_resolve_references() {
    let out = rewrite("type A = { n: number }\ntype B = { a: A[] }\nreturn B").expect("rewrite");
    let line = out.lines().nth(1).expect("line 2");
    assert!(
        line.starts_with(r#"local B = __troupe_type("B", [[{"k":"record","fields":[{"name":"a","shape":{"k":"array","of":{"k":"record","#),
        "{line}"
    );
    // A shape whose text holds `]]` gets a long bracket of a higher level.
    let out = rewrite("type S = { a: \"]]\" }\nreturn S").expect("rewrite");
    assert!(out.contains("[=[{"), "{out}");
    assert!(mlua::Lua::new().load(out.as_ref()).into_function().is_ok());
}

#[test]
fn type_parsing_is_bounded_by_its_fuel() {
    use super::rewrite::Pass;
    let src = "local a = 1\nlocal b: { x: number, y: string } = {}";
    assert!(Pass::run_with_fuel(src, Some(100)).is_ok());
    let e = Pass::run_with_fuel(src, Some(3))
        .err()
        .expect("out of fuel");
    assert_eq!(e, DialectError::TooComplex { line: 2 });
}
