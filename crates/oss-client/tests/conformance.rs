//! Runs every case of `conformance/client/presign-cases.json` through the batch logic and
//! compares each result with `presign-expected.json` under the rule of FORMAT.md.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance/client")
}

fn read_json(name: &str) -> Value {
    let path = conformance_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// scheme, host with port, raw path, fragment, sorted query pairs.
type CutUrl<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<&'a str>);

/// Cuts a URL the way FORMAT.md says: no decoding, no case folding.
fn cut(url: &str) -> Option<CutUrl<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let mut pairs: Vec<&str> = if query.is_empty() {
        Vec::new()
    } else {
        query.split('&').collect()
    };
    pairs.sort_unstable();
    Some((scheme, host, path, fragment, pairs))
}

/// `Ok(())` when `result` satisfies `expected`, else what differs.
fn compare(result: &Value, expected: &Value) -> Result<(), String> {
    match expected["outcome"].as_str() {
        Some("any") => Ok(()),
        Some("error") => match result.get("error") {
            Some(Value::String(_)) => Ok(()),
            _ => Err(format!("expected an error, got {result}")),
        },
        Some("url") => {
            let got_url = result["url"]
                .as_str()
                .ok_or(format!("no url in {result}"))?;
            let want_url = expected["url"].as_str().ok_or("expectation without url")?;
            let got = cut(got_url).ok_or(format!("unparsable url {got_url}"))?;
            let want = cut(want_url).ok_or(format!("unparsable url {want_url}"))?;
            if got != want {
                return Err(format!("url differs:\n  got  {got_url}\n  want {want_url}"));
            }
            for field in ["method", "expiration", "signed_headers"] {
                if result.get(field) != expected.get(field) {
                    return Err(format!(
                        "{field} differs: got {:?}, want {:?}",
                        result.get(field),
                        expected.get(field)
                    ));
                }
            }
            Ok(())
        }
        other => Err(format!("unknown outcome {other:?}")),
    }
}

#[test]
fn every_published_case_matches_its_expectation() {
    let cases = read_json("presign-cases.json");
    let expected = read_json("presign-expected.json");
    let cases = cases.as_array().expect("cases are an array");
    let output = oss_client::batch::run_json(&serde_json::to_string(cases).expect("serialise"))
        .expect("batch runs");
    let results: Value = serde_json::from_str(&output).expect("results are JSON");
    let results = results.as_array().expect("results are an array");
    assert_eq!(results.len(), cases.len(), "one result per case");

    let by_id: BTreeMap<&str, &Value> = results
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or_default(), r))
        .collect();
    let mut failures = Vec::new();
    let mut any_cases = Vec::new();
    for want in expected.as_array().expect("expectations are an array") {
        let id = want["id"].as_str().unwrap_or_default();
        let Some(got) = by_id.get(id) else {
            failures.push(format!("{id}: missing result"));
            continue;
        };
        assert_eq!(got["peer"], "rust-oss", "{id}");
        if want["outcome"] == "any" {
            any_cases.push(format!("{id}: {got}"));
        }
        if let Err(why) = compare(got, want) {
            failures.push(format!("{id}: {why}"));
        }
    }
    for line in &any_cases {
        println!("recorded (outcome any) {line}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn cases_with_a_fixed_signature_reproduce_it() {
    let cases = read_json("presign-cases.json");
    let cases = cases.as_array().expect("cases are an array");
    let results = oss_client::batch::run_values(cases);
    let mut checked = 0;
    for (case, result) in cases.iter().zip(&results) {
        let Some(signature) = case["expect"]["signature"].as_str() else {
            continue;
        };
        let url = result
            .url
            .as_deref()
            .unwrap_or_else(|| panic!("{}: {:?}", case["id"], result.error));
        let encoded: String = signature
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        assert!(
            url.contains(&format!("ignature={encoded}")),
            "{}: {url} lacks signature {signature}",
            case["id"]
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} cases carry a fixed signature");
}

#[test]
fn the_comparison_rule_is_strict_where_format_md_says_so() {
    let want = serde_json::json!({
        "outcome": "url", "method": "GET", "expiration": "2024-11-12T09:42:56Z", "signed_headers": {},
        "url": "https://b.h/k%21?a=1&uploads&z=2"
    });
    let ok = serde_json::json!({
        "method": "GET", "expiration": "2024-11-12T09:42:56Z", "signed_headers": {},
        "url": "https://b.h/k%21?z=2&a=1&uploads"
    });
    assert!(compare(&ok, &want).is_ok());
    for bad_url in [
        "https://b.h/k!?a=1&uploads&z=2",
        "https://b.h/k%21?a=1&uploads=&z=2",
        "http://b.h/k%21?a=1&uploads&z=2",
        "https://B.h/k%21?a=1&uploads&z=2",
    ] {
        let mut bad = ok.clone();
        bad["url"] = bad_url.into();
        assert!(compare(&bad, &want).is_err(), "{bad_url}");
    }
    let mut bad = ok.clone();
    bad["signed_headers"] = serde_json::json!({"x-oss-a": "1"});
    assert!(compare(&bad, &want).is_err());
    let error_want = serde_json::json!({"outcome": "error"});
    assert!(compare(&ok, &error_want).is_err());
    assert!(compare(&serde_json::json!({"error": "x"}), &error_want).is_ok());
}
