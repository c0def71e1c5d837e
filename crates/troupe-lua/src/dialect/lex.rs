//! The tokens the dialect rewrite works on: `full_moon`'s Luau tokenizer (which knows
//! strings, comments, long brackets and interpolated strings), reduced to compact records
//! of the significant tokens. Whitespace and comments are not kept: they are the gaps
//! between two tokens' byte ranges and are copied verbatim by the rewrite, so every
//! newline of the source survives.

use full_moon::LuaVersion;
use full_moon::tokenizer::{InterpolatedStringKind, Lexer, LexerResult, Symbol, TokenType};

/// What a significant token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name that is not a Luau keyword (`as`, `type`, `readonly` are names).
    Ident,
    /// A keyword or operator.
    Sym(Symbol),
    /// A quoted or long-bracket string.
    Str,
    /// A number literal.
    Num,
    /// An interpolated string (or one part of it).
    Interp(InterpolatedStringKind),
    /// A character Luau does not know (`!`, `$`, ...): left for Luau to report, or dropped
    /// by the rewrite where it is Wippy syntax (`e!`).
    Unknown(char),
}

/// One significant token: its kind and its byte range in the source.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

/// The significant tokens of `src`, in order. Never fails: text the tokenizer cannot read
/// becomes [`Kind::Unknown`] tokens, and a tokenizer that stops making progress ends the
/// list (the rest is copied unchanged).
///
/// Cost: linear in the length of `src` (the tokenizer holds it as a `Vec<char>`).
/// The caller keeps `src` under 4 GiB (offsets are `u32`).
pub fn tokens(src: &str) -> Vec<Tok> {
    let mut lexer = Lexer::new_lazy(src, LuaVersion::luau());
    let mut out = Vec::new();
    let mut last_end = 0usize;
    // Each step consumes at least one character, so this bound is never reached unless
    // the tokenizer misbehaves.
    let mut budget = src.len().saturating_add(2);
    while budget > 0 {
        budget -= 1;
        let Some(next) = lexer.process_next() else {
            break;
        };
        let token = match next {
            LexerResult::Ok(t) | LexerResult::Recovered(t, _) => t,
            LexerResult::Fatal(errors) => {
                if let Some(e) = errors.first() {
                    let (a, b) = e.range();
                    let (a, b) = (a.bytes(), b.bytes());
                    if b > a && b <= src.len() {
                        let c = src[a..].chars().next().unwrap_or('\u{fffd}');
                        out.push(Tok {
                            kind: Kind::Unknown(c),
                            start: a as u32,
                            end: b as u32,
                        });
                        last_end = b;
                        continue;
                    }
                }
                break;
            }
        };
        let (start, end) = (token.start_position().bytes(), token.end_position().bytes());
        if end < last_end || end > src.len() || start > end {
            break;
        }
        last_end = end;
        let kind = match token.token_type() {
            TokenType::Eof => break,
            TokenType::Whitespace { .. }
            | TokenType::SingleLineComment { .. }
            | TokenType::MultiLineComment { .. }
            | TokenType::Shebang { .. } => continue,
            TokenType::Identifier { .. } => Kind::Ident,
            TokenType::Symbol { symbol } => Kind::Sym(*symbol),
            TokenType::StringLiteral { .. } => Kind::Str,
            TokenType::Number { .. } => Kind::Num,
            TokenType::InterpolatedString { kind, .. } => Kind::Interp(*kind),
            _ => Kind::Unknown('\u{fffd}'),
        };
        out.push(Tok {
            kind,
            start: start as u32,
            end: end as u32,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokens(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn comments_strings_and_long_brackets_are_single_tokens() {
        let src = "a --[[ as ? ]] 'x as y' [==[ T[] ]==] -- e!\nb";
        assert_eq!(
            kinds(src),
            vec![Kind::Ident, Kind::Str, Kind::Str, Kind::Ident]
        );
    }

    #[test]
    fn unknown_characters_are_tokens() {
        let t = tokens("x!");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].kind, Kind::Unknown('!'));
        assert_eq!((t[1].start, t[1].end), (1, 2));
    }
}
