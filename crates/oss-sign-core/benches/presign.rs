//! Benchmarks of the signing hot path.
//!
//! `cargo bench -p oss-sign-core --bench presign`
//!
//! * `presign_get/reused_key`: a typical GET presign (about 300-byte canonical request) with a
//!   signing key derived once and reused, as a client does all day.
//! * `presign_get/derive_key`: the same with the four-HMAC key derivation on every call.
//! * `derive_key`: the derivation alone.
//! * `verify_get`: verification of such a URL (parse, recompute, constant-time compare).
//! * `v1_presign_get`: the V1 equivalent.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyRequest};
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};

const SECRET: &str = "ExampleSecretKey1234567890abcdef";
const AK: &str = "LTAI5tExampleAccessKeyId";
const BUCKET: &str = "examplebucket";
const KEY: &str = "photos/2024/11/holiday img_1234.jpg";
const QUERY: [(&str, &str); 1] = [("response-content-disposition", "attachment")];

fn time() -> SigningTime {
    SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|_| unreachable!())
}

fn bench(c: &mut Criterion) {
    let t = time();
    let key = v4::SigningKey::derive(SECRET, t, "cn-hangzhou", "oss");
    let request = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(KEY)
        .query(&QUERY);
    let params = v4::PresignParams::new(AK, "cn-hangzhou", t, 3600);
    let sample = v4::presign(&request, &params, &key).unwrap_or_else(|_| unreachable!());
    eprintln!(
        "canonical request: {} bytes",
        sample.canonical_request().len()
    );

    let mut group = c.benchmark_group("presign_get");
    group.bench_function("reused_key", |b| {
        b.iter(|| v4::presign(black_box(&request), black_box(&params), black_box(&key)))
    });
    group.bench_function("derive_key", |b| {
        b.iter(|| {
            let key = v4::SigningKey::derive(black_box(SECRET), t, "cn-hangzhou", "oss");
            v4::presign(black_box(&request), black_box(&params), &key)
        })
    });
    group.bench_function("reused_key_full_url", |b| {
        b.iter(|| {
            let p = v4::presign(black_box(&request), black_box(&params), black_box(&key))
                .unwrap_or_else(|_| unreachable!());
            let mut url = String::with_capacity(512);
            url.push_str("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
            oss_sign_core::encoding::uri_encode_into(&mut url, KEY, true);
            url.push('?');
            p.write_url_query(&mut url);
            url
        })
    });
    group.finish();

    c.bench_function("derive_key", |b| {
        b.iter(|| v4::SigningKey::derive(black_box(SECRET), t, "cn-hangzhou", "oss"))
    });

    let query = sample.url_query();
    let secrets = StaticSecret::new(AK, SECRET);
    c.bench_function("verify_get", |b| {
        b.iter(|| {
            verify_presigned(
                black_box(&VerifyRequest::new("GET", &query).bucket(BUCKET).key(KEY)),
                &secrets,
                t,
            )
        })
    });

    let v1_params = v1::PresignParams::new(AK, SECRET, 1_731_403_600);
    c.bench_function("v1_presign_get", |b| {
        b.iter(|| v1::presign(black_box(&request), black_box(&v1_params)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
