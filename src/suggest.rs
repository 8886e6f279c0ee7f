//! "Did you mean …?": the closest of the names a pack could have meant, for errors about a
//! name that is not there (`targt` → `target`, `socre` → `score`).

/// The candidate closest to `name` by edit distance (a swap of two letters counts once),
/// when it is close enough to be a slip: at most one edit in a short name, a third of the
/// letters in a longer one. Case is ignored; among equals, the first.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let most = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `" (did you mean 'x'?)"` when a candidate is close to `name`, else nothing.
pub(crate) fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// serde's `unknown field `x`, expected one of `a`, `b`` with the closest expected field
/// named first, when one is close: `unknown field `targt` (did you mean 'target'?), …`.
pub(crate) fn unknown_field(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return message.to_string();
    };
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    match closest(field, expected) {
        Some(c) => format!("unknown field `{field}` (did you mean '{c}'?){tail}"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_found_and_other_names_are_not() {
        let fields = ["target", "title", "scoring", "population"];
        assert_eq!(closest("targt", fields), Some("target"));
        assert_eq!(closest("tagret", fields), Some("target"));
        assert_eq!(closest("Title", fields), Some("title"));
        assert_eq!(closest("colour", fields), None);
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(closest("ab", ["xy"]), None);
        assert_eq!(
            unknown_field("unknown field `targt`, expected one of `title`, `target`"),
            "unknown field `targt` (did you mean 'target'?), expected one of `title`, `target`"
        );
        assert_eq!(
            unknown_field("unknown field `colour`, expected `title`"),
            "unknown field `colour`, expected `title`"
        );
    }
}
