//! Suite `client`: `presign-cases.json` with `presign-expected.json` (the published format, see
//! `conformance/client/FORMAT.md`), run through `oss_client::batch`, and compared under the
//! rule of FORMAT.md: scheme, host with port, raw path and fragment byte-identical; the sorted
//! raw query pairs identical; `method`, `expiration` and `signed_headers` equal. `any` cases are
//! recorded as skipped with their note; an `unsupported` or missing result fails.

use super::compare::Diffs;
use super::{read_json, CaseOutcome, Status};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    let cases_path = dir.join("presign-cases.json");
    if cases_path.exists() {
        outcomes.extend(presign(dir)?);
    }
    Ok(outcomes)
}

fn presign(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let cases = read_json(&dir.join("presign-cases.json"))?;
    let expected = read_json(&dir.join("presign-expected.json"))?;
    let cases = cases
        .as_array()
        .ok_or("presign-cases.json must be a JSON array")?;
    let expected = expected
        .as_array()
        .ok_or("presign-expected.json must be a JSON array")?;
    let results = oss_client::batch::run_values(cases);
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for result in results {
        let value = serde_json::to_value(&result).map_err(|e| e.to_string())?;
        if let Some(id) = value["id"].as_str() {
            by_id.insert(id.to_string(), value);
        }
    }
    let mut outcomes = Vec::new();
    for expectation in expected {
        let id = expectation["id"].as_str().unwrap_or("<no id>").to_string();
        let status = match by_id.get(&id) {
            None => Status::Failed("no result for this case".into()),
            Some(result) => compare(result, expectation),
        };
        outcomes.push(CaseOutcome::new(format!("presign/{id}"), status));
    }
    Ok(outcomes)
}

/// scheme, host with port, raw path, fragment, sorted query pairs.
fn cut(url: &str) -> Option<(&str, &str, &str, &str, Vec<&str>)> {
    let (scheme, rest) = url.split_once("://")?;
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    Some((scheme, host, path, fragment, pairs))
}

fn compare(result: &Value, expected: &Value) -> Status {
    if let Some(reason) = result.get("unsupported") {
        return Status::Failed(format!("the library could not express the case: {reason}"));
    }
    match expected["outcome"].as_str() {
        Some("any") => Status::Skipped(format!(
            "outcome `any` (recorded, not checked): {}; ours: {}",
            expected["note"].as_str().unwrap_or(""),
            result
                .get("url")
                .or_else(|| result.get("error"))
                .map(Value::to_string)
                .unwrap_or_default()
        )),
        Some("error") => match result.get("error") {
            Some(Value::String(_)) => Status::Passed,
            _ => Status::Failed(format!(
                "expected a refusal, got a URL: {}",
                result["url"].as_str().unwrap_or("?")
            )),
        },
        Some("url") => {
            let mut diffs = Diffs::default();
            let (Some(got_url), Some(want_url)) =
                (result["url"].as_str(), expected["url"].as_str())
            else {
                return Status::Failed(format!(
                    "expected a URL, got {}",
                    result
                        .get("error")
                        .map(Value::to_string)
                        .unwrap_or_else(|| result.to_string())
                ));
            };
            match (cut(got_url), cut(want_url)) {
                (Some(got), Some(want)) => {
                    diffs.check("scheme", want.0, got.0);
                    diffs.check("host", want.1, got.1);
                    diffs.check("path", want.2, got.2);
                    diffs.check("fragment", want.3, got.3);
                    diffs.check(
                        "query (sorted raw pairs)",
                        &want.4.join("\n"),
                        &got.4.join("\n"),
                    );
                }
                _ => diffs.note(format!(
                    "cannot cut the URLs:\n  expected {want_url}\n  actual   {got_url}"
                )),
            }
            for field in ["method", "expiration"] {
                diffs.check(
                    field,
                    expected[field].as_str().unwrap_or("<absent>"),
                    result[field].as_str().unwrap_or("<absent>"),
                );
            }
            diffs.check(
                "signed_headers",
                &expected["signed_headers"].to_string(),
                &result["signed_headers"].to_string(),
            );
            diffs.status()
        }
        other => Status::Failed(format!("unknown expected outcome {other:?}")),
    }
}
