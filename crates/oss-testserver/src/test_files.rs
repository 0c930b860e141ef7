//! What a transfer leaves in local folders, read for test assertions: the names of the files in
//! a folder, and the parts a resumable transfer's checkpoint records. Clients' tests use these
//! beside the server to prove that no temporary file is left behind, or how far a killed
//! transfer had come.
//!
//! ```
//! use oss_testserver::test_files::{checkpoint_parts, file_names};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("b.bin"), b"").unwrap();
//! std::fs::write(dir.path().join("a.bin"), b"").unwrap();
//! assert_eq!(file_names(dir.path()), ["a.bin", "b.bin"]);
//! // a checkpoint not written yet records no parts
//! assert!(checkpoint_parts(&dir.path().join("missing"), "index").is_empty());
//! ```

use std::path::Path;

use oss_sign_core::json::{self, Grammar, Value};

/// The names of the entries in the folder `dir`, sorted (lossily converted to UTF-8).
///
/// # Panics
/// If the folder cannot be read (a test asserting on a folder expects it to exist).
///
/// ```
/// use oss_testserver::test_files::file_names;
/// let dir = tempfile::tempdir().unwrap();
/// assert!(file_names(dir.path()).is_empty());
/// std::fs::create_dir(dir.path().join("sub")).unwrap();
/// std::fs::write(dir.path().join(".hidden"), b"x").unwrap();
/// assert_eq!(file_names(dir.path()), [".hidden", "sub"]);
/// ```
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The numbers a resumable transfer's JSON checkpoint at `path` records for its finished parts,
/// sorted: the member `field` of each element of `data.parts` (`index` for a download's
/// checkpoint, `number` for an upload's). None while the file is missing or half written, and
/// none of the elements without a non-negative integer `field`.
///
/// ```
/// use oss_testserver::test_files::checkpoint_parts;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("cp.json");
/// std::fs::write(&path, r#"{"version": 1, "data": {"parts": [{"number": 3}, {"number": 1}]}}"#)
///     .unwrap();
/// assert_eq!(checkpoint_parts(&path, "number"), [1, 3]);
/// assert!(checkpoint_parts(&path, "index").is_empty());
/// std::fs::write(&path, r#"{"data": {"parts": [{"num"#).unwrap(); // half written
/// assert!(checkpoint_parts(&path, "number").is_empty());
/// ```
pub fn checkpoint_parts(path: &Path, field: &str) -> Vec<u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let Ok(document) = json::parse(&text, Grammar::Document) else {
        return Vec::new();
    };
    let parts = member(&document, "data").and_then(|data| member(data, "parts"));
    let mut numbers: Vec<u64> = match parts {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| match member(part, field) {
                Some(Value::Int(n)) => u64::try_from(*n).ok(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    numbers.sort_unstable();
    numbers
}

/// The member `name` of `value`, if it is an object that has one.
fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        Value::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        _ => None,
    }
}
