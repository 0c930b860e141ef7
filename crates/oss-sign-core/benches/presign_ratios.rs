//! Presign cost as ratios to its crypto floor, measured in the same run (issue 17).
//!
//! `cargo bench -p oss-sign-core --bench presign_ratios` (about 15 s; `-- --rounds N` for more,
//! `-- --only headers_20` to loop one case under `perf record`)
//!
//! The floor is what every V4 presigner pays for the typical GET: SHA-256 of its canonical
//! request, HMAC-SHA256 (key states precomputed) of its string to sign, and both as hex.
//! Every round times each case over the same number of calls, in an order rotated from round to
//! round, each right after a batch of the floor, and divides by that floor batch; the report
//! gives the median of those per-round ratios (and, for scale only, the median absolute time on
//! this machine, which on a shared machine moves from run to run where the ratios do not). The series compare
//! against `headers_0` and `presign_get`, so the per-item cost reads as a ratio too.
//!
//! Cases: `presign_get` (typical GET, key reused), `headers_0/5/20` (PUT with 0, 5 or 20
//! `x-oss-meta-*` headers), `params_20` (GET with 20 query parameters), `key_1023` (GET of a
//! 1023-byte key).

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

use hmac::{Hmac, Mac};
use oss_sign_core::{v4, SignableRequest, SigningTime};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::Instant;

const SECRET: &str = "ExampleSecretKey1234567890abcdef";
const AK: &str = "LTAI5tExampleAccessKeyId";
const REGION: &str = "cn-hangzhou";
const BUCKET: &str = "examplebucket";
const KEY: &str = "photos/2024/11/holiday img_1234.jpg";

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

struct Case {
    name: &'static str,
    run: Box<dyn Fn() -> usize>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(301);
    let calls_per_round = 4_000;
    let batch = 250;

