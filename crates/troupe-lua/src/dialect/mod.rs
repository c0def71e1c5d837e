//! Wippy's typed-Lua dialect accepted on Luau (WIPPY-API.md §1, "Typed-Lua dialect"):
//! every Lua source is rewritten before it is compiled, by `troupe check`
//! ([`crate::LuaChecker`]) and by the VM ([`crate::vm::Vm::proto`]).
//!
//! | Wippy | Luau | where |
//! |---|---|---|
//! | `e as T` | `e :: T` | expressions (`as` stays a name elsewhere: `local as`, `t.as`, `x:as()`) |
//! | `name?: T` | `name: (T)?` | table types, function (type) parameters |
//! | `T[]` | `{T}` | types |
//! | `@min(n) @max(n) @min_len(n) @max_len(n) @pattern(re)` | removed | after a type; enforced by runtime types |
//! | `<T: C>`, `<T extends C>` | `<T>` | generic parameter lists |
//! | `readonly T` | `T` | types, table type fields |
//! | `e!` | `e` | after an expression |
//! | `1`, `-2` as types | `number` | types (the runtime type keeps the literal) |
//! | `type X = ...` used as a value | `local X = __troupe_type("X", "<shape>"); type X = ...` | [`runtime`] |
//!
//! The rewrite is token-aware ([`lex`], `full_moon`'s Luau tokenizer: strings, comments
//! and long brackets are never touched) and keeps every line: no newline is added or
//! removed, so Luau's errors and tracebacks point at the user's line. Its cost is linear
//! in the source ([`rewrite::MAX_DEPTH`] bounds a type's nesting). Constructs it cannot
//! accept are [`DialectError`]s with their line; everything else that is not valid Luau is
//! left as written for Luau to report.
//!
//! The validating casts `string(x) integer(x) number(x) boolean(x)` are runtime
//! functions, not rewrites ([`casts`]).

pub mod casts;
pub mod lex;
pub mod rewrite;
pub mod runtime;
pub mod shape;
pub mod ty;

use std::borrow::Cow;

/// A construct of the dialect that cannot be accepted, at its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialectError {
    /// A type nested deeper than [`rewrite::MAX_DEPTH`].
    #[error("a type nested deeper than {max} levels", max = rewrite::MAX_DEPTH)]
    TooDeep { line: usize },
    /// A source whose types take more than [`rewrite::FUEL_PER_TOKEN`] parsing steps per
    /// token (only pathological sources do).
    #[error("the source's types are too complex for the dialect rewrite (from this line on)")]
    TooComplex { line: usize },
    /// An unknown validator or a malformed argument.
    #[error("{message}")]
    Validator { line: usize, message: String },
    /// `type X = ...` is used as a value but has no runtime validator.
    #[error(
        "type {name} is used as a value (as Wippy's runtime types: X:is(v), X(v)) but {reason}"
    )]
    RuntimeType {
        line: usize,
        name: String,
        reason: String,
    },
    /// The source is over 4 GiB.
    #[error("the source is too large for the dialect rewrite ({len} bytes)")]
    TooLarge { len: usize },
}

impl DialectError {
    /// The 1-based source line the error is about.
    pub fn line(&self) -> usize {
        match self {
            DialectError::TooDeep { line }
            | DialectError::TooComplex { line }
            | DialectError::Validator { line, .. }
            | DialectError::RuntimeType { line, .. } => *line,
            DialectError::TooLarge { .. } => 1,
        }
    }
}

/// `src` in Luau: the dialect rewritten (see the module doc), with the same lines; `src`
/// itself when it uses none of it.
///
/// Errors: a construct that cannot be accepted ([`DialectError`]).
pub fn rewrite(src: &str) -> Result<Cow<'_, str>, DialectError> {
    if src.len() >= u32::MAX as usize {
        return Err(DialectError::TooLarge { len: src.len() });
    }
    // A panic in the tokenizer on some input would be a bug there; the source then goes to
    // Luau unchanged (which reports whatever is wrong with it) rather than taking down the
    // worker.
    let pass = match std::panic::catch_unwind(|| rewrite::Pass::run(src)) {
        Ok(r) => r?,
        Err(_) => return Ok(Cow::Borrowed(src)),
    };
    let mut pass = pass;
    let decls = std::mem::take(&mut pass.decls);
    {
        let names = rewrite::by_name(&decls);
        for d in &decls {
            if !pass.values.contains(d.name.as_str()) {
                continue;
            }
            let shape = shape::resolve(d, &names).map_err(|reason| DialectError::RuntimeType {
                line: d.line,
                name: d.name.clone(),
                reason,
            })?;
            let json = serde_json::to_string(&shape).map_err(|e| DialectError::RuntimeType {
                line: d.line,
                name: d.name.clone(),
                reason: e.to_string(),
            })?;
            let mut level = 0;
            while json.contains(&format!("]{}]", "=".repeat(level))) {
                level += 1;
            }
            let eq = "=".repeat(level);
            pass.insert_before(
                d.first,
                format!(
                    "local {name} = {ctor}(\"{name}\", [{eq}[{json}]{eq}]); ",
                    name = d.name,
                    ctor = runtime::CONSTRUCTOR
                ),
            );
        }
    }
    Ok(pass.output())
}

#[cfg(test)]
mod tests;
