//! The crypto floor of the WebAssembly bench (`crates/oss-presign-wasm/benches/floor_vs_ali_oss.mjs`,
//! issue 15) natively, for scale: the same request (V4 GET with an STS token, 15 minutes,
//! cn-hangzhou) and the same code (`v4::bench_floor`, feature `bench-floor`).
//!
//! `cargo bench -p oss-sign-core --features bench-floor --bench floor_native` (`-- --rounds N`)
//!
//! Cases, each timed right after a batch of the first in rotated order (the harness of
//! `presign_ratios`): `floor` (through the key's first-block cache, as a presign pays it),
//! `floor_uncached`, `floor_sha2_hmac` (`presign_ratios`'s floor, the `sha2` and `hmac` crates,
//! on this request), `presign` (`v4::presign` of the request, key reused).

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

#[path = "support/ratio_harness.rs"]
mod ratio_harness;

use oss_sign_core::v4::{self, bench_floor};
use oss_sign_core::{SignableRequest, SigningTime};
use ratio_harness::{floor_case, rounds_arg, warm_up, Case, Timings};
use std::hint::black_box;

fn main() {
    let rounds = rounds_arg(301);
    let t = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|_| unreachable!());
    let key: &'static v4::SigningKey = Box::leak(Box::new(v4::SigningKey::derive(
        "ExampleAccessKeySecret0123456789abcd",
        t,
        "cn-hangzhou",
        "oss",
    )));
    let params = v4::PresignParams::new("STS.NUgYrLnoC37mZZCNnAbez2xxx", "cn-hangzhou", t, 900)
        .security_token(Some("CAIS1AJ1q6Ft5B2yfSjIr5fRG.example-security-token"));
    let request = SignableRequest::new("GET")
        .bucket("examplebucket")
        .key("folder/exampleobject.txt");
    let sample = v4::presign(&request, &params, key).unwrap_or_else(|_| unreachable!());
    let canonical: &'static str = sample.canonical_request().to_owned().leak();
    let string_to_sign: &'static str = sample.string_to_sign().to_owned().leak();
    assert_eq!(
        &bench_floor::floor(key, canonical.as_bytes(), string_to_sign.as_bytes())[64..],
        sample.signature().as_bytes()
    );
    let floor = |name, cached: bool| Case {
        name,
        run: Box::new(move || {
            let (c, s) = (
                black_box(canonical.as_bytes()),
                black_box(string_to_sign.as_bytes()),
            );
            let out = if cached {
                bench_floor::floor(key, c, s)
            } else {
                bench_floor::floor_uncached(key, c, s)
            };
            usize::from(out[127])
        }),
    };
    let mut sha2_hmac = floor_case(canonical.to_owned(), string_to_sign.to_owned());
    sha2_hmac.name = "floor_sha2_hmac";
    let cases = vec![
        floor("floor", true),
        floor("floor_uncached", false),
        sha2_hmac,
        Case {
            name: "presign",
            run: Box::new(move || {
                v4::presign(black_box(&request), black_box(&params), black_box(key))
                    .map(|p| p.signature().len())
                    .unwrap_or(0)
            }),
        },
    ];
    warm_up(&cases, 4_000);
    let timings = Timings::measure(&cases, rounds, 250);
    println!(
        "floor_native: canonical request {} bytes, string to sign {} bytes; {rounds} rounds x 250 calls, rotated order",
        canonical.len(),
        string_to_sign.len()
    );
    for (i, case) in cases.iter().enumerate() {
        let compressions = match case.name {
            "floor" => format!(
                " ({} compressions)",
                bench_floor::compressions(canonical.len(), string_to_sign.len(), true)
            ),
            "floor_uncached" | "floor_sha2_hmac" => format!(
                " ({} compressions)",
                bench_floor::compressions(canonical.len(), string_to_sign.len(), false)
            ),
            _ => String::new(),
        };
        println!(
            "{:<16} {:>7.1} ns  {:>5.2} x floor{compressions}",
            case.name,
            timings.absolute(i),
            timings.to_floor(i)
        );
    }
}
