//! "Did you mean …?" suggestions: the nearest candidate to a misspelled kind, field or ID,
//! by edit distance (`strsim`).

/// The candidate nearest to `word`, whatever the distance (used for kinds, where any
/// suggestion helps). `None` only when there are no candidates.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (score(word, c), c))
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// The candidate nearest to `word` if it is plausibly a misspelling of it.
pub(crate) fn close<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let best = nearest(word, candidates)?;
    let edits = strsim::damerau_levenshtein(&word.to_lowercase(), &best.to_lowercase());
    let allowed = (best.chars().count() / 3).max(2);
    (edits <= allowed || strsim::jaro_winkler(word, best) >= 0.88).then_some(best)
}

/// `, did you mean "x"?` when a close candidate exists, else an empty string.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match close(word, candidates) {
        Some(c) => format!(", did you mean \"{c}\"?"),
        None => String::new(),
    }
}

fn score(word: &str, candidate: &str) -> f64 {
    let a = word.to_lowercase();
    let b = candidate.to_lowercase();
    // Levenshtein similarity decides; Jaro-Winkler breaks near-ties (prefix matches).
    strsim::normalized_damerau_levenshtein(&a, &b) + 0.1 * strsim::jaro_winkler(&a, &b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KIND_NAMES;

    #[test]
    fn kinds() {
        assert_eq!(
            nearest("proces.lua", KIND_NAMES.iter().copied()),
            Some("process.lua")
        );
        assert_eq!(
            nearest("process.luau", KIND_NAMES.iter().copied()),
            Some("process.lua")
        );
        assert_eq!(
            nearest("function.lau", KIND_NAMES.iter().copied()),
            Some("function.lua")
        );
        assert_eq!(
            nearest("supervisor", KIND_NAMES.iter().copied()),
            Some("process.supervisor")
        );
        assert_eq!(
            nearest("fs.dir", KIND_NAMES.iter().copied()),
            Some("fs.directory")
        );
    }

    #[test]
    fn fields() {
        let f = ["source", "method", "modules", "imports"];
        assert_eq!(close("sourse", f), Some("source"));
        assert_eq!(close("module", f), Some("modules"));
        assert_eq!(close("xyzzy", f), None);
        assert_eq!(did_you_mean("methd", f), ", did you mean \"method\"?");
    }
}