    let t = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|_| unreachable!());
    let key: &'static v4::SigningKey =
        Box::leak(Box::new(v4::SigningKey::derive(SECRET, t, REGION, "oss")));
    let params = v4::PresignParams::new(AK, REGION, t, 3600);
    let get_query: &'static [(&str, &str)] = &[("response-content-disposition", "attachment")];
    let typical = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(KEY)
        .query(get_query);
    let sample = v4::presign(&typical, &params, key).unwrap_or_else(|_| unreachable!());
    let canonical = sample.canonical_request().to_owned();
    let string_to_sign = sample.string_to_sign().to_owned();

    // The floor, with the HMAC key states precomputed as a presigner that reuses its key has.
    let mut day_key = Hmac::<Sha256>::new_from_slice(b"aliyun_v4ExampleSecret")
        .unwrap_or_else(|_| unreachable!());
    day_key.update(b"20241112");
    let prepared: Hmac<Sha256> =
        Hmac::new_from_slice(&day_key.finalize().into_bytes()).unwrap_or_else(|_| unreachable!());

    let leak = |v: Vec<(String, String)>| -> &'static [(&'static str, &'static str)] {
        let v: Vec<(&'static str, &'static str)> = v
            .into_iter()
            .map(|(n, v)| (&*n.leak(), &*v.leak()))
            .collect();
        v.leak()
    };
    let meta = |n: usize| {
        leak(
            (0..n)
                .map(|i| {
                    (
                        format!("x-oss-meta-field-{i:02}"),
                        format!("value number {i}"),
                    )
                })
                .collect(),
        )
    };
    let (h0, h5, h20) = (meta(0), meta(5), meta(20));
    let params20 = leak(
        (0..20)
            .map(|i| (format!("param-{i:02}"), format!("value {i}/x")))
            .collect(),
    );
    let long_key: &'static str = "photos/2024/holiday img_".repeat(43)[..1023]
        .to_owned()
        .leak();

    let presign_case = |name: &'static str, request: SignableRequest<'static>| Case {
        name,
        run: Box::new(move || {
            v4::presign(black_box(&request), black_box(&params), black_box(key))
                .map(|p| p.signature().len())
                .unwrap_or(0)
        }),
    };
    let put = |headers| {
        SignableRequest::new("PUT")
            .bucket(BUCKET)
            .key(KEY)
            .headers(headers)
    };
    let cases = vec![
        Case {
            name: "floor",
            run: Box::new(move || {
                let hash = Sha256::digest(black_box(canonical.as_bytes()));
                let mut out = String::with_capacity(128);
                push_hex(&mut out, &hash);
                let mut mac = prepared.clone();
                mac.update(black_box(string_to_sign.as_bytes()));
                push_hex(&mut out, &mac.finalize().into_bytes());
                out.len()
            }),
        },
        presign_case("presign_get", typical),
        presign_case("headers_0", put(h0)),
        presign_case("headers_5", put(h5)),
        presign_case("headers_20", put(h20)),
        presign_case(
            "params_20",
            SignableRequest::new("GET")
                .bucket(BUCKET)
                .key(KEY)
                .query(params20),
        ),
        presign_case(
            "key_1023",
            SignableRequest::new("GET").bucket(BUCKET).key(long_key),
        ),
    ];

    // `--only NAME` loops one case for a few seconds, for `perf record`; with `--calls N`
    // exactly N calls, for `valgrind --tool=callgrind` (instructions per call = the difference
    // of two runs with different N, divided by the difference of N).
    if let Some(only) = std::env::args().skip_while(|a| a != "--only").nth(1) {
        let case = cases.iter().find(|c| c.name == only).unwrap_or(&cases[0]);
        if let Some(calls) = std::env::args()
            .skip_while(|a| a != "--calls")
            .nth(1)
            .and_then(|n| n.parse::<usize>().ok())
        {
            for _ in 0..calls {
                black_box((case.run)());
            }
            return;
        }
        let start = Instant::now();
        while start.elapsed().as_secs() < 4 {
            for _ in 0..calls_per_round {
                black_box((case.run)());
            }
        }
        return;
    }
    // warm-up
    for case in &cases {
        for _ in 0..calls_per_round {
            black_box((case.run)());
        }
    }
    // Each round times every case in a rotated order, each one right after its own batch of
    // the floor, so a case and the floor it is divided by run within a millisecond of each
    // other: bursts of load from other processes hit both.
    let time = |case: &Case| {
        let start = Instant::now();
        for _ in 0..batch {
            black_box((case.run)());
        }
        start.elapsed().as_nanos() as f64 / batch as f64
    };
    let floor_index = 0;
    let mut nanos: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    let mut floor_beside: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        for offset in 0..cases.len() {
            let index = (round + offset) % cases.len();
            floor_beside[index].push(time(&cases[floor_index]));
            nanos[index].push(time(&cases[index]));
        }
    }
    let to_floor = |of: usize| {
        let mut r: Vec<f64> = (0..rounds)
            .map(|i| nanos[of][i] / floor_beside[of][i])
            .collect();
        median(&mut r)
    };
    // Two cases as the ratio of their per-round floor ratios.
    let ratio_to = |of: usize, base: usize| {
        let mut r: Vec<f64> = (0..rounds)
            .map(|i| {
                (nanos[of][i] / floor_beside[of][i]) / (nanos[base][i] / floor_beside[base][i])
            })
            .collect();
        median(&mut r)
    };
    let index = |name: &str| cases.iter().position(|c| c.name == name).unwrap_or(0);
    let (get, h0) = (index("presign_get"), index("headers_0"));

    println!(
        "presign_ratios: {rounds} rounds x {batch} calls per case, each beside a floor batch, rotated order, medians of per-round ratios"
    );
    println!(
        "canonical request {} bytes, string to sign {} bytes",
        sample.canonical_request().len(),
        sample.string_to_sign().len()
    );
    println!(
        "{:<12} {:>10} {:>14} {:>10}",
        "case", "x floor", "x comparison", "ns (here)"
    );
    for (i, case) in cases.iter().enumerate() {
        let comparison = match case.name {
            "headers_5" | "headers_20" => format!("{:.2} x h0", ratio_to(i, h0)),
            "params_20" | "key_1023" => format!("{:.2} x get", ratio_to(i, get)),
            _ => String::new(),
        };
        let mut abs = nanos[i].clone();
        println!(
            "{:<12} {:>10.2} {:>14} {:>10.0}",
            case.name,
            to_floor(i),
            comparison,
            median(&mut abs)
        );
    }
}
