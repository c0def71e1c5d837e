//! The rewrite from Wippy's typed-Lua dialect to Luau (WIPPY-API.md §1, the "Typed-Lua
//! dialect" table), one pass over the significant tokens of [`super::lex`].
//!
//! It knows where types are: after `::` and a cast `as`, after the `:` of a `local`/`for`
//! binding, of a function parameter and of a function's return, in `type X = ...`, and in
//! generic parameter lists. Inside a type it reads Luau's type grammar plus Wippy's
//! postfix `T[]` and validators, `name?: T` fields, `readonly`, number literal types and
//! constraint generics; everywhere else only `e as T` and `e!` are Wippy syntax. Every
//! change is a replacement of one token's text or an insertion next to a token, never of
//! the whitespace and comments between tokens, and no inserted text has a newline: the
//! output has the source's lines, so every Luau error points at the user's line.
//!
//! Cost: one pass, linear in the number of tokens; a type's recursion is bounded by
//! [`MAX_DEPTH`] (deeper is [`DialectError::TooDeep`]); a `typeof(...)` is skipped to its
//! matching parenthesis (found once for the whole source); and type parsing has a fuel of
//! [`FUEL_PER_TOKEN`] steps per token, so a region re-read after a failed parse cannot make
//! the pass quadratic ([`DialectError::TooComplex`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use full_moon::tokenizer::{InterpolatedStringKind, Symbol};

use super::DialectError;
use super::lex::{Kind, Tok};
use super::ty::{Arg, Field, Ty, Validator};

/// How deeply types may nest (tables, parentheses, generic arguments) before the rewrite
/// refuses the source.
pub const MAX_DEPTH: usize = 100;

/// Type-parsing steps allowed per token of the source, plus a base: far more than any
/// real source needs (a successful parse takes about one step per token), and the bound
/// that keeps pathological sources (failed parses re-read again and again) linear.
pub const FUEL_PER_TOKEN: usize = 16;
const FUEL_BASE: usize = 100_000;

/// Where an edit goes relative to its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum At {
    Before,
    Replace,
    After,
}

#[derive(Debug)]
struct Edit {
    tok: u32,
    at: At,
    seq: u32,
    text: Cow<'static, str>,
}

/// A `type X = ...` declaration.
#[derive(Debug)]
pub struct Decl {
    pub name: String,
    /// Its first token (`type` or `export`).
    pub first: usize,
    /// 1-based source line of the declaration.
    pub line: usize,
    pub ty: Ty,
    /// Declared with type parameters.
    pub generic: bool,
}

/// The result of the pass: the edits, the type declarations and the names used as values.
pub struct Pass<'a> {
    src: &'a str,
    t: Vec<Tok>,
    edits: Vec<Edit>,
    pub decls: Vec<Decl>,
    pub values: HashSet<&'a str>,
    error: Option<DialectError>,
    lines: Vec<u32>,
    /// For each `(` token, the index of its matching `)` (`u32::MAX`: none).
    close: Vec<u32>,
    /// Type-parsing steps left: re-reading a region after a failed parse is bounded, so
    /// the whole pass stays linear in the tokens ([`DialectError::TooComplex`]).
    fuel: usize,
}

