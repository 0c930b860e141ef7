//! Presign benchmarks: one GetObject through the client (signing key reused). The `batch`
//! logic over the conformance cases is benchmarked in oss-cli (`cargo bench -p oss-cli --bench
//! batch`), where it lives.
//!
//! Run with `cargo bench -p oss-client --bench presign`.

use std::hint::black_box;

#[path = "support/example_client.rs"]
mod example_client;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use example_client::{example_client, example_credentials, example_time};
use oss_client::{Client, Config, FixedClock, GetObjectRequest, PresignOptions};
use oss_credentials::Credentials;

fn presign_get_object(c: &mut Criterion) {
    let client = example_client();
    let request = GetObjectRequest::new("examplebucket", "exampleobject.txt");
    let options = PresignOptions::new();
    let credentials = example_credentials();
    // Warm the signing-key cache once; every measured call reuses the key.
    let _ = client.presign(&request).expect("presign");

    let mut group = c.benchmark_group("presign");
    group.throughput(Throughput::Elements(1));
    group.bench_function("get_object_with_credentials", |b| {
        b.iter(|| {
            client
                .presign_with_credentials(black_box(&request), &options, &credentials)
                .expect("presign")
        })
    });
    group.bench_function("get_object_configured_credentials", |b| {
        b.iter(|| client.presign(black_box(&request)).expect("presign"))
    });
    // The sync presign through a CachingProvider holding STS credentials: the cost of
    // credentials_if_cached (state lock, clock read, Arc clone) instead of fixed keys.
    let sts =
        oss_credentials::CachingProvider::new(oss_credentials::StaticProvider::from_credentials(
            Credentials::new("STS.NUexampleid", "ExampleAccessKeySecret0123456789abcd")
                .expect("valid credentials")
                .with_security_token("example-security-token")
                .with_expiration(
                    std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
                ),
        ));
    let cached = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(sts)
            .clock(FixedClock::new(example_time()))
            .build()
            .expect("valid config"),
    );
    futures_executor::block_on(cached.presign_async(&request, &options)).expect("warm the cache");
    group.bench_function("get_object_cached_sts_provider", |b| {
        b.iter(|| cached.presign(black_box(&request)).expect("presign"))
    });
    // The same presign straight through oss-sign-core (key passed in, URL written by hand):
    // the floor the client's overhead is measured against.
    let time = example_time();
    let key = oss_sign_core::v4::SigningKey::derive(
        "ExampleAccessKeySecret0123456789abcd",
        time,
        "cn-hangzhou",
        "oss",
    );
    group.bench_function("sign_core_baseline", |b| {
        b.iter(|| {
            let signable = oss_sign_core::SignableRequest::new("GET")
                .bucket(black_box("examplebucket"))
                .key(black_box("exampleobject.txt"));
            let params = oss_sign_core::v4::PresignParams::new(
                "LTAI5tExampleAccessKeyId",
                "cn-hangzhou",
                time,
                900,
            );
            let presigned = oss_sign_core::v4::presign(&signable, &params, &key).expect("presign");
            let mut url = String::with_capacity(512);
            url.push_str("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
            oss_sign_core::encoding::uri_encode_into(&mut url, "exampleobject.txt", true);
            url.push('?');
            presigned.write_url_query(&mut url);
            url
        })
    });
    group.finish();
}

mod groups {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, presign_get_object);
}

criterion_main!(groups::benches);
