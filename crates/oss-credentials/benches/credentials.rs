//! Benchmarks of the hot paths: the cached-credentials fast path (called once per OSS
//! request), the STS request signature, environment lookup and INI profile resolution.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use futures_executor::block_on;
use oss_credentials::{
    CachingProvider, Credentials, EnvProvider, Environment, ProfileFileProvider,
    ProvideCredentials, RpcSignature, StaticProvider,
};
use std::time::{Duration, SystemTime};

fn cache_hit(c: &mut Criterion) {
    let creds = Credentials::new("STS.bench", "bench-secret")
        .unwrap()
        .with_security_token("bench-token")
        .with_expiration(SystemTime::now() + Duration::from_secs(3600));
    let cache = CachingProvider::new(StaticProvider::from_credentials(creds));
    block_on(cache.provide_credentials()).unwrap();
    c.bench_function("caching_provider_hit", |b| {
        b.iter(|| black_box(block_on(cache.provide_credentials()).unwrap()))
    });
    c.bench_function("caching_provider_cached_sync", |b| {
        b.iter(|| black_box(cache.cached().unwrap()))
    });
}

fn sts_signature(c: &mut Criterion) {
    let policy = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*"}]}"#;
    let params = [
        ("AccessKeyId", "testid"),
        ("Action", "AssumeRole"),
        ("DurationSeconds", "3600"),
        ("Format", "JSON"),
        ("RoleArn", "acs:ram::1234567890123456:role/oss-writer"),
        ("RoleSessionName", "oss-credentials-test"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "4e0ad82fd6cf3ee8c1b883d344afa94f"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2024-05-01T08:00:00Z"),
        ("Version", "2015-04-01"),
        ("Policy", policy),
    ];
    c.bench_function("rpc_signature_assume_role", |b| {
        b.iter(|| black_box(RpcSignature::sign("POST", black_box(&params), "testsecret")))
    });
}

fn env_and_files(c: &mut Criterion) {
    let env = Environment::from_map([
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIbench"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "bench-secret"),
    ]);
    let provider = EnvProvider::with_environment(env);
    c.bench_function("env_provider_load", |b| {
        b.iter(|| black_box(provider.load().unwrap()))
    });

    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".alibabacloud")).unwrap();
    let mut ini = String::new();
    for n in 0..20 {
        ini.push_str(&format!(
            "[p{n}]\ntype = access_key\naccess_key_id = LTAI{n}\naccess_key_secret = secret{n} # comment\n\n"
        ));
    }
    ini.push_str(
        "[default]\ntype = sts\naccess_key_id = STS.x\naccess_key_secret = y\nsecurity_token = z\n",
    );
    std::fs::write(home.path().join(".alibabacloud/credentials"), ini).unwrap();
    let files = ProfileFileProvider::with_environment(
        Environment::from_map::<&str, &str>([]).with_home_dir(home.path()),
    );
    c.bench_function("profile_file_resolve_21_sections", |b| {
        b.iter(|| black_box(files.resolve().unwrap()))
    });
}

criterion_group!(benches, cache_hit, sts_signature, env_and_files);
criterion_main!(benches);
