//! Presign benchmarks (being written).
fn main() {}
