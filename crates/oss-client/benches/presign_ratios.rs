//! Presign cost as ratios to its crypto floor, `oss-sign-core` and `Client::presign` side by
//! side in the same run, with the allocations per call (issue 17).
//!
//! `cargo bench -p oss-client --bench presign_ratios` (about 20 s; `-- --rounds N` for more,
//! `-- --only client_h20` to loop one case under `perf record`)
//!
//! The floor is what every V4 presigner pays for the typical GET: SHA-256 of its canonical
//! request, HMAC-SHA256 (key states precomputed) of its string to sign, and both as hex. Each
//! round times every case right after a batch of the floor, in an order rotated from round to
//! round, and divides by that floor batch; the report gives the median of the per-round ratios
//! (and the median absolute time, for scale on this machine only). Series: `h0/h5/h20` (PUT
//! with 0, 5, 20 `x-oss-meta-*` headers, compared with `h0`), `p20` (GET with 20 query
//! parameters, compared with `get`), `key1023` (GET of a 1023-byte key), each through
//! `oss_sign_core::v4::presign` (`core_*`) and `Client::presign` (`client_*`, static
//! credentials, signing key cached). `allocs` counts heap allocations per call with a counting
//! global allocator (`stats_alloc`).

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

use std::alloc::System;
use std::hint::black_box;
use std::time::Instant;

use hmac::{Hmac, Mac};
use oss_client::{Client, Config, FixedClock, ObjectRequest, SigningTime};
use oss_credentials::Credentials;
use oss_sign_core::{v4, SignableRequest};
use sha2::{Digest, Sha256};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

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

type Run = Box<dyn Fn() -> usize>;

struct Case {
    name: &'static str,
    run: Run,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn leak(v: Vec<(String, String)>) -> &'static [(&'static str, &'static str)] {
    let v: Vec<(&'static str, &'static str)> = v
        .into_iter()
        .map(|(n, v)| (&*n.leak(), &*v.leak()))
        .collect();
    v.leak()
}

