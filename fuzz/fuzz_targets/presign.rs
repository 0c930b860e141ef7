//! V4 and V1 signing on arbitrary inputs never panics: `v4::presign`, `v4::sign_headers`,
//! `v4::SigningKey::derive`, `v1::presign`, `v1::sign_header`, and every accessor of their
//! results. A V4 signature is always 64 lower-case hex digits and a V4 URL query always ends
//! with it.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::{borrow_all, borrow_pairs, signable};
use libfuzzer_sys::fuzz_target;
use oss_sign_core::{v1, v4, SigningTime};

#[derive(Debug, Arbitrary)]
struct Input {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    access_key_id: String,
    secret: String,
    /// Region and product of the request.
    region: String,
    product: Option<String>,
    /// The key may be derived for another time, region or product than the request's.
    key_time: i64,
    key_region: String,
    key_product: String,
    time: i64,
    expires: u32,
    security_token: Option<String>,
    additional_headers: Vec<String>,
    v1_expires: i64,
    v1_sub_resources: Vec<String>,
    v1_date: String,
}

fuzz_target!(|input: Input| {
    let query = borrow_pairs(&input.query);
    let headers = borrow_pairs(&input.headers);
    let additional = borrow_all(&input.additional_headers);
    let sub_resources = borrow_all(&input.v1_sub_resources);

    let request = signable(
        &input.method,
        input.bucket.as_deref(),
        input.key.as_deref(),
        &query,
        &headers,
    );

    if let (Ok(time), Ok(key_time)) = (
        SigningTime::from_unix_seconds(input.time),
        SigningTime::from_unix_seconds(input.key_time),
    ) {
        let key = v4::SigningKey::derive(
            &input.secret,
            key_time,
            &input.key_region,
            &input.key_product,
        );
        let _ = (key.date_stamp(), key.region(), key.product());
        let product = input.product.as_deref().unwrap_or("oss");
        let _ = key.is_for(time, &input.region, product);

        let mut params =
            v4::PresignParams::new(&input.access_key_id, &input.region, time, input.expires)
                .security_token(input.security_token.as_deref())
                .additional_headers(&additional);
        if let Some(product) = &input.product {
            params = params.product(product);
        }
        if let Ok(presigned) = v4::presign(&request, &params, &key) {
            let signature = presigned.signature();
            assert_eq!(signature.len(), 64);
            assert!(signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            let url_query = presigned.url_query();
            assert!(url_query.ends_with(signature));
            let _ = presigned.encoded_query();
            let _ = presigned.query_params();
            let _ = presigned.signed_headers();
            let _ = presigned.canonical_query();
            let _ = presigned.string_to_sign();
            assert_eq!(
                presigned.expiration().unix_seconds(),
                time.unix_seconds() + i64::from(input.expires)
            );
        }

        let mut header_params = v4::HeaderParams::new(&input.access_key_id, &input.region, time)
            .security_token(input.security_token.as_deref())
            .additional_headers(&additional);
        if let Some(product) = &input.product {
            header_params = header_params.product(product);
        }
        if let Ok(signed) = v4::sign_headers(&request, &header_params, &key) {
            assert!(signed.authorization().ends_with(signed.signature()));
            let _ = (
                signed.headers_to_add(),
                signed.canonical_request(),
                signed.string_to_sign(),
            );
        }
    }

    let v1_params = v1::PresignParams::new(&input.access_key_id, &input.secret, input.v1_expires)
        .security_token(input.security_token.as_deref())
        .extra_sub_resources(&sub_resources);
    if let Ok(presigned) = v1::presign(&request, &v1_params) {
        let _ = (
            presigned.signature(),
            presigned.string_to_sign(),
            presigned.url_query(),
        );
        let _ = (presigned.query_params(), presigned.signed_headers());
    }
    if let Ok(signed) = v1::sign_header(
        &request,
        &input.access_key_id,
        &input.secret,
        &input.v1_date,
        &sub_resources,
    ) {
        assert!(signed.authorization().starts_with("OSS "));
        let _ = signed.string_to_sign();
    }
    for name in &input.v1_sub_resources {
        let _ = v1::is_sub_resource(name);
    }
});
