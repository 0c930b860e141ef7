//! Suite `sign-core`: one JSON file per vector, run through `oss_sign_core`.
//!
//! A case has `scheme` (`v4` or `v1`), `mode` (`query` or `header`), `inputs` (credentials,
//! region, product, bucket, key, method, headers and query as `[name, value]` lists, signing
//! time, expiry) and `expected` (any of `canonical_request`, `string_to_sign`, `signature`,
//! `authorization`, `x-oss-date`, `x-oss-expires`, `x-oss-credential`,
//! `x-oss-additional-headers` (`null` = absent), `url`). Every expectation given is checked,
//! an unknown one fails the case, and each signed request is also verified back with
//! `oss_sign_core::verify`.

use super::case::{run_json_cases, CaseOutcome, Status};
use super::compare::{sorted_query_pairs, Diffs};
use oss_sign_core::verify::{verify_authorization, verify_presigned, StaticSecret, VerifyRequest};
use oss_sign_core::{encoding, v1, v4, SignableRequest, SigningTime};
use serde_json::Value;
use std::path::Path;

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    run_json_cases(dir, run_case)
}

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

fn pairs(value: &Value, field: &str) -> Result<Vec<(String, String)>, String> {
    let Some(list) = value.get(field) else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or(format!("inputs.{field} must be a list of [name, value]"))?;
    list.iter()
        .map(|p| {
            match (
                p.get(0).and_then(Value::as_str),
                p.get(1).and_then(Value::as_str),
            ) {
                (Some(n), Some(v)) => Ok((n.to_string(), v.to_string())),
                _ => Err(format!("inputs.{field}: {p} is not [name, value]")),
            }
        })
        .collect()
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

fn borrow(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn required<'a>(value: &'a Value, field: &str) -> Result<&'a str, String> {
    text(value, field).ok_or(format!("inputs.{field} is missing"))
}

/// The request of a case, with its owned header and query lists.
struct Inputs {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Inputs {
    fn parse(inputs: &Value) -> Result<Self, String> {
        Ok(Self {
            method: required(inputs, "method")?.to_string(),
            bucket: text(inputs, "bucket").map(String::from),
            key: text(inputs, "key").map(String::from),
            headers: pairs(inputs, "headers")?,
            query: pairs(inputs, "query")?,
        })
    }
}

fn run_case(case: &Value) -> Result<Status, String> {
    let inputs = &case["inputs"];
    let expected = case["expected"]
        .as_object()
        .ok_or("the case has no `expected` object")?;
    let request_inputs = Inputs::parse(inputs)?;
    let headers = borrow(&request_inputs.headers);
    let query = borrow(&request_inputs.query);
    let mut request = SignableRequest::new(&request_inputs.method)
        .headers(&headers)
        .query(&query);
    if let Some(bucket) = &request_inputs.bucket {
        request = request.bucket(bucket);
    }
    if let Some(key) = &request_inputs.key {
        request = request.key(key);
    }
    let mut diffs = Diffs::default();
    let ak = required(inputs, "access_key_id")?;
    let sk = required(inputs, "access_key_secret")?;
    let secrets = StaticSecret::new(ak, sk);
    match (text(case, "scheme"), text(case, "mode")) {
        (Some("v4"), Some(mode)) => {
            let time = SigningTime::from_unix_seconds(
                inputs["signing_time_unix"]
                    .as_i64()
                    .ok_or("inputs.signing_time_unix is missing")?,
            )
            .map_err(|e| e.to_string())?;
            let region = required(inputs, "region")?;
            let product = text(inputs, "product").unwrap_or("oss");
            let token = text(inputs, "security_token");
            let additional = strings(inputs, "additional_headers");
            let additional: Vec<&str> = additional.iter().map(String::as_str).collect();
            let key = v4::SigningKey::derive(sk, time, region, product);
            if mode == "header" {
                let params = v4::HeaderParams::new(ak, region, time)
                    .product(product)
                    .security_token(token)
                    .additional_headers(&additional);
                let signed = v4::sign_headers(&request, &params, &key)
                    .map_err(|e| format!("signing refused: {e}"))?;
                diffs.check_fields(expected, "V4 header", |field| match field {
                    "authorization" => Some(signed.authorization()),
                    "canonical_request" => Some(signed.canonical_request()),
                    "string_to_sign" => Some(signed.string_to_sign()),
                    "signature" => Some(signed.signature()),
                    _ => None,
                });
                let mut all_headers = headers.clone();
                all_headers.extend(
                    signed
                        .headers_to_add()
                        .iter()
                        .map(|(n, v)| (*n, v.as_str())),
                );
                let received_query = raw_query(&request_inputs.query);
                let received = received(&request_inputs, &received_query, &all_headers);
                if let Err(e) = verify_authorization(&received, &secrets, time) {
                    diffs.note(format!("the signed request does not verify: {e}"));
                }
            } else {
                let expires = inputs["expires_seconds"]
                    .as_u64()
                    .and_then(|e| u32::try_from(e).ok())
                    .ok_or("inputs.expires_seconds is missing")?;
                let params = v4::PresignParams::new(ak, region, time, expires)
                    .product(product)
                    .security_token(token)
                    .additional_headers(&additional);
                let presigned = v4::presign(&request, &params, &key)
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
                let received = received(&request_inputs, &url_query, &headers);
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
            let received = received(&request_inputs, presigned.url_query(), &headers);
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

fn received<'a>(
    inputs: &'a Inputs,
    raw_query: &'a str,
    headers: &'a [(&'a str, &'a str)],
) -> VerifyRequest<'a> {
    let mut request = VerifyRequest::new(&inputs.method, raw_query).headers(headers);
    if let Some(bucket) = &inputs.bucket {
        request = request.bucket(bucket);
    }
    if let Some(key) = &inputs.key {
        request = request.key(key);
    }
    request
}

fn raw_query(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(n, v)| {
            let mut pair = encoding::uri_encode(n, false);
            if !v.is_empty() {
                pair.push('=');
                encoding::uri_encode_into(&mut pair, v, false);
            }
            pair
        })
        .collect::<Vec<_>>()
        .join("&")
}
