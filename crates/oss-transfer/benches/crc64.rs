//! CRC-64/XZ throughput: `crc64fast` (SIMD, what oss-transfer uses) against the table-driven
//! `crc` crate, plus the cost of combining part CRCs.
//!
//! Run: `cargo bench -p oss-transfer --bench crc64`

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn crc_implementations(c: &mut Criterion) {
    let data: Vec<u8> = (0..(4usize << 20)).map(|i| (i * 131 % 251) as u8).collect();
    let mut group = c.benchmark_group("crc64_xz_4MiB");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("crc64fast", |b| {
        b.iter(|| oss_transfer::crc64::checksum(black_box(&data)))
    });
    let table = crc::Crc::<u64>::new(&crc::CRC_64_XZ);
    group.bench_function("crc_crate_table", |b| {
        b.iter(|| table.checksum(black_box(&data)))
    });
    group.finish();

    let mut group = c.benchmark_group("crc64_combine");
    for len in [8u64 << 20, 1 << 30] {
        group.bench_with_input(BenchmarkId::from_parameter(len), &len, |b, &len| {
            b.iter(|| oss_transfer::crc64::combine(black_box(0x1234), black_box(0x5678), len))
        });
    }
    group.finish();
}

criterion_group!(benches, crc_implementations);
criterion_main!(benches);
