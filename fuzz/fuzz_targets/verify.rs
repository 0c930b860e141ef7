//! `oss_sign_core::verify::{verify_presigned_with, verify_authorization_with}` on arbitrary
//! method, bucket, key, raw query, headers, "now" and options.
//!
//! Besides "never panics", every input is also turned into a correctly signed V4 (query and
//! header mode) and V1 request where signing accepts it, and the verifier must accept those
//! at the signing time, reject them once the signature is changed, and reject them under
//! another secret.
#![no_main]

mod common;
// The request model of the sign-core vector runners: the request to sign, the one a server
// received, and the query on the wire (their JSON readers and V4 fields go unused here).
#[allow(dead_code)]
#[path = "../../crates/oss-sign-core/tests/support/vector_inputs.rs"]
mod vector_inputs;

use arbitrary::Arbitrary;
use common::borrow_all;
use libfuzzer_sys::fuzz_target;
use oss_sign_core::verify::{
    verify_authorization_with, verify_presigned_with, StaticSecret, VerifyErrorKind, VerifyOptions,
};
use oss_sign_core::{v1, v4, SigningTime};
use vector_inputs::{borrow, VectorRequest};

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    raw_query: String,
    /// Query pairs for the signed round trip (the raw query above is used as is).
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    access_key_id: String,
    secret: String,
    region: String,
    now: i64,
    expires: u32,
    region_option: Option<String>,
    product_option: Option<String>,
    skew: Option<u32>,
    /// Signing extras for the round trip (added last so that the committed regression inputs
    /// keep decoding to the same earlier fields).
    security_token: Option<String>,
    additional_headers: Vec<String>,
    product: Option<String>,
}

fn options(input: &Input) -> VerifyOptions {
    let mut options = VerifyOptions::new();
    if let Some(region) = &input.region_option {
        options = options.region(region.clone());
    }
    if let Some(product) = &input.product_option {
        options = options.product(product.clone());
    }
    if let Some(skew) = input.skew {
        options = options.max_clock_skew_seconds(skew);
    }
    options
}

/// Flips one hex digit of the signature at the end of a presigned query.
fn tamper(query: &str) -> Option<String> {
    let last = query.chars().last()?;
    let replacement = if last == '0' { '1' } else { '0' };
    let mut tampered = query[..query.len() - last.len_utf8()].to_owned();
    tampered.push(replacement);
    Some(tampered)
}