impl<'a> Pass<'a> {
    /// Run the pass over `src`.
    ///
    /// Errors: the first construct that cannot be accepted (a type nested deeper than
    /// [`MAX_DEPTH`], an unknown or malformed validator).
    pub fn run(src: &'a str) -> Result<Pass<'a>, DialectError> {
        Self::run_with_fuel(src, None)
    }

    /// [`Pass::run`] with the type-parsing fuel given (tests), else the default.
    pub(crate) fn run_with_fuel(
        src: &'a str,
        fuel: Option<usize>,
    ) -> Result<Pass<'a>, DialectError> {
        let lines = std::iter::once(0)
            .chain(
                src.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i as u32 + 1),
            )
            .collect();
        let t = super::lex::tokens(src);
        let mut close = vec![u32::MAX; t.len()];
        let mut open = Vec::new();
        for (i, tok) in t.iter().enumerate() {
            match tok.kind {
                Kind::Sym(Symbol::LeftParen) => open.push(i),
                Kind::Sym(Symbol::RightParen) => {
                    if let Some(o) = open.pop() {
                        close[o] = i as u32;
                    }
                }
                _ => {}
            }
        }
        let fuel = fuel.unwrap_or_else(|| {
            t.len()
                .saturating_mul(FUEL_PER_TOKEN)
                .saturating_add(FUEL_BASE)
        });
        let mut p = Pass {
            src,
            close,
            fuel,
            t,
            edits: Vec::new(),
            decls: Vec::new(),
            values: HashSet::new(),
            error: None,
            lines,
        };
        let mut i = 0;
        while i < p.t.len() && p.error.is_none() {
            let next = p.step(i);
            i = next.max(i + 1);
        }
        match p.error.take() {
            Some(e) => Err(e),
            None => Ok(p),
        }
    }

    /// The 1-based line of token `i` (the last line for an index past the end).
    pub fn line(&self, i: usize) -> usize {
        let byte = self
            .t
            .get(i)
            .map(|t| t.start)
            .unwrap_or(self.src.len() as u32);
        self.lines.partition_point(|&s| s <= byte).max(1)
    }

    /// Insert `text` (no newline) before token `i`.
    pub fn insert_before(&mut self, i: usize, text: String) {
        self.edit(i, At::Before, Cow::Owned(text));
    }

    /// The rewritten text: `src` itself when nothing changed.
    pub fn output(mut self) -> Cow<'a, str> {
        if self.edits.is_empty() {
            return Cow::Borrowed(self.src);
        }
        self.edits.sort_by_key(|e| {
            // Insertions before a token: the one made last (an outer construct) first.
            let order = if e.at == At::Before {
                u32::MAX - e.seq
            } else {
                e.seq
            };
            (e.tok, e.at, order)
        });
        let src = self.src;
        let mut out = String::with_capacity(src.len() + src.len() / 8);
        let mut pos = 0usize;
        let edits = &self.edits;
        let n = edits.len();
        let mut k = 0;
        while k < n {
            let ti = edits[k].tok as usize;
            let tok = self.t[ti];
            let (start, end) = (tok.start as usize, tok.end as usize);
            out.push_str(&src[pos..start]);
            let same = |k: usize, at: At| k < n && edits[k].tok as usize == ti && edits[k].at == at;
            while same(k, At::Before) {
                out.push_str(&edits[k].text);
                k += 1;
            }
            let mut body: &str = &src[start..end];
            while same(k, At::Replace) {
                body = &edits[k].text;
                k += 1;
            }
            out.push_str(body);
            while same(k, At::After) {
                out.push_str(&edits[k].text);
                k += 1;
            }
            pos = end;
        }
        out.push_str(&src[pos..]);
        Cow::Owned(out)
    }

    // ------------------------------------------------------------------ token access

    fn kind(&self, i: usize) -> Option<Kind> {
        self.t.get(i).map(|t| t.kind)
    }

    fn text(&self, i: usize) -> &'a str {
        match self.t.get(i) {
            Some(t) => &self.src[t.start as usize..t.end as usize],
            None => "",
        }
    }

    fn sym(&self, i: usize, s: Symbol) -> bool {
        self.kind(i) == Some(Kind::Sym(s))
    }

    fn ident(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Ident)
    }

    fn word(&self, i: usize, w: &str) -> bool {
        self.ident(i) && self.text(i) == w
    }

    fn edit(&mut self, i: usize, at: At, text: Cow<'static, str>) {
        debug_assert!(!text.contains('\n'));
        let seq = self.edits.len() as u32;
        self.edits.push(Edit {
            tok: i as u32,
            at,
            seq,
            text,
        });
    }

    fn replace(&mut self, i: usize, text: &'static str) {
        self.edit(i, At::Replace, Cow::Borrowed(text));
    }

    fn fail(&mut self, e: DialectError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Token `i` is the first token on its line.
    fn first_on_line(&self, i: usize) -> bool {
        match (i.checked_sub(1).and_then(|p| self.t.get(p)), self.t.get(i)) {
            (Some(p), Some(t)) => self.src[p.end as usize..t.start as usize].contains('\n'),
            _ => true,
        }
    }

    /// Token `i` can end an expression (so what follows may be a postfix: `as`, `!`).
    fn ends_expr(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Ident | Kind::Num | Kind::Str | Kind::Unknown('!')) => true,
            Some(Kind::Interp(k)) => {
                matches!(
                    k,
                    InterpolatedStringKind::End | InterpolatedStringKind::Simple
                )
            }
            Some(Kind::Sym(s)) => matches!(
                s,
                Symbol::Nil
                    | Symbol::True
                    | Symbol::False
                    | Symbol::Ellipsis
                    | Symbol::RightParen
                    | Symbol::RightBracket
                    | Symbol::RightBrace
            ),
            _ => false,
        }
    }

    /// Token `i` can begin a type (for the cast `as`).
    fn starts_type(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Ident | Kind::Str) => true,
            Some(Kind::Sym(s)) => matches!(
                s,
                Symbol::Nil | Symbol::True | Symbol::False | Symbol::LeftBrace | Symbol::LeftParen
            ),
            _ => false,
        }
    }

    /// Token `i` may begin a statement: the token before it does not wait for an operand.
    fn statement_start(&self, i: usize) -> bool {
        let Some(prev) = i.checked_sub(1) else {
            return true;
        };
        match self.kind(prev) {
            Some(Kind::Sym(s)) => !matches!(
                s,
                Symbol::Equal
                    | Symbol::Comma
                    | Symbol::LeftParen
                    | Symbol::LeftBracket
                    | Symbol::LeftBrace
                    | Symbol::Dot
                    | Symbol::Colon
                    | Symbol::TwoColons
                    | Symbol::Plus
                    | Symbol::Minus
                    | Symbol::Star
                    | Symbol::Slash
                    | Symbol::DoubleSlash
                    | Symbol::Percent
                    | Symbol::Caret
                    | Symbol::TwoDots
                    | Symbol::TwoEqual
                    | Symbol::TildeEqual
                    | Symbol::LessThan
                    | Symbol::LessThanEqual
                    | Symbol::GreaterThan
                    | Symbol::GreaterThanEqual
                    | Symbol::And
                    | Symbol::Or
                    | Symbol::Not
                    | Symbol::Hash
                    | Symbol::Local
                    | Symbol::Return
                    | Symbol::In
                    | Symbol::If
                    | Symbol::ElseIf
                    | Symbol::While
                    | Symbol::Until
                    | Symbol::PlusEqual
                    | Symbol::MinusEqual
                    | Symbol::StarEqual
                    | Symbol::SlashEqual
                    | Symbol::DoubleSlashEqual
                    | Symbol::PercentEqual
                    | Symbol::CaretEqual
                    | Symbol::TwoDotsEqual
            ),
            _ => true,
        }
    }

    // ------------------------------------------------------------------ statements

    /// One step of the scan at token `i`; returns where to go on.
    fn step(&mut self, i: usize) -> usize {
        match self.kind(i) {
            Some(Kind::Sym(Symbol::Local)) => {
                if self.sym(i + 1, Symbol::Function) {
                    i + 1
                } else {
                    self.bindings(i + 1)
                }
            }
            Some(Kind::Sym(Symbol::For)) => self.bindings(i + 1),
            Some(Kind::Sym(Symbol::Function)) => self.function_head(i + 1),
            Some(Kind::Sym(Symbol::TwoColons)) => self.type_at(i + 1),
            Some(Kind::Ident) => {
                let w = self.text(i);
                if w == "as"
                    && i > 0
                    && self.ends_expr(i - 1)
                    && self.starts_type(i + 1)
                    && !(self.first_on_line(i)
                        && matches!(
                            self.kind(i + 1),
                            Some(Kind::Str | Kind::Sym(Symbol::LeftParen | Symbol::LeftBrace))
                        ))
                {
                    self.replace(i, "::");
                    return self.type_at(i + 1);
                }
                if (w == "type" || w == "export")
                    && self.statement_start(i)
                    && let Some(next) = self.type_decl(i)
                {
                    return next;
                }
                let member =
                    i > 0 && (self.sym(i - 1, Symbol::Dot) || self.sym(i - 1, Symbol::Colon));
                if !member {
                    self.values.insert(w);
                }
                i + 1
            }
            Some(Kind::Unknown('!')) => {
                let glued_eq = self.src.as_bytes().get(self.t[i].end as usize) == Some(&b'=');
                if i > 0 && self.ends_expr(i - 1) && !glued_eq {
                    self.replace(i, "");
                }
                i + 1
            }
            _ => i + 1,
        }
    }

    /// A type at `i`, as one transaction: on a parse failure nothing is changed and the
    /// scan goes on at `i` (Luau then reports the problem at its line).
    fn type_at(&mut self, i: usize) -> usize {
        let mark = self.edits.len();
        match self.ty(i, 0) {
            Some((j, _)) => j,
            None => {
                self.edits.truncate(mark);
                i
            }
        }
    }

    /// `name [: T] {, name [: T]}` after `local` or `for`.
    fn bindings(&mut self, mut i: usize) -> usize {
        loop {
            if !self.ident(i) {
                return i;
            }
            let mut j = i + 1;
            if self.sym(j, Symbol::Colon) {
                j = self.type_at(j + 1);
            }
            if self.sym(j, Symbol::Comma) {
                i = j + 1;
            } else {
                return j;
            }
        }
    }

    /// After `function`: the name, generic parameters, parameters and return type.
    fn function_head(&mut self, i: usize) -> usize {
        let mut j = i;
        if self.ident(j) {
            j += 1;
            while self.sym(j, Symbol::Dot) && self.ident(j + 1) {
                j += 2;
            }
            if self.sym(j, Symbol::Colon) && self.ident(j + 1) {
                j += 2;
            }
        }
        if self.sym(j, Symbol::LessThan) {
            let mark = self.edits.len();
            match self.generics(j, 0) {
                Some(k) => j = k,
                None => {
                    self.edits.truncate(mark);
                    return j;
                }
            }
        }
        if !self.sym(j, Symbol::LeftParen) {
            return j;
        }
        j += 1;
        loop {
            if self.sym(j, Symbol::RightParen) {
                j += 1;
                break;
            }
            if self.sym(j, Symbol::Ellipsis) {
                j += 1;
                if self.sym(j, Symbol::Colon) {
                    j = self.type_at(j + 1);
                }
            } else if self.ident(j) {
                j += 1;
                if self.sym(j, Symbol::QuestionMark) && self.sym(j + 1, Symbol::Colon) {
                    j = self.optional_annotation(j);
                } else if self.sym(j, Symbol::Colon) {
                    j = self.type_at(j + 1);
                }
            } else {
                return j;
            }
            if self.sym(j, Symbol::Comma) {
                j += 1;
            } else if self.sym(j, Symbol::RightParen) {
                j += 1;
                break;
            } else {
                return j;
            }
        }
        if self.sym(j, Symbol::Colon) {
            j = self.type_at(j + 1);
        }
        j
    }

    /// `?: T` at `q` (the `?`) → `: (T)?`. Returns where the type ends (or `q` when it
    /// does not parse).
    fn optional_annotation(&mut self, q: usize) -> usize {
        let mark = self.edits.len();
        match self.ty(q + 2, 0) {
            Some((k, _)) if k > q + 2 => {
                self.replace(q, "");
                self.edit(q + 2, At::Before, Cow::Borrowed("("));
                self.edit(k - 1, At::After, Cow::Borrowed(")?"));
                k
            }
            _ => {
                self.edits.truncate(mark);
                q
            }
        }
    }

    /// `type Name [<generics>] = T` or `export type ...` at `i`, if it is one.
    fn type_decl(&mut self, i: usize) -> Option<usize> {
        let t = if self.word(i, "export") { i + 1 } else { i };
        if !self.word(t, "type") || !self.ident(t + 1) {
            return None;
        }
        let n = t + 1;
        if !(self.sym(n + 1, Symbol::Equal) || self.sym(n + 1, Symbol::LessThan)) {
            return None;
        }
        let name = self.text(n).to_string();
        let mut j = n + 1;
        let generic = self.sym(j, Symbol::LessThan);
        let mark = self.edits.len();
        if generic {
            match self.generics(j, 0) {
                Some(k) => j = k,
                None => {
                    self.edits.truncate(mark);
                    return Some(j);
                }
            }
        }
        if !self.sym(j, Symbol::Equal) {
            return Some(j);
        }
        match self.ty(j + 1, 0) {
            Some((k, ty)) => {
                let line = self.line(i);
                self.decls.push(Decl {
                    name,
                    first: i,
                    line,
                    ty,
                    generic,
                });
                Some(k)
            }
            None => {
                self.edits.truncate(mark);
                Some(j + 1)
            }
        }
    }

    /// A generic parameter list `<T, U: C, V extends C, W = D, P...>` at `i` (the `<`);
    /// constraints are dropped. Returns the index after `>`.
    fn generics(&mut self, i: usize, depth: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            if self.sym(j, Symbol::GreaterThan) {
                return Some(j + 1);
            }
            if !self.ident(j) {
                return None;
            }
            j += 1;
            if self.sym(j, Symbol::Ellipsis) {
                j += 1;
            }
            if self.sym(j, Symbol::Colon) || self.word(j, "extends") {
                let mark = self.edits.len();
                let (k, _) = self.ty(j + 1, depth + 1)?;
                self.edits.truncate(mark);
                for x in j..k {
                    self.replace(x, "");
                }
                j = k;
            }
            if self.sym(j, Symbol::Equal) {
                let (k, _) = self.ty(j + 1, depth + 1)?;
                j = k;
            }
            if self.sym(j, Symbol::Comma) {
                j += 1;
            } else if !self.sym(j, Symbol::GreaterThan) {
                return None;
            }
        }
    }

    // ------------------------------------------------------------------ types

    /// A type at `i`: `[|] Part {(| | &) Part}`. Returns the index after it.
    fn ty(&mut self, i: usize, depth: usize) -> Option<(usize, Ty)> {
        if depth > MAX_DEPTH {
            let line = self.line(i);
            self.fail(DialectError::TooDeep { line });
            return None;
        }
        if !self.burn(i) {
            return None;
        }
        let mut j = i;
        if self.sym(j, Symbol::Pipe) || self.sym(j, Symbol::Ampersand) {
            j += 1;
        }
        let (k, first) = self.part(j, depth)?;
        j = k;
        let mut parts = vec![first];
        let mut op: Option<Symbol> = None;
        let mut mixed = false;
        while let Some(Kind::Sym(s @ (Symbol::Pipe | Symbol::Ampersand))) = self.kind(j) {
            if op.is_some_and(|o| o != s) {
                mixed = true;
            }
            op = Some(s);
            let (k, p) = self.part(j + 1, depth)?;
            parts.push(p);
            j = k;
        }
        let ty = if mixed {
            Ty::Other("a type mixing | and &")
        } else if parts.len() == 1 {
            parts.pop().unwrap_or(Ty::Nil)
        } else if op == Some(Symbol::Ampersand) {
            Ty::Inter(parts)
        } else {
            Ty::Union(parts)
        };
        Some((j, ty))
    }

    /// One type-parsing step; false (and the error set) when the fuel is gone.
    fn burn(&mut self, i: usize) -> bool {
        if self.fuel == 0 {
            let line = self.line(i);
            self.fail(DialectError::TooComplex { line });
            return false;
        }
        self.fuel -= 1;
        true
    }

    /// `readonly* Simple {? | [] | @validator}`.
    fn part(&mut self, i: usize, depth: usize) -> Option<(usize, Ty)> {
        if !self.burn(i) {
            return None;
        }
        let mut j = i;
        while self.word(j, "readonly")
            && (self.starts_type(j + 1) || self.sym(j + 1, Symbol::LessThan))
        {
            self.replace(j, "");
            j += 1;
        }
        let start = j;
        let (k, mut t) = self.simple(j, depth)?;
        j = k;
        let mut checks = Vec::new();
        loop {
            if self.sym(j, Symbol::QuestionMark) {
                t = Ty::Optional(Box::new(wrap(t, &mut checks)));
                j += 1;
            } else if self.sym(j, Symbol::LeftBracket) && self.sym(j + 1, Symbol::RightBracket) {
                self.edit(start, At::Before, Cow::Borrowed("{"));
                self.replace(j, "}");
                self.replace(j + 1, "");
                t = Ty::Array(Box::new(wrap(t, &mut checks)));
                j += 2;
            } else if self.sym(j, Symbol::AtSign) && self.ident(j + 1) {
                let (k, v) = self.validator(j)?;
                checks.push(v);
                j = k;
            } else {
                break;
            }
        }
        Some((j, wrap(t, &mut checks)))
    }

    /// `@name(arg)` at `i` (the `@`): stripped; returns the validator.
    fn validator(&mut self, i: usize) -> Option<(usize, Validator)> {
        let name = self.text(i + 1);
        let mut j = i + 2;
        let mut arg = Arg::None;
        if self.sym(j, Symbol::LeftParen) {
            j += 1;
            let negative = self.sym(j, Symbol::Minus);
            if negative {
                j += 1;
            }
            match self.kind(j) {
                Some(Kind::Num) => {
                    let n = super::ty::number(self.text(j)).unwrap_or(f64::NAN);
                    arg = Arg::Num(if negative { -n } else { n });
                    j += 1;
                }
                Some(Kind::Str) if !negative => {
                    arg = Arg::Str(super::ty::string(self.text(j)));
                    j += 1;
                }
                _ => {}
            }
            if !self.sym(j, Symbol::RightParen) {
                let line = self.line(i);
                self.fail(DialectError::Validator {
                    line,
                    message: format!("validator @{name} takes one literal argument in parentheses"),
                });
                return None;
            }
            j += 1;
        }
        match Validator::new(name, arg) {
            Ok(v) => {
                for x in i..j {
                    self.replace(x, "");
                }
                Some((j, v))
            }
            Err(message) => {
                let line = self.line(i);
                self.fail(DialectError::Validator { line, message });
                None
            }
        }
    }

    /// A simple type at `i`.
    fn simple(&mut self, i: usize, depth: usize) -> Option<(usize, Ty)> {
        match self.kind(i)? {
            Kind::Sym(Symbol::Nil) => Some((i + 1, Ty::Nil)),
            Kind::Sym(Symbol::True) => Some((i + 1, Ty::Bool(true))),
            Kind::Sym(Symbol::False) => Some((i + 1, Ty::Bool(false))),
            Kind::Str => Some((i + 1, Ty::Str(super::ty::string(self.text(i))))),
            Kind::Num => {
                let n = super::ty::number(self.text(i))?;
                self.replace(i, "number");
                Some((i + 1, Ty::Num(n)))
            }
            Kind::Sym(Symbol::Minus) if self.kind(i + 1) == Some(Kind::Num) => {
                let n = super::ty::number(self.text(i + 1))?;
                self.replace(i, "");
                self.replace(i + 1, "number");
                Some((i + 2, Ty::Num(-n)))
            }
            Kind::Sym(Symbol::Ellipsis) => {
                let (k, _) = self.part(i + 1, depth + 1)?;
                Some((k, Ty::Other("a variadic type pack")))
            }
            Kind::Ident if self.text(i) == "typeof" && self.sym(i + 1, Symbol::LeftParen) => {
                let close = *self.close.get(i + 1)?;
                (close != u32::MAX).then(|| (close as usize + 1, Ty::Other("typeof(...)")))
            }
            Kind::Ident => {
                let mut j = i + 1;
                let mut name = self.text(i).to_string();
                if self.sym(j, Symbol::Dot) && self.ident(j + 1) {
                    name.push('.');
                    name.push_str(self.text(j + 1));
                    j += 2;
                }
                if self.sym(j, Symbol::Ellipsis) {
                    return Some((j + 1, Ty::Other("a generic type pack")));
                }
                let mut generic = false;
                if self.sym(j, Symbol::LessThan) {
                    generic = true;
                    j += 1;
                    loop {
                        if self.sym(j, Symbol::GreaterThan) {
                            j += 1;
                            break;
                        }
                        let (k, _) = self.ty(j, depth + 1)?;
                        j = k;
                        if self.sym(j, Symbol::Comma) {
                            j += 1;
                        } else if !self.sym(j, Symbol::GreaterThan) {
                            return None;
                        }
                    }
                }
                Some((j, Ty::Name { name, generic }))
            }
            Kind::Sym(Symbol::LeftBrace) => self.table(i, depth),
            Kind::Sym(Symbol::LeftParen) => {
                let (j, items) = self.list(i, depth)?;
                if self.sym(j, Symbol::ThinArrow) {
                    let (k, _) = self.ty(j + 1, depth + 1)?;
                    return Some((k, Ty::Other("a function type")));
                }
                match <[Option<Ty>; 1]>::try_from(items) {
                    Ok([Some(t)]) => Some((j, t)),
                    _ => Some((j, Ty::Other("a type pack"))),
                }
            }
            Kind::Sym(Symbol::LessThan) => {
                let j = self.generics(i, depth + 1)?;
                if !self.sym(j, Symbol::LeftParen) {
                    return None;
                }
                let (j, _) = self.list(j, depth)?;
                if !self.sym(j, Symbol::ThinArrow) {
                    return None;
                }
                let (k, _) = self.ty(j + 1, depth + 1)?;
                Some((k, Ty::Other("a generic function type")))
            }
            _ => None,
        }
    }

    /// `( [name[?]:] T, ... )` at `i`: function type parameters, a parenthesised type or a
    /// type pack. Items are `None` when named or variadic.
    fn list(&mut self, i: usize, depth: usize) -> Option<(usize, Vec<Option<Ty>>)> {
        let mut j = i + 1;
        let mut items = Vec::new();
        loop {
            if self.sym(j, Symbol::RightParen) {
                return Some((j + 1, items));
            }
            if self.ident(j) && self.sym(j + 1, Symbol::Colon) {
                let (k, _) = self.ty(j + 2, depth + 1)?;
                items.push(None);
                j = k;
            } else if self.ident(j)
                && self.sym(j + 1, Symbol::QuestionMark)
                && self.sym(j + 2, Symbol::Colon)
            {
                let (k, _) = self.ty(j + 3, depth + 1)?;
                self.replace(j + 1, "");
                self.edit(j + 3, At::Before, Cow::Borrowed("("));
                self.edit(k - 1, At::After, Cow::Borrowed(")?"));
                items.push(None);
                j = k;
            } else {
                let variadic = self.sym(j, Symbol::Ellipsis);
                let (k, t) = self.ty(j, depth + 1)?;
                items.push(if variadic { None } else { Some(t) });
                j = k;
            }
            if self.sym(j, Symbol::Comma) {
                j += 1;
            } else if !self.sym(j, Symbol::RightParen) {
                return None;
            }
        }
    }

    /// A table type `{ ... }` at `i`.
    fn table(&mut self, i: usize, depth: usize) -> Option<(usize, Ty)> {
        let mut j = i + 1;
        let mut fields = Vec::new();
        let mut indexer = None;
        let mut array = None;
        loop {
            if self.sym(j, Symbol::RightBrace) {
                j += 1;
                break;
            }
            let named = |p: &Self, k: usize| {
                p.ident(k)
                    && (p.sym(k + 1, Symbol::Colon)
                        || (p.sym(k + 1, Symbol::QuestionMark) && p.sym(k + 2, Symbol::Colon)))
            };
            if self.word(j, "readonly")
                && (named(self, j + 1) || self.sym(j + 1, Symbol::LeftBracket))
            {
                self.replace(j, "");
                j += 1;
            }
            if (self.word(j, "read") || self.word(j, "write"))
                && (named(self, j + 1) || self.sym(j + 1, Symbol::LeftBracket))
            {
                j += 1;
            }
            if self.sym(j, Symbol::LeftBracket) {
                let (k, key) = self.ty(j + 1, depth + 1)?;
                if !(self.sym(k, Symbol::RightBracket) && self.sym(k + 1, Symbol::Colon)) {
                    return None;
                }
                let (k, val) = self.ty(k + 2, depth + 1)?;
                indexer = Some((Box::new(key), Box::new(val)));
                j = k;
            } else if named(self, j) {
                let name = self.text(j).to_string();
                let optional = self.sym(j + 1, Symbol::QuestionMark);
                let at = if optional { j + 3 } else { j + 2 };
                let (k, ty) = self.ty(at, depth + 1)?;
                if optional {
                    self.replace(j + 1, "");
                    self.edit(at, At::Before, Cow::Borrowed("("));
                    self.edit(k - 1, At::After, Cow::Borrowed(")?"));
                }
                fields.push(Field { name, ty, optional });
                j = k;
            } else {
                let (k, ty) = self.ty(j, depth + 1)?;
                array = Some(ty);
                j = k;
            }
            if self.sym(j, Symbol::Comma) || self.sym(j, Symbol::Semicolon) {
                j += 1;
            } else if self.sym(j, Symbol::RightBrace) {
                j += 1;
                break;
            } else {
                return None;
            }
        }
        let ty = match (array, fields.is_empty(), indexer) {
            (Some(elem), true, None) => Ty::Array(Box::new(elem)),
            (Some(_), _, _) => Ty::Other("a table type mixing an array part and fields"),
            (None, _, indexer) => Ty::Table { fields, indexer },
        };
        Some((j, ty))
    }
}

/// `t` with the validators collected so far attached (and `checks` emptied).
fn wrap(t: Ty, checks: &mut Vec<Validator>) -> Ty {
    if checks.is_empty() {
        t
    } else {
        Ty::Validated(Box::new(t), std::mem::take(checks))
    }
}

/// The type declarations by name (the first of each name).
pub fn by_name(decls: &[Decl]) -> HashMap<&str, &Decl> {
    let mut m = HashMap::new();
    for d in decls {
        m.entry(d.name.as_str()).or_insert(d);
    }
    m
}
