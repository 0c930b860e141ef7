//! Presigning throughput from 1, 2, 4, 16 and 64 threads sharing one `Client` (and its
//! signing-key cache). Criterion reports presigns per second ("elements") for each thread
//! count: on a machine with N cores the figure should grow up to N threads and then stay flat
//! (no lock contention collapse).
//!
//! Run with `cargo bench -p oss-client --bench threads`.

#[path = "support/example_client.rs"]
mod example_client;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use example_client::example_client;
use oss_client::GetObjectRequest;

fn threads(c: &mut Criterion) {
    let client = example_client();
    let request = GetObjectRequest::new("examplebucket", "photos/2024/11/holiday img_1234.jpg");
    let mut group = c.benchmark_group("presign_threads");
    group.measurement_time(Duration::from_secs(4));
    for threads in [1usize, 2, 4, 16, 64] {
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_with_input(BenchmarkId::from_parameter(threads), &threads, |b, &n| {
            // Each of `n` threads presigns `iters` times; the wall time of the whole batch is
            // reported, so one "iteration" is `n` presigns made concurrently.
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|scope| {
                    for _ in 0..n {
                        scope.spawn(|| {
                            for _ in 0..iters {
                                black_box(client.presign(black_box(&request)).ok());
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();
}

mod groups {
    #![allow(missing_docs)]
    use super::*;
    criterion_group!(benches, threads);
}

criterion_main!(groups::benches);