fn main() {
    let rounds: usize = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(151);
    let batch = 250;

    let t = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|_| unreachable!());
    let key: &'static v4::SigningKey =
        Box::leak(Box::new(v4::SigningKey::derive(SECRET, t, REGION, "oss")));
    let params: &'static v4::PresignParams<'static> =
        Box::leak(Box::new(v4::PresignParams::new(AK, REGION, t, 900)));
    let credentials = Credentials::new(AK, SECRET).unwrap_or_else(|_| unreachable!());
    let client: &'static Client = Box::leak(Box::new(Client::new(
        Config::builder()
            .region(REGION)
            .credentials(credentials)
            .clock(FixedClock::new(t))
            .build()
            .unwrap_or_else(|_| unreachable!()),
    )));

    let get_query = leak(vec![(
        "response-content-disposition".into(),
        "attachment".into(),
    )]);
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
    let params20 = leak(
        (0..20)
            .map(|i| (format!("param-{i:02}"), format!("value {i}/x")))
            .collect(),
    );
    let long_key: &'static str = "photos/2024/holiday img_".repeat(43)[..1023]
        .to_owned()
        .leak();

    // (name, method, key, query, headers) of each series point
    let points: Vec<(&str, &str, &'static str, _, _)> = vec![
        ("get", "GET", KEY, get_query, meta(0)),
        ("h0", "PUT", KEY, &[][..], meta(0)),
        ("h5", "PUT", KEY, &[][..], meta(5)),
        ("h20", "PUT", KEY, &[][..], meta(20)),
        ("p20", "GET", KEY, params20, meta(0)),
        ("key1023", "GET", long_key, &[][..], meta(0)),
    ];

    let typical = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(KEY)
        .query(get_query);
    let sample = v4::presign(&typical, params, key).unwrap_or_else(|_| unreachable!());
    let canonical = sample.canonical_request().to_owned();
    let string_to_sign = sample.string_to_sign().to_owned();
    let mut day_key = Hmac::<Sha256>::new_from_slice(b"aliyun_v4ExampleSecret")
        .unwrap_or_else(|_| unreachable!());
    day_key.update(b"20241112");
    let prepared: Hmac<Sha256> =
        Hmac::new_from_slice(&day_key.finalize().into_bytes()).unwrap_or_else(|_| unreachable!());

    let mut cases = vec![Case {
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
    }];
    let mut names: Vec<String> = Vec::new();
    for (name, method, object_key, query, headers) in &points {
        let request = SignableRequest::new(method)
            .bucket(BUCKET)
            .key(object_key)
            .query(query)
            .headers(headers);
        let core_name: &'static str = format!("core_{name}").leak();
        cases.push(Case {
            name: core_name,
            run: Box::new(move || {
                v4::presign(black_box(&request), black_box(params), black_box(key))
                    .map(|p| {
                        let mut url = String::with_capacity(p.canonical_query().len() + 200);
                        url.push_str("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k?");
                        p.write_url_query(&mut url);
                        url.len()
                    })
                    .unwrap_or(0)
            }),
        });
        let mut object = ObjectRequest::new(*method, BUCKET, *object_key);
        object.parameters = query
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        object.headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let client_name: &'static str = format!("client_{name}").leak();
        cases.push(Case {
            name: client_name,
            run: Box::new(move || {
                client
                    .presign(black_box(&object))
                    .map(|r| r.url().len())
                    .unwrap_or(0)
            }),
        });
        names.push((*name).to_owned());
    }
    for case in &cases {
        assert!((case.run)() > 0, "{} failed", case.name);
    }

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
            for _ in 0..1000 {
                black_box((case.run)());
            }
        }
        return;
    }

    // Allocations per call (the counter is process-wide; nothing else runs meanwhile).
    let allocations: Vec<f64> = cases
        .iter()
        .map(|case| {
            let region = Region::new(GLOBAL);
            for _ in 0..100 {
                black_box((case.run)());
            }
            region.change().allocations as f64 / 100.0
        })
        .collect();

    for case in &cases {
        for _ in 0..2000 {
            black_box((case.run)());
        }
    }
    let time = |case: &Case| {
        let start = Instant::now();
        for _ in 0..batch {
            black_box((case.run)());
        }
        start.elapsed().as_nanos() as f64 / batch as f64
    };
    let mut nanos: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    let mut floor_beside: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        for offset in 0..cases.len() {
            let index = (round + offset) % cases.len();
            floor_beside[index].push(time(&cases[0]));
            nanos[index].push(time(&cases[index]));
        }
    }
    let per_round = |of: usize| -> Vec<f64> {
        (0..rounds)
            .map(|i| nanos[of][i] / floor_beside[of][i])
            .collect()
    };
    let ratio_to = |of: usize, base: usize| {
        let (a, b) = (per_round(of), per_round(base));
        let mut r: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
        median(&mut r)
    };
    let index = |name: &str| cases.iter().position(|c| c.name == name).unwrap_or(0);

    println!(
        "presign_ratios (oss-client): {rounds} rounds x {batch} calls per case, each beside a floor batch, rotated order, medians of per-round ratios"
    );
    println!(
        "typical GET: canonical request {} bytes, string to sign {} bytes",
        sample.canonical_request().len(),
        sample.string_to_sign().len()
    );
    println!(
        "{:<16} {:>8} {:>18} {:>18} {:>8} {:>10}",
        "case", "x floor", "x series base", "client x core", "allocs", "ns (here)"
    );
    for (i, case) in cases.iter().enumerate() {
        let (prefix, point) = case.name.split_once('_').unwrap_or(("", case.name));
        let series = match point {
            "h5" | "h20" => format!(
                "{:.2} x {prefix}_h0",
                ratio_to(i, index(&format!("{prefix}_h0")))
            ),
            "p20" | "key1023" => format!(
                "{:.2} x {prefix}_get",
                ratio_to(i, index(&format!("{prefix}_get")))
            ),
            _ => String::new(),
        };
        let versus_core = if prefix == "client" {
            format!("{:.2}", ratio_to(i, index(&format!("core_{point}"))))
        } else {
            String::new()
        };
        let mut abs = nanos[i].clone();
        println!(
            "{:<16} {:>8.2} {:>18} {:>18} {:>8.1} {:>10.0}",
            case.name,
            median(&mut per_round(i)),
            series,
            versus_core,
            allocations[i],
            median(&mut abs)
        );
    }
}
