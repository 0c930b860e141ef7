//! Runs every signing vector in `conformance/sign-core/v4-vectors.json` (signatures from the
//! official SDKs' unit tests, the documentation example, and cross-SDK generated cases) and
//! checks every intermediate a vector gives: canonical request, string to sign, signature,
//! authorization header, query parameters and full URLs. Each presigned vector is also verified
//! back with `verify::verify_presigned`.

use oss_sign_core::verify::{verify_authorization, verify_presigned, StaticSecret, VerifyRequest};
use oss_sign_core::{encoding, v1, v4, SignableRequest, SigningTime};
use serde_json::Value;
use std::path::PathBuf;

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/sign-core/v4-vectors.json");
    let text = std::fs::read_to_string(&path).expect("vector file is readable");
    serde_json::from_str(&text).expect("vector file is JSON")
}

fn s<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field).and_then(Value::as_str)
}

fn pairs(v: &Value, field: &str) -> Vec<(String, String)> {
    v.get(field)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_string(),
                        p[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
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

fn sorted_query(url: &str) -> Vec<String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut parts: Vec<String> = query.split('&').map(String::from).collect();
    parts.sort();
    parts
}

/// Expected values of a vector, from `expected`, `expected_by_spec` and `derived_by_spec`.
fn expectations(vector: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for section in ["expected", "expected_by_spec", "derived_by_spec"] {
        if let Some(map) = vector.get(section).and_then(Value::as_object) {
            for (k, v) in map {
                out.push((format!("{section}.{k}"), v.clone()));
            }
        }
    }
    out
}

struct Outcome {
    checked: usize,
    failures: Vec<String>,
}

impl Outcome {
    fn check(&mut self, id: &str, what: &str, expected: &str, actual: &str) {
        self.checked += 1;
        if expected != actual {
            self.failures.push(format!(
                "{id}: {what}\n  expected: {expected:?}\n  actual:   {actual:?}"
            ));
        }
    }
}

fn run_v4(vector: &Value, out: &mut Outcome) {
    let id = s(vector, "id").unwrap_or("?");
    let inputs = &vector["inputs"];
    let time =
        SigningTime::from_unix_seconds(inputs["signing_time_unix"].as_i64().unwrap()).unwrap();
    let secret = s(inputs, "access_key_secret").unwrap();
    let ak = s(inputs, "access_key_id").unwrap();
    let region = s(inputs, "region").unwrap();
    let product = s(inputs, "product").unwrap_or("oss");
    let token = s(inputs, "security_token");
    let headers = pairs(inputs, "headers");
    let query = pairs(inputs, "query");
    let additional = strings(inputs, "additional_headers");
    let additional: Vec<&str> = additional.iter().map(String::as_str).collect();
    let (headers_b, query_b) = (borrow(&headers), borrow(&query));
    let mut request = SignableRequest::new(s(inputs, "method").unwrap())
        .headers(&headers_b)
        .query(&query_b);
    if let Some(bucket) = s(inputs, "bucket") {
        request = request.bucket(bucket);
    }
    if let Some(key) = s(inputs, "key") {
        request = request.key(key);
    }
    let key = v4::SigningKey::derive(secret, time, region, product);
    let secrets = StaticSecret::new(ak, secret);

    if s(vector, "mode") == Some("header") {
        let params = v4::HeaderParams::new(ak, region, time)
            .product(product)
            .security_token(token)
            .additional_headers(&additional);
        let signed = v4::sign_headers(&request, &params, &key).unwrap();
        for (name, value) in expectations(vector) {
            let field = name.rsplit('.').next().unwrap();
            let actual = match field {
                "authorization" => signed.authorization(),
                "canonical_request" => signed.canonical_request(),
                "string_to_sign" => signed.string_to_sign(),
                "signature" => signed.signature(),
                other => panic!("{id}: unknown expectation {other}"),
            };
            out.check(id, &name, value.as_str().unwrap(), actual);
        }
        // The signed request verifies.
        let mut all_headers = headers_b.clone();
        all_headers.extend(
            signed
                .headers_to_add()
                .iter()
                .map(|(n, v)| (*n, v.as_str())),
        );
        let raw_query = request_query(&query);
        let mut received = VerifyRequest::new(request.method(), &raw_query).headers(&all_headers);
        if let Some(b) = s(inputs, "bucket") {
            received = received.bucket(b);
        }
        if let Some(k) = s(inputs, "key") {
            received = received.key(k);
        }
        out.checked += 1;
        if let Err(e) = verify_authorization(&received, &secrets, time) {
            out.failures
                .push(format!("{id}: header signature does not verify: {e}"));
        }
        return;
    }

    let expires = inputs["expires_seconds"].as_u64().unwrap() as u32;
    let params = v4::PresignParams::new(ak, region, time, expires)
        .product(product)
        .security_token(token)
        .additional_headers(&additional);
    let presigned = v4::presign(&request, &params, &key).unwrap();
    let auth: Vec<(&str, String)> = presigned.query_params();
    let param = |name: &str| {
        auth.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    for (name, value) in expectations(vector) {
        let field = name.split_once('.').unwrap().1;
        match field {
            "canonical_request" => out.check(
                id,
                &name,
                value.as_str().unwrap(),
                presigned.canonical_request(),
            ),
            "string_to_sign" => out.check(
                id,
                &name,
                value.as_str().unwrap(),
                presigned.string_to_sign(),
            ),
            "signature" | "x-oss-signature" => {
                out.check(id, &name, value.as_str().unwrap(), presigned.signature())
            }
            "x-oss-date" | "x-oss-expires" => out.check(
                id,
                &name,
                value.as_str().unwrap(),
                &param(field).unwrap_or_default(),
            ),
            "x-oss-credential (url-encoded)" => out.check(
                id,
                &name,
                value.as_str().unwrap(),
                &encoding::uri_encode(&param("x-oss-credential").unwrap_or_default(), false),
            ),
            "x-oss-additional-headers" | "x-oss-additional-headers (url-encoded)" => {
                let actual = param("x-oss-additional-headers");
                let actual = if field.ends_with("(url-encoded)") {
                    actual.map(|a| encoding::uri_encode(&a, false))
                } else {
                    actual
                };
                match value.as_str() {
                    Some(expected) => {
                        out.check(id, &name, expected, actual.as_deref().unwrap_or("<absent>"))
                    }
                    None => out.check(
                        id,
                        &name,
                        "<absent>",
                        actual.as_deref().unwrap_or("<absent>"),
                    ),
                }
            }
            "additional_headers" => {
                let expected: Vec<String> = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                out.check(
                    id,
                    &name,
                    &expected.join(";"),
                    &param("x-oss-additional-headers").unwrap_or_default(),
                );
            }
            "full_url_go_sdk_v1" => {
                let ours = format!("http://h/k?{}", presigned.url_query());
                out.check(
                    id,
                    &name,
                    &sorted_query(value.as_str().unwrap()).join("&"),
                    &sorted_query(&ours).join("&"),
                );
            }
            other => panic!("{id}: unknown expectation {other}"),
        }
    }
    // Round trip: the URL verifies at the signing instant.
    let url_query = presigned.url_query();
    let mut received = VerifyRequest::new(request.method(), &url_query).headers(&headers_b);
    if let Some(b) = s(inputs, "bucket") {
        received = received.bucket(b);
    }
    if let Some(k) = s(inputs, "key") {
        received = received.key(k);
    }
    out.checked += 1;
    if let Err(e) = verify_presigned(&received, &secrets, time) {
        out.failures
            .push(format!("{id}: presigned URL does not verify: {e}"));
    }
}

fn request_query(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                encoding::uri_encode(n, false)
            } else {
                format!(
                    "{}={}",
                    encoding::uri_encode(n, false),
                    encoding::uri_encode(v, false)
                )
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn run_v1(vector: &Value, out: &mut Outcome) {
    let id = s(vector, "id").unwrap_or("?");
    let inputs = &vector["inputs"];
    let headers = pairs(inputs, "headers");
    let query = pairs(inputs, "query");
    let extra = strings(inputs, "extra_subresources");
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let (headers_b, query_b) = (borrow(&headers), borrow(&query));
    let mut request = SignableRequest::new(s(inputs, "method").unwrap())
        .headers(&headers_b)
        .query(&query_b);
    if let Some(bucket) = s(inputs, "bucket") {
        request = request.bucket(bucket);
    }
    if let Some(key) = s(inputs, "key") {
        request = request.key(key);
    }
    let ak = s(inputs, "access_key_id").unwrap();
    let sk = s(inputs, "access_key_secret").unwrap();
    if s(vector, "mode") == Some("header") {
        let signed = v1::sign_header(&request, ak, sk, s(inputs, "date").unwrap(), &extra).unwrap();
        for (name, value) in expectations(vector) {
            let field = name.rsplit('.').next().unwrap();
            let actual = match field {
                "authorization" => signed.authorization(),
                "string_to_sign" => signed.string_to_sign(),
                other => panic!("{id}: unknown expectation {other}"),
            };
            out.check(id, &name, value.as_str().unwrap(), actual);
        }
        return;
    }
    let expires = inputs["expires_unix"].as_i64().unwrap();
    let params = v1::PresignParams::new(ak, sk, expires)
        .security_token(s(inputs, "security_token"))
        .extra_sub_resources(&extra);
    let presigned = v1::presign(&request, &params).unwrap();
    for (name, value) in expectations(vector) {
        let field = name.rsplit('.').next().unwrap();
        let expected = value.as_str().unwrap();
        match field {
            "signature" => out.check(id, &name, expected, presigned.signature()),
            "string_to_sign" => out.check(id, &name, expected, presigned.string_to_sign()),
            "full_url_go_sdk_v2" | "url" => out.check(
                id,
                &name,
                &sorted_query(expected).join("&"),
                &sorted_query(&format!("x?{}", presigned.url_query())).join("&"),
            ),
            other => panic!("{id}: unknown expectation {other}"),
        }
    }
    let mut received =
        VerifyRequest::new(request.method(), presigned.url_query()).headers(&headers_b);
    if let Some(b) = s(inputs, "bucket") {
        received = received.bucket(b);
    }
    if let Some(k) = s(inputs, "key") {
        received = received.key(k);
    }
    out.checked += 1;
    let now = SigningTime::from_unix_seconds(expires - 1).unwrap();
    if let Err(e) = verify_presigned(&received, &StaticSecret::new(ak, sk), now) {
        out.failures
            .push(format!("{id}: V1 presigned URL does not verify: {e}"));
    }
}

#[test]
fn every_vector_reproduces() {
    let all = vectors();
    let mut out = Outcome {
        checked: 0,
        failures: Vec::new(),
    };
    let mut count = 0;
    for section in [
        "v4_unit_test_vectors",
        "v4_third_party_vectors",
        "v4_generated_cross_sdk_vectors",
    ] {
        for vector in all[section].as_array().unwrap() {
            run_v4(vector, &mut out);
            count += 1;
        }
    }
    for vector in all["v1_unit_test_vectors"].as_array().unwrap() {
        run_v1(vector, &mut out);
        count += 1;
    }
    assert_eq!(count, 35, "the vector file holds 12 + 2 + 15 + 6 vectors");
    assert!(out.checked > 100, "only {} checks ran", out.checked);
    assert!(
        out.failures.is_empty(),
        "{} of {} checks failed:\n{}",
        out.failures.len(),
        out.checked,
        out.failures.join("\n")
    );
}
