//! Project automation behind `cargo xtask`, as a library so that the conformance suites also run
//! under `cargo test` (see `tests/conformance.rs`).
//!
//! * [`conformance`]: the vector-suite runner behind `cargo xtask conformance`.

pub mod conformance;
