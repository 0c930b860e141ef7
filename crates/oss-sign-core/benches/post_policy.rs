//! POST-policy signing per call with a cached signing key (goal: <= 2 us), and verification.
//!
//! cargo bench -p oss-sign-core --bench post_policy -- --warm-up-time 1 --measurement-time 3

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use oss_sign_core::post_policy::{
    sign_post_policy, verify_post_form, Condition, PostForm, PostPolicy, PostPolicyParams,
    PostVerifyOptions,
};
use oss_sign_core::verify::StaticSecret;
use oss_sign_core::{v4::SigningKey, SigningTime};

fn bench(c: &mut Criterion) {
    let now = SigningTime::parse_x_oss_date("20231203T121212Z").unwrap();
    let key = SigningKey::derive("ExampleSecretKey1234567890", now, "cn-hangzhou", "oss");
    let policy = PostPolicy::new(now.checked_add_seconds(3600).unwrap())
        .condition(Condition::bucket("examplebucket"))
        .condition(Condition::starts_with("key", "user/42/"))
        .condition(Condition::content_length_range(1, 10 << 20))
        .condition(Condition::eq("Content-Type", "image/png"))
        .condition(Condition::eq("success_action_status", "201"));
    let params = PostPolicyParams::new("LTAI5tExampleAK", "cn-hangzhou", now);
    c.bench_function("post_policy/sign (cached key, 5 conditions)", |b| {
        b.iter(|| sign_post_policy(black_box(&policy), black_box(&params), &key).unwrap())
    });

    let signed = sign_post_policy(&policy, &params, &key).unwrap();
    let mut fields = vec![
        ("key", "user/42/a.png"),
        ("Content-Type", "image/png"),
        ("success_action_status", "201"),
    ];
    fields.extend(signed.form_fields());
    let secrets = StaticSecret::new("LTAI5tExampleAK", "ExampleSecretKey1234567890");
    let options = PostVerifyOptions::new();
    c.bench_function("post_policy/verify (derives the key)", |b| {
        b.iter(|| {
            verify_post_form(
                black_box(&PostForm::new("examplebucket", &fields)),
                &secrets,
                now,
                &options,
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
