//! Suite `sign-core`: one JSON file per vector, run through `oss_sign_core`.
//!
//! A case has `scheme` (`v4` or `v1`), `mode` (`query` or `header`), `inputs` (credentials,
//! region, product, bucket, key, method, headers and query as `[name, value]` lists, signing
//! time, expiry) and `expected` (any of `canonical_request`, `string_to_sign`, `signature`,
//! `authorization`, `x-oss-date`, `x-oss-expires`, `x-oss-credential`,
//! `x-oss-additional-headers` (`null` = absent), `url`). Every expectation given is checked,
//! an unknown one fails the case, and each signed request is also verified back with
//! `oss_sign_core::verify`.

// The vector's request and V4 fields, read as oss-sign-core's own vectors test reads them.
#[path = "../../../crates/oss-sign-core/tests/support/vector_inputs.rs"]
mod vector_inputs;

use super::case::{run_json_cases, CaseOutcome, Status};
use super::compare::{sorted_query_pairs, Diffs};
use oss_sign_core::verify::{verify_presigned, StaticSecret};
use oss_sign_core::{v1, v4, SigningTime};
use serde_json::Value;
use std::path::Path;
use vector_inputs::{borrow, required, text, v4_header_field, V4Inputs, VectorRequest};

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    run_json_cases(dir, run_case)
}

fn strings(value: &Value, field: &str) -> Vec<String> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn run_case(case: &Value) -> Result<Status, String> {
    let inputs = &case["inputs"];
    let expected = case["expected"]
        .as_object()
        .ok_or("the case has no `expected` object")?;
    let request_inputs = VectorRequest::parse(inputs)?;
    let headers = borrow(&request_inputs.headers);
    let query = borrow(&request_inputs.query);
    let request = request_inputs.signable(&headers, &query);
    let mut diffs = Diffs::default();
    let ak = required(inputs, "access_key_id")?;
    let sk = required(inputs, "access_key_secret")?;
    let secrets = StaticSecret::new(ak, sk);
    match (text(case, "scheme"), text(case, "mode")) {
        (Some("v4"), Some(mode)) => {
            let v4_inputs = V4Inputs::parse(inputs)?;
            let (key, time) = (&v4_inputs.key, v4_inputs.time);
            if mode == "header" {
                let signed = v4::sign_headers(&request, &v4_inputs.header_params(), key)
                    .map_err(|e| format!("signing refused: {e}"))?;
                diffs.check_fields(expected, "V4 header", |field| {
                    v4_header_field(&signed, field)
                });
                if let Err(e) =
                    request_inputs.verify_header_signed(&headers, &signed, &secrets, time)
                {
                    diffs.note(format!("the signed request does not verify: {e}"));
                }
            } else {
                let expires = inputs["expires_seconds"]
                    .as_u64()
                    .and_then(|e| u32::try_from(e).ok())
                    .ok_or("inputs.expires_seconds is missing")?;
                let presigned = v4::presign(&request, &v4_inputs.presign_params(expires), key)
                    .map_err(|e| format!("presigning refused: {e}"))?;
                let auth = presigned.query_params();
                let param = |name: &str| {
                    auth.iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| v.as_str())
                };
                let url_query = presigned.url_query();
                for (field, value) in expected {
                    let want = value.as_str();
                    match field.as_str() {
                        "canonical_request" => diffs.check(
                            field,
                            want.unwrap_or_default(),
                            presigned.canonical_request(),
                        ),
                        "string_to_sign" => {
                            diffs.check(field, want.unwrap_or_default(), presigned.string_to_sign())
                        }
                        "signature" => {
                            diffs.check(field, want.unwrap_or_default(), presigned.signature())
                        }
                        "x-oss-date"
                        | "x-oss-expires"
                        | "x-oss-credential"
                        | "x-oss-additional-headers" => diffs.check(
                            field,
                            want.unwrap_or("<absent>"),
                            param(field).unwrap_or("<absent>"),
                        ),
                        "url" => diffs.check(
                            "url query (sorted raw pairs)",
                            &sorted_query_pairs(want.unwrap_or_default()).join("&"),
                            &sorted_query_pairs(&format!("?{url_query}")).join("&"),
                        ),
                        other => {
                            diffs.note(format!("unknown expectation `{other}` for a V4 query case"))
                        }
                    }
                }
                let received = request_inputs.received(&url_query, &headers);
                if let Err(e) = verify_presigned(&received, &secrets, time) {
                    diffs.note(format!("the presigned URL does not verify: {e}"));
                }
            }
        }
        (Some("v1"), Some("header")) => {
            let extra = strings(inputs, "extra_subresources");
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let signed = v1::sign_header(&request, ak, sk, required(inputs, "date")?, &extra)
                .map_err(|e| format!("signing refused: {e}"))?;
            diffs.check_fields(expected, "V1 header", |field| match field {
                "authorization" => Some(signed.authorization()),
                "string_to_sign" => Some(signed.string_to_sign()),
                _ => None,
            });
        }
        (Some("v1"), Some("query")) => {
            let expires = inputs["expires_unix"]
                .as_i64()
                .ok_or("inputs.expires_unix is missing")?;
            let extra = strings(inputs, "extra_subresources");
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let params = v1::PresignParams::new(ak, sk, expires)
                .security_token(text(inputs, "security_token"))
                .extra_sub_resources(&extra);
            let presigned =
                v1::presign(&request, &params).map_err(|e| format!("presigning refused: {e}"))?;
            for (field, value) in expected {
                let want = value.as_str().unwrap_or_default();
                match field.as_str() {
                    "signature" => diffs.check(field, want, presigned.signature()),
                    "string_to_sign" => diffs.check(field, want, presigned.string_to_sign()),
                    "url" => diffs.check(
                        "url query (sorted raw pairs)",
                        &sorted_query_pairs(want).join("&"),
                        &sorted_query_pairs(&format!("?{}", presigned.url_query())).join("&"),
                    ),
                    other => {
                        diffs.note(format!("unknown expectation `{other}` for a V1 query case"))
                    }
                }
            }
            let now = SigningTime::from_unix_seconds(expires.saturating_sub(1).max(0))
                .map_err(|e| e.to_string())?;
            let received = request_inputs.received(presigned.url_query(), &headers);
            if let Err(e) = verify_presigned(&received, &secrets, now) {
                diffs.note(format!("the presigned URL does not verify: {e}"));
            }
        }
        (scheme, mode) => {
            return Err(format!(
            "unknown scheme/mode {scheme:?}/{mode:?}: expected scheme v4|v1 and mode query|header"
        ))
        }
    }
    Ok(diffs.status())
}