fuzz_target!(|input: Input| {
    let secrets = StaticSecret::new(input.access_key_id.clone(), input.secret.clone());
    let wrong = StaticSecret::new(input.access_key_id.clone(), format!("{}x", input.secret));
    let options = options(&input);
    let object = VectorRequest {
        method: input.method,
        bucket: input.bucket,
        key: input.key,
        headers: input.headers,
        query: input.query,
    };
    let headers = borrow(&object.headers);
    let query = borrow(&object.query);

    // 1. Arbitrary received requests: any result, no panic.
    if let Ok(now) = SigningTime::from_unix_seconds(input.now) {
        let request = object.received(&input.raw_query, &headers);
        let _ = verify_presigned_with(&request, &secrets, now, &options);
        let _ = verify_authorization_with(&request, &secrets, now, &options);
        let lookup = |id: &str| (id == input.access_key_id).then(|| input.secret.clone());
        let _ = verify_presigned_with(&request, &lookup, now, &VerifyOptions::new());
    }

    // 2. Requests we sign ourselves must verify at the signing time (the verifier takes the
    //    region from the credential scope; the product is passed when it is not `oss`).
    let Ok(signed_at) = SigningTime::from_unix_seconds(input.now) else {
        return;
    };
    let product = input.product.as_deref().unwrap_or("oss");
    let default_options = match &input.product {
        Some(product) => VerifyOptions::new().product(product.clone()),
        None => VerifyOptions::new(),
    };
    let key = v4::SigningKey::derive(&input.secret, signed_at, &input.region, product);
    // A URL we presigned (`what`, with its `detail` named `detail_name` for the report) must
    // verify at the signing time.
    let assert_presigned_verifies =
        |url_query: &str, what: &str, detail_name: &str, detail: &str| {
            let got = object.received(url_query, &headers);
            let verified = verify_presigned_with(&got, &secrets, signed_at, &default_options);
            assert!(
                verified.is_ok(),
                "{what} rejected: {:?}\nquery {url_query:?}\n{detail_name} {detail:?}",
                verified.err(),
            );
        };
    // The same for a request we signed in header mode, sent with the headers `all`.
    let assert_header_signed_verifies =
        |all: &[(&str, &str)], what: &str, detail_name: &str, detail: &str| {
            let query_text = object.raw_query();
            let got = object.received(&query_text, all);
            let verified = verify_authorization_with(&got, &secrets, signed_at, &default_options);
            assert!(
                verified.is_ok(),
                "{what} rejected: {:?}\nheaders {all:?}\n{detail_name} {detail:?}",
                verified.err(),
            );
        };
    let token = input.security_token.as_deref();
    let additional = borrow_all(&input.additional_headers);
    let request = object.signable(&headers, &query);
    // By design (docs/fuzzing.md, fuzz/regressions/verify/v4-expires-zero-roundtrip):
    // `v4::presign` signs an expiry of 0 seconds like the SDKs, and the verifier refuses it
    // like OSS (1..604800); the round trip therefore uses 1..=604800.
    let expires = 1 + input.expires % 604_800;
    let params = v4::PresignParams::new(&input.access_key_id, &input.region, signed_at, expires)
        .product(product)
        .security_token(token)
        .additional_headers(&additional);
    if let Ok(presigned) = v4::presign(&request, &params, &key) {
        let url_query = presigned.url_query();
        assert_presigned_verifies(
            &url_query,
            "V4 presigned URL",
            "canonical request",
            presigned.canonical_request(),
        );
        let got = object.received(&url_query, &headers);
        let other = verify_presigned_with(&got, &wrong, signed_at, &default_options);
        assert_eq!(
            other.map(|_| ()).map_err(|e| e.kind()),
            Err(VerifyErrorKind::SignatureMismatch)
        );
        if let Some(tampered) = tamper(&url_query) {
            let got = object.received(&tampered, &headers);
            assert!(verify_presigned_with(&got, &secrets, signed_at, &default_options).is_err());
        }
    }

    // Headers the header-mode signers set themselves: a request that already carries them is
    // not a round trip (the verifier reads the first one).
    let own_headers = headers.iter().any(|(name, _)| {
        [
            "authorization",
            "x-oss-date",
            "date",
            "x-oss-security-token",
        ]
        .iter()
        .any(|own| name.eq_ignore_ascii_case(own))
    });
    let header_round_trip = !own_headers;
    let header_params = v4::HeaderParams::new(&input.access_key_id, &input.region, signed_at)
        .product(product)
        .security_token(token)
        .additional_headers(&additional);
    let header_signed = v4::sign_headers(&request, &header_params, &key).ok();
    if let Some(signed) = header_signed.filter(|_| header_round_trip) {
        let mut all: Vec<(&str, &str)> = headers.clone();
        all.extend(
            signed
                .headers_to_add()
                .iter()
                .map(|(n, v)| (*n, v.as_str())),
        );
        assert_header_signed_verifies(
            &all,
            "V4 header signature",
            "canonical request",
            signed.canonical_request(),
        );
    }

    // V1 header mode: `Authorization: OSS id:signature` over the `Date` header.
    if !own_headers {
        let date = signed_at.to_http_date();
        let mut with_date = headers.clone();
        with_date.push(("Date", date.as_str()));
        let dated = object.signable(&with_date, &query);
        if let Ok(signed) = v1::sign_header(&dated, &input.access_key_id, &input.secret, &date, &[])
        {
            let mut all = with_date.clone();
            all.push(("Authorization", signed.authorization()));
            assert_header_signed_verifies(
                &all,
                "V1 header signature",
                "string to sign",
                signed.string_to_sign(),
            );
        }
    }

    let v1_params = v1::PresignParams::new(
        &input.access_key_id,
        &input.secret,
        signed_at
            .unix_seconds()
            .saturating_add(i64::from(input.expires % 604_801)),
    )
    .security_token(token);
    if let Ok(presigned) = v1::presign(&request, &v1_params) {
        assert_presigned_verifies(
            presigned.url_query(),
            "V1 presigned URL",
            "string to sign",
            presigned.string_to_sign(),
        );
    }
});
