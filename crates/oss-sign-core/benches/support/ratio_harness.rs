//! What both `presign_ratios` benches share (this crate's and oss-client's, which includes this
//! file by path, so sign-core never depends on the client): the workload, the crypto floor
//! every V4 presigner pays, and the timing of each case beside a floor batch in rotated order.
#![allow(dead_code)]

use std::hint::black_box;
use std::time::Instant;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub(crate) const SECRET: &str = "ExampleSecretKey1234567890abcdef";
pub(crate) const AK: &str = "LTAI5tExampleAccessKeyId";
pub(crate) const REGION: &str = "cn-hangzhou";
pub(crate) const BUCKET: &str = "examplebucket";
pub(crate) const KEY: &str = "photos/2024/11/holiday img_1234.jpg";

/// One timed case: its name and a call returning something to keep.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) run: Box<dyn Fn() -> usize>,
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `--rounds N`, else `default`.
pub(crate) fn rounds_arg(default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Pairs that live as long as the bench (requests borrow them).
pub(crate) fn leak(v: Vec<(String, String)>) -> &'static [(&'static str, &'static str)] {
    let v: Vec<(&'static str, &'static str)> = v
        .into_iter()
        .map(|(n, v)| (&*n.leak(), &*v.leak()))
        .collect();
    v.leak()
}

/// `n` headers `x-oss-meta-field-NN: value number N`.
pub(crate) fn meta(n: usize) -> &'static [(&'static str, &'static str)] {
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
}

/// 20 query parameters `param-NN=value N/x`.
pub(crate) fn params_20() -> &'static [(&'static str, &'static str)] {
    leak(
        (0..20)
            .map(|i| (format!("param-{i:02}"), format!("value {i}/x")))
            .collect(),
    )
}

/// A 1023-byte object key.
pub(crate) fn long_key() -> &'static str {
    "photos/2024/holiday img_".repeat(43)[..1023]
        .to_owned()
        .leak()
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

/// The floor for the typical GET: SHA-256 of its canonical request, HMAC-SHA256 (key states
/// precomputed, as a presigner that reuses its key has them) of its string to sign, both hex.
pub(crate) fn floor_case(canonical: String, string_to_sign: String) -> Case {
    let mut day_key = Hmac::<Sha256>::new_from_slice(b"aliyun_v4ExampleSecret")
        .unwrap_or_else(|_| unreachable!());
    day_key.update(b"20241112");
    let prepared: Hmac<Sha256> =
        Hmac::new_from_slice(&day_key.finalize().into_bytes()).unwrap_or_else(|_| unreachable!());
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
    }
}

/// `--only NAME`: loops that case (`calls` at a time) for about 4 s, for `perf record`, or
/// exactly N times with `--calls N` (for callgrind), and
/// says so.
pub(crate) fn run_only(cases: &[Case], calls: usize) -> bool {
    let Some(only) = std::env::args().skip_while(|a| a != "--only").nth(1) else {
        return false;
    };
    let case = cases.iter().find(|c| c.name == only).unwrap_or(&cases[0]);
    // With `--calls N`, exactly N calls, for `valgrind --tool=callgrind` (instructions per call
    // = the difference of two runs with different N, divided by the difference of N).
    if let Some(calls) = std::env::args()
        .skip_while(|a| a != "--calls")
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
    {
        for _ in 0..calls {
            black_box((case.run)());
        }
        return true;
    }
    let start = Instant::now();
    while start.elapsed().as_secs() < 4 {
        for _ in 0..calls {
            black_box((case.run)());
        }
    }
    true
}

/// The index of the case named `name` (0, the floor, when there is none).
pub(crate) fn index_of(cases: &[Case], name: &str) -> usize {
    cases.iter().position(|c| c.name == name).unwrap_or(0)
}

/// Prints the report's first two lines: `title`, how it was timed, and (after `sample_label`)
/// the sizes of the typical GET's canonical request and string to sign.
pub(crate) fn print_heading(
    title: &str,
    rounds: usize,
    batch: usize,
    sample_label: &str,
    canonical_request: &str,
    string_to_sign: &str,
) {
    println!(
        "{title}: {rounds} rounds x {batch} calls per case, each beside a floor batch, rotated order, medians of per-round ratios"
    );
    println!(
        "{sample_label}canonical request {} bytes, string to sign {} bytes",
        canonical_request.len(),
        string_to_sign.len()
    );
}

/// Runs every case `calls` times.
pub(crate) fn warm_up(cases: &[Case], calls: usize) {
    for case in cases {
        for _ in 0..calls {
            black_box((case.run)());
        }
    }
}

/// Nanoseconds per call of every case in every round, and of the floor batch timed right
/// before it (`cases[0]` is the floor).
pub(crate) struct Timings {
    pub(crate) rounds: usize,
    pub(crate) nanos: Vec<Vec<f64>>,
    pub(crate) floor_beside: Vec<Vec<f64>>,
}

impl Timings {
    /// Each round times every case in a rotated order, each one right after its own batch of
    /// the floor, so a case and the floor it is divided by run within a millisecond of each
    /// other: bursts of load from other processes hit both.
    pub(crate) fn measure(cases: &[Case], rounds: usize, batch: usize) -> Self {
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
        Self {
            rounds,
            nanos,
            floor_beside,
        }
    }

    /// Case `of` over its floor, per round.
    pub(crate) fn per_round(&self, of: usize) -> Vec<f64> {
        (0..self.rounds)
            .map(|i| self.nanos[of][i] / self.floor_beside[of][i])
            .collect()
    }

    /// The median of case `of` over its floor.
    pub(crate) fn to_floor(&self, of: usize) -> f64 {
        median(&mut self.per_round(of))
    }

    /// Two cases as the median ratio of their per-round floor ratios.
    pub(crate) fn ratio_to(&self, of: usize, base: usize) -> f64 {
        let (a, b) = (self.per_round(of), self.per_round(base));
        let mut r: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
        median(&mut r)
    }

    /// The median absolute time of case `of` (for scale on this machine only).
    pub(crate) fn absolute(&self, of: usize) -> f64 {
        median(&mut self.nanos[of].clone())
    }
}
