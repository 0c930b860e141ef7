//! The client conformance vectors (`conformance/client/presign-cases.json` with
//! `presign-expected.json`, format in `conformance/client/FORMAT.md`) run through this crate's
//! public API in its own `cargo test`. `cargo xtask conformance` remains the cross-crate runner
//! (it goes through the CLI's batch harness); this test needs nothing but oss-client.
//!
//! Compared as FORMAT.md says: scheme, host, port and raw path byte-identical, the raw query
//! pairs identical once sorted, and `method`, `expiration` and `signed_headers` equal. An
//! `error` case must be refused; `any` cases are skipped.

use oss_client::credentials::Credentials;
use oss_client::{
    Client, Config, FixedClock, ObjectRequest, PresignOptions, SignatureVersion, SigningTime,
    DEFAULT_EXPIRES,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

fn load(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/client")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(items)) => items,
        other => panic!("{} is not a JSON array: {other:?}", path.display()),
    }
}

/// What the client made of a case: the URL, method, expiration and signed headers.
#[derive(Debug, PartialEq)]
struct Presigned {
    url: String,
    method: String,
    expiration: String,
    signed_headers: BTreeMap<String, String>,
}

fn text<'a>(case: &'a Value, name: &str) -> &'a str {
    case[name].as_str().unwrap_or_default()
}

fn pairs(case: &Value, name: &str) -> Vec<(String, String)> {
    case[name]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// Presigns one case through the public API; `Err` is the refusal message.
fn presign(case: &Value) -> Result<Presigned, String> {
    let version = match case["signature_version"].as_str() {
        None | Some("v4") => SignatureVersion::V4,
        Some("v1") => SignatureVersion::V1,
        Some(other) => return Err(format!("signature_version {other:?} is not supported")),
    };
    let at = SigningTime::parse_rfc3339(text(case, "signing_time")).map_err(|e| e.to_string())?;
    let expires = match case["expires_seconds"].as_i64() {
        Some(s) if s >= 0 => Duration::from_secs(s.unsigned_abs()),
        Some(s) => return Err(format!("expires_seconds {s} is negative")),
        None => DEFAULT_EXPIRES,
    };
    let flag = |name: &str| case[name].as_bool().unwrap_or(false);
    let mut builder = Config::builder()
        .signature_version(version)
        .use_path_style(flag("use_path_style"))
        .use_cname(flag("use_cname"))
        .use_internal_endpoint(flag("use_internal_endpoint"))
        .use_accelerate_endpoint(flag("use_accelerate_endpoint"))
        .use_dualstack_endpoint(flag("use_dualstack_endpoint"))
        .disable_ssl(flag("disable_ssl"))
        .additional_headers(
            case["additional_headers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        )
        .clock(FixedClock::new(at));
    if let Some(region) = case["region"].as_str() {
        builder = builder.region(region);
    }
    if let Some(endpoint) = case["endpoint"].as_str() {
        builder = builder.endpoint(endpoint);
    }
    let client = Client::new(builder.build().map_err(|e| e.to_string())?);
    let mut credentials =
        Credentials::new(text(case, "access_key_id"), text(case, "access_key_secret"))
            .map_err(|e| e.to_string())?;
    if let Some(token) = case["security_token"].as_str() {
        credentials = credentials.with_security_token(token);
    }
    let mut request = ObjectRequest::new(
        text(case, "method"),
        text(case, "bucket"),
        text(case, "key"),
    );
    request.headers = pairs(case, "headers");
    request.parameters = pairs(case, "query");
    let result = client
        .presign_with_credentials(
            &request,
            &PresignOptions::new().expires(expires),
            &credentials,
        )
        .map_err(|e| e.to_string())?;
    Ok(Presigned {
        url: result.url().to_owned(),
        method: result.method().to_owned(),
        expiration: result.expiration().to_rfc3339(),
        signed_headers: result
            .signed_headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
    })
}

/// The URL up to the query, and the raw query pairs sorted.
fn url_parts(url: &str) -> (&str, Vec<&str>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    (base, pairs)
}

fn expected_presigned(expected: &Value) -> Presigned {
    Presigned {
        url: text(expected, "url").to_owned(),
        method: text(expected, "method").to_owned(),
        expiration: text(expected, "expiration").to_owned(),
        signed_headers: expected["signed_headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
    }
}

#[test]
fn client_presign_vectors_match_through_the_public_api() {
    let cases = load("presign-cases.json");
    let expected: HashMap<String, Value> = load("presign-expected.json")
        .into_iter()
        .map(|e| (text(&e, "id").to_owned(), e))
        .collect();
    assert_eq!(cases.len(), expected.len(), "one expectation per case");

    let (mut passed, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let id = text(case, "id");
        let want = expected
            .get(id)
            .unwrap_or_else(|| panic!("no expectation for case {id}"));
        let got = presign(case);
        match (text(want, "outcome"), got) {
            ("any", _) => skipped += 1,
            ("error", Err(_)) => passed += 1,
            ("error", Ok(p)) => failures.push(format!("{id}: expected a refusal, got {}", p.url)),
            ("url", Err(e)) => failures.push(format!("{id}: refused: {e}")),
            ("url", Ok(p)) => {
                let want = expected_presigned(want);
                let same = url_parts(&p.url) == url_parts(&want.url)
                    && p.method == want.method
                    && p.expiration == want.expiration
                    && p.signed_headers == want.signed_headers;
                if same {
                    passed += 1;
                } else {
                    failures.push(format!("{id}:\n  got  {p:?}\n  want {want:?}"));
                }
            }
            (other, _) => failures.push(format!("{id}: unknown outcome {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The published suite: 124 decided cases and one left open ("any").
    assert_eq!((passed, skipped), (124, 1));
}

#[test]
fn a_changed_signature_is_caught() {
    // The comparison itself must fail on a wrong URL: flip one signature digit.
    let cases = load("presign-cases.json");
    let got = presign(&cases[0]).expect("the first case presigns");
    let mut wrong = got.url.clone();
    let last = wrong.pop().expect("non-empty URL");
    wrong.push(if last == '0' { '1' } else { '0' });
    assert_ne!(url_parts(&got.url), url_parts(&wrong));
}
