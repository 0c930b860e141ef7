//! One conformance case's outcome, and how the cases of a suite are read from disk (every
//! `*.json` file of its folder).

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The case matched its expectation.
    Passed,
    /// The case did not match; the text says where, with expected and actual values.
    Failed(String),
    /// The case was not checked; the text says why.
    Skipped(String),
}

/// One case's id and outcome.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case id (unique within its suite).
    pub id: String,
    /// What happened.
    pub status: Status,
}

impl CaseOutcome {
    pub(crate) fn new(id: impl Into<String>, status: Status) -> Self {
        Self {
            id: id.into(),
            status,
        }
    }
}

/// Reads and parses a JSON file, with the path in any error.
pub(crate) fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// The `*.json` files of a folder, sorted by name (README and other files are ignored).
pub(crate) fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs `run_case` on every `*.json` case of `dir` (sorted), each outcome named by the case's
/// `id` (else its path); an error from `run_case` is that case's failure.
pub(crate) fn run_json_cases(
    dir: &Path,
    run_case: impl Fn(&Value) -> Result<Status, String>,
) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    for path in json_files(dir)? {
        let case = read_json(&path)?;
        let id = case["id"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| path.display().to_string());
        let status = run_case(&case).unwrap_or_else(Status::Failed);
        outcomes.push(CaseOutcome::new(id, status));
    }
    Ok(outcomes)
}
