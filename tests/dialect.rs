//! `troupe check` on Wippy's typed-Lua dialect (WIPPY-API.md §1, issue 12): each construct
//! is accepted; a construct that cannot be accepted is reported at its file:line with the
//! entry ID and what was expected; Luau's syntax errors after the rewrite name the user's
//! line; hostile sources end with an answer.

use std::path::Path;
use std::process::Command;

/// `troupe check` on an app whose entry `app:main` has `main.lua` = `lua`.
fn check(lua: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_app(dir.path(), lua);
    run_check(dir.path())
}

fn write_app(dir: &Path, lua: &str) {
    std::fs::write(
        dir.join("_index.yaml"),
        "namespace: app\nentries:\n  - name: main\n    kind: function.lua\n    source: file://main.lua\n",
    )
    .expect("write index");
    std::fs::write(dir.join("main.lua"), lua).expect("write lua");
}

fn run_check(dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_troupe"))
        .arg("check")
        .arg(dir)
        .output()
        .expect("run troupe");
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&format!("{}/", dir.display()), "");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

fn accepted(lua: &str) {
    let (code, out, err) = check(lua);
    assert_eq!(code, 0, "rejected:\n{lua}\n{err}");
    assert!(out.contains("ok: 1 entries"), "{out}");
}

fn rejected(lua: &str, expected: &[&str]) {
    let (code, _, err) = check(lua);
    assert_eq!(code, 1, "accepted:\n{lua}\n{err}");
    for e in expected {
        assert!(err.contains(e), "missing {e:?} in:\n{err}");
    }
}

const RET: &str = "\nreturn { main = function() return true end }\n";

#[test]
fn cast_as_is_accepted() {
    accepted(&format!(
        "local x = 1\nlocal y = x as number\nlocal z = (f as any)(y as string[]){RET}"
    ));
}

#[test]
fn as_as_a_name_is_accepted() {
    accepted(&format!(
        "local as = 1\nlocal t = {{as = as}}\nt.as = 2\nfunction t:as() end\nt:as(){RET}"
    ));
}

#[test]
fn optional_fields_are_accepted() {
    accepted(&format!(
        "type X = {{ a?: number[], b: (string) -> R, c?: {{ d?: string }} }}\nlocal function f(a: number, b?: string) end{RET}"
    ));
}

#[test]
fn array_types_are_accepted() {
    accepted(&format!(
        "local a: number[] = {{}}\nlocal b: any[][] = {{}}\nlocal function f(x: T[]): string[] return {{}} end{RET}"
    ));
}

#[test]
fn validators_are_accepted() {
    accepted(&format!(
        "type U = {{ name: string @min_len(1) @max_len(10), age: number @min(0) @max(150), mail: string @pattern(\"^.+@.+$\") }}\nlocal ok = U:is({{}}){RET}"
    ));
}

#[test]
fn constraint_generics_are_accepted() {
    accepted(&format!(
        "local function f<T: Base>(x: T): T return x end\nlocal function g<T extends {{number}}, U>(x: T, y: U) end\ntype B<T: C> = {{ v: T }}{RET}"
    ));
}

#[test]
fn readonly_and_non_nil_are_accepted() {
    accepted(&format!(
        "local a: readonly number[] = {{}}\ntype R = {{ readonly id: string }}\nlocal v = a[1]!\nlocal w = f()!.x{RET}"
    ));
}

#[test]
fn runtime_types_and_casts_are_accepted() {
    accepted(&format!(
        "export type P = {{ x: number, y?: integer }}\ntype M = \"a\" | \"b\" | 3\nlocal p = P({{x = 1}})\nlocal ok, err = M:is(\"a\")\nlocal k = P:kind()\nlocal s = string(\"x\") .. integer(1) .. number(2) .. tostring(boolean(true)){RET}"
    ));
}

#[test]
fn unsupported_runtime_type_is_reported_at_its_line() {
    rejected(
        &format!(
            "local x = 1\n\ntype Handler = (string) -> boolean\nlocal ok = Handler:is(x){RET}"
        ),
        &[
            "main.lua:3:1: app:main: ",
            "type Handler is used as a value (as Wippy's runtime types: X:is(v), X(v)) but a function type has no runtime validator",
        ],
    );
    rejected(
        &format!("type Tree = {{ kids: Tree[] }}\nprint(Tree){RET}"),
        &["main.lua:1:1: app:main: ", "`Tree` is recursive"],
    );
}

#[test]
fn unknown_validator_is_reported_at_its_line() {
    rejected(
        &format!("type U = {{\n  name: string,\n  age: number @positive,\n}}{RET}"),
        &[
            "main.lua:3:1: app:main: ",
            "unknown validator @positive; expected one of @min(n), @max(n), @min_len(n), @max_len(n), @pattern(re)",
        ],
    );
}

#[test]
fn syntax_error_after_a_rewrite_reports_the_original_line() {
    // Lines 1-6 are rewritten (some grow longer, one type spans lines); line 7 is wrong.
    rejected(
        "type X = {\n  a?: number[],\n  b: (string) -> R,\n}\nlocal y = 1 as number\nlocal z = y!\nlocal = 5\nreturn {}\n",
        &["main.lua:7:1: app:main: Lua syntax error at Lua line 7"],
    );
}

#[test]
fn inline_source_errors_point_into_the_yaml() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("_index.yaml"),
        "namespace: app\nentries:\n  - name: main\n    kind: function.lua\n    source: |\n      type A = { a?: string[] }\n      local b = 1 as number\n      local c: number @min(1, 2) = 1\n      return {}\n",
    )
    .expect("write");
    let (code, _, err) = run_check(dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("_index.yaml:8:7: app:main: ")
            && err.contains("validator @min takes one literal argument in parentheses"),
        "{err}"
    );
}

#[test]
fn deeply_nested_type_is_refused_with_its_line() {
    let lua = format!(
        "local a = 1\nlocal x: {}number{} = nil{RET}",
        "{".repeat(50_000),
        "}".repeat(50_000)
    );
    rejected(
        &lua,
        &[
            "main.lua:2:1: app:main: ",
            "a type nested deeper than 100 levels",
        ],
    );
}

#[test]
fn hostile_sources_end_with_an_answer() {
    // 10 MB of `?` and 100k nested parentheses: Luau's error, at line 1, no hang or panic.
    for lua in [
        "?".repeat(10 << 20),
        format!("local x = {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        "x as ".repeat(1 << 20),
    ] {
        let (code, _, err) = check(&lua);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("main.lua:1:1: app:main: Lua syntax error"),
            "{err}"
        );
    }
}
