//! The V4 vectors of `conformance/sign-core` (the repository's copy), run by this crate's own
//! `cargo test`: every expected canonical request, string to sign, signature, authorization
//! and `x-oss-*` parameter is compared, and every signed request is verified back. (`cargo
//! xtask conformance` keeps the cross-crate runner, V1 cases included.)

// The vector's request and V4 fields, read as `cargo xtask conformance` reads them.
#[path = "support/vector_inputs.rs"]
mod vector_inputs;

use oss_sign_core::v4;
use oss_sign_core::verify::{verify_presigned, StaticSecret};
use serde_json::Value;
use std::path::Path;
use vector_inputs::{borrow, required, v4_header_field, V4Inputs, VectorRequest};

/// Runs one case; returns the mismatches.
fn run(case: &Value) -> Result<Vec<String>, String> {
    let inputs = &case["inputs"];
    let request_inputs = VectorRequest::parse(inputs)?;
    let (header_refs, query_refs) = (
        borrow(&request_inputs.headers),
        borrow(&request_inputs.query),
    );
    let request = request_inputs.signable(&header_refs, &query_refs);
    let v4_inputs = V4Inputs::parse(inputs)?;
    let (key, time) = (&v4_inputs.key, v4_inputs.time);
    let secrets = StaticSecret::new(
        v4_inputs.access_key_id,
        required(inputs, "access_key_secret")?,
    );
    let mut problems = Vec::new();
    let mut check = |field: &str, want: Option<&str>, got: &str| {
        if want != Some(got) {
            problems.push(format!("{field}: expected {want:?}, got {got:?}"));
        }
    };
    let expected = case["expected"].as_object().unwrap();
    if case["mode"] == "header" {
        let signed = v4::sign_headers(&request, &v4_inputs.header_params(), key).unwrap();
        for (field, want) in expected {
            let got = v4_header_field(&signed, field)
                .unwrap_or_else(|| panic!("unknown expectation {field}"));
            check(field, want.as_str(), got);
        }
        if let Err(e) = request_inputs.verify_header_signed(&header_refs, &signed, &secrets, time) {
            problems.push(format!("does not verify: {e}"));
        }
    } else {
        let expires = u32::try_from(inputs["expires_seconds"].as_u64().unwrap()).unwrap();
        let presigned = v4::presign(&request, &v4_inputs.presign_params(expires), key).unwrap();
        let auth = presigned.query_params();
        let param = |name: &str| {
            auth.iter()
                .find(|(n, _)| *n == name)
                .map_or("<absent>", |(_, v)| v.as_str())
        };
        for (field, want) in expected {
            match field.as_str() {
                "canonical_request" => check(field, want.as_str(), presigned.canonical_request()),
                "string_to_sign" => check(field, want.as_str(), presigned.string_to_sign()),
                "signature" => check(field, want.as_str(), presigned.signature()),
                "x-oss-date"
                | "x-oss-expires"
                | "x-oss-credential"
                | "x-oss-additional-headers" => check(
                    field,
                    Some(want.as_str().unwrap_or("<absent>")),
                    param(field),
                ),
                // whole URLs need the client's endpoint rules: checked by cargo xtask conformance
                "url" => {}
                other => panic!("unknown expectation {other}"),
            }
        }
        let url_query = presigned.url_query();
        let received = request_inputs.received(&url_query, &header_refs);
        if let Err(e) = verify_presigned(&received, &secrets, time) {
            problems.push(format!("does not verify: {e}"));
        }
    }
    Ok(problems)
}

#[test]
fn v4_vectors_of_the_conformance_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/sign-core");
    let mut ran = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("v4-") && name.ends_with(".json")) {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        ran += 1;
        let problems = run(&case).unwrap_or_else(|e| vec![format!("unreadable inputs: {e}")]);
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    assert!(
        ran >= 25,
        "only {ran} V4 vectors found in {}",
        dir.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
