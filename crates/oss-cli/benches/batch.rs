//! The `batch` logic (`oss-presign batch`, the conformance harness) over the published
//! conformance cases: already parsed, and JSON in to JSON out as the command does it.
//!
//! Run with `cargo bench -p oss-cli --bench batch`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn batch_conformance(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/client/presign-cases.json");
    let input = std::fs::read_to_string(&path).expect("conformance cases");
    let cases: Vec<serde_json::Value> = serde_json::from_str(&input).expect("JSON");

    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("conformance_cases_parsed", |b| {
        b.iter(|| oss_cli::batch::run_values(black_box(&cases)))
    });
    group.bench_function("conformance_cases_json_in_out", |b| {
        b.iter(|| oss_cli::batch::run_json(black_box(&input)).expect("batch"))
    });
    group.finish();
}

mod groups {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, batch_conformance);
}

criterion_main!(groups::benches);
