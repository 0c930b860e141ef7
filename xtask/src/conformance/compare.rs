//! Comparing expected and actual values, and rendering readable diffs.

use std::fmt::Write as _;

/// Collects the differences found while checking one case.
#[derive(Debug, Default)]
pub(crate) struct Diffs {
    entries: Vec<String>,
}

impl Diffs {
    /// Records a difference in `what` unless `expected == actual`.
    pub(crate) fn check(&mut self, what: &str, expected: &str, actual: &str) {
        if expected != actual {
            self.entries.push(diff(what, expected, actual));
        }
    }

    /// Checks every text field of `expected` against what `actual` gives for its name; a name
    /// `actual` does not know (`None`) is noted as an unknown expectation for a `case` case.
    pub(crate) fn check_fields<'a>(
        &mut self,
        expected: &serde_json::Map<String, serde_json::Value>,
        case: &str,
        actual: impl Fn(&str) -> Option<&'a str>,
    ) {
        for (field, value) in expected {
            match actual(field) {
                Some(got) => self.check(field, value.as_str().unwrap_or_default(), got),
                None => self.note(format!("unknown expectation `{field}` for a {case} case")),
            }
        }
    }

    /// Records a free-form problem.
    pub(crate) fn note(&mut self, text: impl Into<String>) {
        self.entries.push(text.into());
    }

    /// `Passed` when nothing differed, else `Failed` with every difference.
    pub(crate) fn status(self) -> super::case::Status {
        if self.entries.is_empty() {
            super::case::Status::Passed
        } else {
            super::case::Status::Failed(self.entries.join("\n"))
        }
    }
}

/// A readable diff: one-line values side by side; multi-line values (canonical requests,
/// strings to sign) line by line with the differing lines marked.
pub(crate) fn diff(what: &str, expected: &str, actual: &str) -> String {
    let mut out = String::new();
    if !expected.contains('\n') && !actual.contains('\n') {
        let _ = writeln!(out, "{what} differs:");
        let _ = writeln!(out, "  expected: {expected}");
        let _ = write!(out, "  actual:   {actual}");
        return out;
    }
    let _ = writeln!(out, "{what} differs (- expected, + actual):");
    let want: Vec<&str> = expected.split('\n').collect();
    let got: Vec<&str> = actual.split('\n').collect();
    for index in 0..want.len().max(got.len()) {
        match (want.get(index), got.get(index)) {
            (Some(w), Some(g)) if w == g => {
                let _ = writeln!(out, "    {w}");
            }
            (w, g) => {
                if let Some(w) = w {
                    let _ = writeln!(out, "  - {w}");
                }
                if let Some(g) = g {
                    let _ = writeln!(out, "  + {g}");
                }
            }
        }
    }
    out.trim_end().to_string()
}

/// The raw `name=value` pairs of a URL's query, sorted (no decoding).
pub(crate) fn sorted_query_pairs(url: &str) -> Vec<&str> {
    let without_fragment = url.split('#').next().unwrap_or("");
    let query = without_fragment
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("");
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_diff_marks_only_changed_lines() {
        let text = diff("canonical request", "GET\n/b/k\nq", "GET\n/b/x\nq");
        assert!(text.contains("    GET"));
        assert!(text.contains("  - /b/k"));
        assert!(text.contains("  + /b/x"));
        assert!(!text.contains("- GET"));
    }
}
