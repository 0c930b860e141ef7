//! Suite `wasm`: every presign case of `conformance/client` through the WebAssembly module in
//! Node (`node crates/oss-presign-wasm/js/batch.mjs`, the contract of `oss-presign batch`).
//!
//! The module is (re)built first (`cargo xtask wasm`'s build; a no-op when up to date), so the
//! suite never checks a stale module. Each case must meet its expectation under FORMAT.md's
//! rule, as the native suite does, and on top of that the module's result must be exactly the
//! native one (`oss_cli::batch`): the same URL byte for byte (query order included), method,
//! expiration, signed headers, and for a refusal the same error message. So the cases whose
//! outcome is `any` (not checked against the SDKs) pass here only when the module agrees with
//! the native crate. Every case runs three times: through the one-shot `presign()` (which
//! signs a plain options object through a prepared presigner it keeps), through its JSON path
//! (`batch.mjs --json`) and through a prepared presigner (`batch.mjs --prepared`:
//! `prepare(options).presign(key, ...)`), and each must be the native result.

use super::case::{CaseOutcome, Status};
use super::client::{judge, native_results, read_presign_cases};
use super::compare::Diffs;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let (cases, expected) = read_presign_cases(dir)?;
    crate::wasm::build()?;
    let input = serde_json::to_vec(&cases).map_err(|e| e.to_string())?;
    let by_id = results_by_id(node_batch(&input, &[])?, cases.len())?;
    let prepared = results_by_id(node_batch(&input, &["--prepared"])?, cases.len())?;
    let json = results_by_id(node_batch(&input, &["--json"])?, cases.len())?;
    let native = native_results(&cases)?;
    let mut outcomes = judge(&cases, &expected, &by_id, "wasm/");
    for outcome in &mut outcomes {
        let id = outcome.id.trim_start_matches("wasm/");
        if matches!(outcome.status, Status::Failed(_)) {
            continue;
        }
        outcome.status = same_as_native(by_id.get(id), native.get(id));
        for (path, results) in [("prepared presigner", &prepared), ("JSON path", &json)] {
            if outcome.status == Status::Passed {
                outcome.status = match same_as_native(results.get(id), native.get(id)) {
                    Status::Failed(why) => Status::Failed(format!("{path}: {why}")),
                    other => other,
                };
            }
        }
    }
    Ok(outcomes)
}

/// The results of one batch run by case id; as many as there are cases.
fn results_by_id(results: Vec<Value>, cases: usize) -> Result<BTreeMap<String, Value>, String> {
    if results.len() != cases {
        return Err(format!(
            "batch.mjs gave {} results for {cases} cases",
            results.len()
        ));
    }
    let mut by_id = BTreeMap::new();
    for result in results {
        if let Some(id) = result["id"].as_str() {
            by_id.insert(id.to_string(), result);
        }
    }
    Ok(by_id)
}

/// The module's result must be the native result, field for field.
fn same_as_native(wasm: Option<&Value>, native: Option<&Value>) -> Status {
    let (Some(wasm), Some(native)) = (wasm, native) else {
        return Status::Failed("a result is missing (module or native)".into());
    };
    let mut diffs = Diffs::default();
    for field in [
        "id",
        "peer",
        "url",
        "method",
        "expiration",
        "signed_headers",
        "error",
    ] {
        diffs.check(
            &format!("{field} (native vs module)"),
            &native.get(field).map(Value::to_string).unwrap_or_default(),
            &wasm.get(field).map(Value::to_string).unwrap_or_default(),
        );
    }
    if wasm.as_object().map(|o| o.len()) != native.as_object().map(|o| o.len()) {
        diffs.note(format!("fields differ: native {native}, module {wasm}"));
    }
    diffs.status()
}

/// Runs `node batch.mjs ARGS` with `input` on stdin; its stdout as a JSON array.
fn node_batch(input: &[u8], args: &[&str]) -> Result<Vec<Value>, String> {
    let script = crate::wasm::batch_script();
    let mut child = Command::new("node")
        .arg(&script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run node (Node 20 or later is needed): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for node")?;
    // Written from a thread: node may fill its stdout pipe before it has read all its input.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("node {}: {e}", script.display()))?;
    writer
        .join()
        .map_err(|_| "the stdin writer panicked".to_string())?
        .map_err(|e| format!("cannot write the cases to node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "node {} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    match serde_json::from_slice(&output.stdout) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Err(format!("batch.mjs printed {other}, not an array")),
        Err(e) => Err(format!("batch.mjs printed no JSON array: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_exact_native_result_passes() {
        let native = json!({"id": "a", "peer": "rust-oss", "url": "https://b.h/k?x=1&y=2",
            "method": "GET", "expiration": "2024-11-12T09:42:56Z", "signed_headers": {}});
        assert_eq!(same_as_native(Some(&native), Some(&native)), Status::Passed);
        // Reordered query: equal under FORMAT.md's rule, not the native bytes.
        let mut reordered = native.clone();
        reordered["url"] = "https://b.h/k?y=2&x=1".into();
        assert_ne!(
            same_as_native(Some(&reordered), Some(&native)),
            Status::Passed
        );
        let mut extra = native.clone();
        extra["unsupported"] = "x".into();
        assert_ne!(same_as_native(Some(&extra), Some(&native)), Status::Passed);
        let refusal = json!({"id": "a", "peer": "rust-oss", "error": "invalid bucket name: x"});
        let mut other = refusal.clone();
        other["error"] = "invalid bucket name: y".into();
        assert_eq!(
            same_as_native(Some(&refusal), Some(&refusal)),
            Status::Passed
        );
        assert_ne!(same_as_native(Some(&other), Some(&refusal)), Status::Passed);
        assert_ne!(same_as_native(None, Some(&refusal)), Status::Passed);
    }
}
