//! Runs every conformance suite under `cargo test`, and checks that the runner itself fails
//! (with a readable diff) when a single expected signature is altered.

use std::path::Path;
use xtask::conformance::{default_root, run, suites, Status};

#[test]
fn every_suite_passes_and_none_is_empty() {
    let report = run(None, None, &default_root()).expect("suites run");
    assert_eq!(report.suites.len(), suites().len());
    for (name, _, outcomes) in &report.suites {
        assert!(!outcomes.is_empty(), "suite {name} is empty");
    }
    let (passed, failed, _) = report.totals();
    assert_eq!(failed, 0, "{}", report.render());
    assert!(passed > 0);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn an_altered_signature_fails_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&default_root().join("sign-core"), dir.path());
    let target = dir.path().join("v4-query-basic.json");
    let text = std::fs::read_to_string(&target).unwrap();
    let good = "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe";
    assert!(text.contains(good));
    let bad = "b39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe";
    std::fs::write(&target, text.replace(good, bad)).unwrap();

    let report = run(Some("sign-core"), Some(dir.path()), &default_root()).unwrap();
    let (_, failed, _) = report.totals();
    assert_eq!(failed, 1, "{}", report.render());
    let failure = report.suites[0]
        .2
        .iter()
        .find(|o| o.id == "v4-query-basic")
        .unwrap();
    match &failure.status {
        Status::Failed(diff) => {
            assert!(diff.contains(&format!("expected: {bad}")), "{diff}");
            assert!(diff.contains(&format!("actual:   {good}")), "{diff}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(report.render().ends_with("1 failed\n"));
}

#[test]
fn an_altered_client_expectation_fails() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&default_root().join("client"), dir.path());
    let target = dir.path().join("presign-expected.json");
    let mut expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    let first_url = expected
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["outcome"] == "url")
        .unwrap();
    let url = first_url["url"].as_str().unwrap().to_string();
    let at = url
        .find("x-oss-signature=")
        .or_else(|| url.find("Signature="))
        .unwrap();
    let mut altered = url.clone();
    let digit_at = altered[at..].find('=').unwrap() + at + 1;
    let replacement = if &altered[digit_at..digit_at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    altered.replace_range(digit_at..digit_at + 1, replacement);
    first_url["url"] = serde_json::Value::String(altered);
    std::fs::write(&target, serde_json::to_string(&expected).unwrap()).unwrap();
    let report = run(Some("client"), Some(dir.path()), &default_root()).unwrap();
    assert_eq!(report.totals().1, 1, "{}", report.render());
    // The same altered expectation fails the WebAssembly module's run in Node too.
    let report = run(Some("wasm"), Some(dir.path()), &default_root()).unwrap();
    assert_eq!(report.totals().1, 1, "{}", report.render());
}

#[test]
fn dir_without_suite_and_unknown_suite_are_refused() {
    assert!(run(None, Some(Path::new(".")), &default_root()).is_err());
    let err = run(Some("nope"), None, &default_root()).unwrap_err();
    assert!(err.contains("sign-core"));
}
