//! The V4 vectors of `conformance/sign-core` (the repository's copy), run by this crate's own
//! `cargo test`: every expected canonical request, string to sign, signature, authorization
//! and `x-oss-*` parameter is compared, and every signed request is verified back. (`cargo
//! xtask conformance` keeps the cross-crate runner, V1 cases included.)

use oss_sign_core::verify::{verify_authorization, verify_presigned, StaticSecret, VerifyRequest};
use oss_sign_core::{v4, SignableRequest, SigningTime};
use serde_json::Value;
use std::path::Path;

fn pairs(value: &Value, field: &str) -> Vec<(String, String)> {
    value[field]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_owned(),
                        p[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn borrow(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// Runs one case; returns the mismatches.
/// What a server would have received for the vector whose input fields `text` reads: its
/// method, bucket and key, with the `raw` query and `headers`.
fn received<'a>(
    text: &impl Fn(&str) -> Option<&'a str>,
    raw: &'a str,
    headers: &'a [(&'a str, &'a str)],
) -> VerifyRequest<'a> {
    let mut received = VerifyRequest::new(text("method").unwrap(), raw).headers(headers);
    if let Some(bucket) = text("bucket") {
        received = received.bucket(bucket);
    }
    if let Some(key) = text("key") {
        received = received.key(key);
    }
    received
}

fn run(case: &Value) -> Vec<String> {
    let inputs = &case["inputs"];
    let text = |field: &str| inputs[field].as_str();
    let (ak, sk) = (
        text("access_key_id").unwrap(),
        text("access_key_secret").unwrap(),
    );
    let headers = pairs(inputs, "headers");
    let query = pairs(inputs, "query");
    let (header_refs, query_refs) = (borrow(&headers), borrow(&query));
    let mut request = SignableRequest::new(text("method").unwrap())
        .headers(&header_refs)
        .query(&query_refs);
    if let Some(bucket) = text("bucket") {
        request = request.bucket(bucket);
    }
    if let Some(key) = text("key") {
        request = request.key(key);
    }
    let time =
        SigningTime::from_unix_seconds(inputs["signing_time_unix"].as_i64().unwrap()).unwrap();
    let region = text("region").unwrap();
    let product = text("product").unwrap_or("oss");
    let additional: Vec<&str> = inputs["additional_headers"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let key = v4::SigningKey::derive(sk, time, region, product);
    let secrets = StaticSecret::new(ak, sk);
    let mut problems = Vec::new();
    let mut check = |field: &str, want: Option<&str>, got: &str| {
        if want != Some(got) {
            problems.push(format!("{field}: expected {want:?}, got {got:?}"));
        }
    };
    let expected = case["expected"].as_object().unwrap();
    if case["mode"] == "header" {
        let params = v4::HeaderParams::new(ak, region, time)
            .product(product)
            .security_token(text("security_token"))
            .additional_headers(&additional);
        let signed = v4::sign_headers(&request, &params, &key).unwrap();
        for (field, want) in expected {
            let got = match field.as_str() {
                "authorization" => signed.authorization(),
                "canonical_request" => signed.canonical_request(),
                "string_to_sign" => signed.string_to_sign(),
                "signature" => signed.signature(),
                other => panic!("unknown expectation {other}"),
            };
            check(field, want.as_str(), got);
        }
        let mut all = header_refs.clone();
        all.extend(
            signed
                .headers_to_add()
                .iter()
                .map(|(n, v)| (*n, v.as_str())),
        );
        let raw: Vec<String> = query
            .iter()
            .map(|(n, v)| {
                let mut p = oss_sign_core::encoding::uri_encode(n, false);
                if !v.is_empty() {
                    p.push('=');
                    oss_sign_core::encoding::uri_encode_into(&mut p, v, false);
                }
                p
            })
            .collect();
        let raw = raw.join("&");
        let received = received(&text, &raw, &all);
        if let Err(e) = verify_authorization(&received, &secrets, time) {
            problems.push(format!("does not verify: {e}"));
        }
    } else {
        let expires = u32::try_from(inputs["expires_seconds"].as_u64().unwrap()).unwrap();
        let params = v4::PresignParams::new(ak, region, time, expires)
            .product(product)
            .security_token(text("security_token"))
            .additional_headers(&additional);
        let presigned = v4::presign(&request, &params, &key).unwrap();
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
        let received = received(&text, &url_query, &header_refs);
        if let Err(e) = verify_presigned(&received, &secrets, time) {
            problems.push(format!("does not verify: {e}"));
        }
    }
    problems
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
        let problems = run(&case);
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
