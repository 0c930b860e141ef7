//! How many heap allocations a presign makes, counted by a global allocator (issue 17: "no
//! per-call allocation beyond the URL itself where it can be avoided; say how many remain").
//!
//! A test binary of its own without the libtest harness (`harness = false` in Cargo.toml):
//! the counter is process-wide, and one thread doing the counting is the only way its figures
//! are exact. The counts are pinned exactly, so that an allocation added (or saved) shows here
//! and the documented figures are changed with it. What each one is:
//!
//! - `oss-sign-core`'s [`v4::Presigned`] keeps every intermediate in one string: **1**; with
//!   signed headers, their sorted selection is a second: **2**.
//! - `Client::presign` adds its [`PresignResult`](oss_client::PresignResult)'s one buffer (the
//!   URL, then the header lists): **2** for a GET or a PUT without headers, **3** with signed
//!   headers, whatever their number or that of the query parameters (20 of either: the same).
//! - A typed [`PutObjectRequest`] with metadata: **4**, the metadata's `x-oss-meta-` names
//!   built as strings (one list) before signing.
//! - V1 (kept for the users who still need it; not the path issue 17 measures): **9** and one
//!   regrowth (its query string), left as they are.
//!
//! The counts hold in both profiles: the client's debug assertions allocate nothing.
//!
//! The timing benches (`benches/presign_ratios.rs`) run on the plain system allocator: a
//! counting allocator's atomic adds on every allocation and free would be timed with them.

#![allow(clippy::print_stdout)]

use std::alloc::System;
use std::hint::black_box;

use oss_client::{
    Client, Config, FixedClock, GetObjectRequest, ObjectRequest, Presignable, PutObjectRequest,
    SignatureVersion, SigningTime,
};
use oss_credentials::Credentials;
use oss_sign_core::{v4, SignableRequest};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const AK: &str = "LTAI5tExampleAccessKeyId";
const SECRET: &str = "ExampleSecretKey1234567890abcdef";
const REGION: &str = "cn-hangzhou";
const BUCKET: &str = "examplebucket";
const KEY: &str = "photos/2024/11/holiday img_1234.jpg";
/// Calls counted per case (after one uncounted call that fills the client's key cache).
const CALLS: usize = 50;

/// Allocations and reallocations per call of `run`, and whether every allocation was freed.
fn per_call(run: &dyn Fn() -> usize) -> (usize, usize, bool) {
    assert!(run() > 0, "the presign failed");
    let region = Region::new(GLOBAL);
    for _ in 0..CALLS {
        black_box(run());
    }
    let change = region.change();
    assert_eq!(
        change.allocations % CALLS,
        0,
        "{} allocations in {CALLS} calls: not the same number each call",
        change.allocations
    );
    (
        change.allocations / CALLS,
        change.reallocations / CALLS,
        change.deallocations == change.allocations,
    )
}

fn client(version: SignatureVersion) -> Client {
    let t = SigningTime::from_unix_seconds(1_731_400_000).expect("valid time");
    Client::new(
        Config::builder()
            .region(REGION)
            .credentials(Credentials::new(AK, SECRET).expect("valid credentials"))
            .clock(FixedClock::new(t))
            .signature_version(version)
            .build()
            .expect("valid config"),
    )
}

fn client_url(client: &Client, request: &impl Presignable) -> usize {
    client
        .presign(black_box(request))
        .map(|r| r.url().len())
        .unwrap_or(0)
}

fn pairs(n: usize, prefix: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{prefix}{i:02}"), format!("value {i}")))
        .collect()
}

fn object(
    method: &str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
) -> ObjectRequest {
    let mut request = ObjectRequest::new(method, BUCKET, KEY);
    request.parameters = query;
    request.headers = headers;
    request
}

fn main() {
    let v4_client = client(SignatureVersion::V4);
    let v1_client = client(SignatureVersion::V1);
    let t = SigningTime::from_unix_seconds(1_731_400_000).expect("valid time");
    let key = v4::SigningKey::derive(SECRET, t, REGION, "oss");
    let params = v4::PresignParams::new(AK, REGION, t, 900);
    let query = [("response-content-disposition", "attachment")];
    let meta5: Vec<(String, String)> = pairs(5, "x-oss-meta-m");
    let meta5_refs: Vec<(&str, &str)> = meta5
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();

    let core_get = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(KEY)
        .query(&query);
    let core_h5 = SignableRequest::new("PUT")
        .bucket(BUCKET)
        .key(KEY)
        .headers(&meta5_refs);
    let get = object(
        "GET",
        vec![(query[0].0.into(), query[0].1.into())],
        Vec::new(),
    );
    let put = object("PUT", Vec::new(), Vec::new());
    let h5 = object("PUT", Vec::new(), meta5.clone());
    let h20 = object("PUT", Vec::new(), pairs(20, "x-oss-meta-m"));
    let p20 = object("GET", pairs(20, "param-"), Vec::new());
    let typed_get = GetObjectRequest::new(BUCKET, KEY).response_content_disposition("attachment");
    let mut typed_put = PutObjectRequest::new(BUCKET, KEY);
    typed_put.metadata = pairs(5, "m");

    let core = |request: &SignableRequest<'_>| {
        v4::presign(black_box(request), &params, &key)
            .map(|p| p.signature().len())
            .unwrap_or(0)
    };
    // (what, the call, allocations, reallocations)
    let cases: [(&str, &dyn Fn() -> usize, usize, usize); 10] = [
        ("sign-core GET", &|| core(&core_get), 1, 0),
        ("sign-core PUT, 5 signed headers", &|| core(&core_h5), 2, 0),
        ("client GET", &|| client_url(&v4_client, &get), 2, 0),
        (
            "client PUT, no headers",
            &|| client_url(&v4_client, &put),
            2,
            0,
        ),
        (
            "client PUT, 5 signed headers",
            &|| client_url(&v4_client, &h5),
            3,
            0,
        ),
        (
            "client PUT, 20 signed headers",
            &|| client_url(&v4_client, &h20),
            3,
            0,
        ),
        (
            "client GET, 20 query parameters",
            &|| client_url(&v4_client, &p20),
            2,
            0,
        ),
        (
            "client typed GET",
            &|| client_url(&v4_client, &typed_get),
            2,
            0,
        ),
        (
            "client typed PUT, 5 metadata entries",
            &|| client_url(&v4_client, &typed_put),
            4,
            0,
        ),
        ("client V1 GET", &|| client_url(&v1_client, &get), 9, 1),
    ];
    let mut wrong = Vec::new();
    for (name, run, expected, expected_regrown) in cases {
        let (count, regrown, all_freed) = per_call(run);
        println!("{name}: {count} allocation(s), {regrown} reallocation(s) per call");
        if (count, regrown) != (expected, expected_regrown) {
            wrong.push(format!(
                "{name}: {count} allocations and {regrown} reallocations per call, documented \
                 {expected} and {expected_regrown}"
            ));
        }
        if !all_freed {
            wrong.push(format!("{name}: not every allocation was freed"));
        }
    }
    assert!(
        wrong.is_empty(),
        "allocation counts changed:\n{}",
        wrong.join("\n")
    );
    println!("presign_allocations: {} cases ok", cases.len());
}
