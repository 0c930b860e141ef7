//! Project automation behind `cargo xtask`, as a library so that the conformance suites also run
//! under `cargo test` (see `tests/conformance.rs`).
//!
//! * [`conformance`]: the vector-suite runner behind `cargo xtask conformance`.
//! * [`flags`]: reading `--flag value` command lines.
//! * [`modules`]: the module-cycle check behind `cargo xtask modules`.
//! * [`workspace`]: the workspace root and running a command in it.
//! * [`wasm`]: building the WebAssembly presigner behind `cargo xtask wasm`.
//! * [`wasm_opt`]: binaryen's `wasm-opt` from npm, run on the module by `cargo xtask wasm`.

pub mod conformance;
pub mod flags;
pub mod modules;
pub mod wasm;
pub mod wasm_opt;
pub mod workspace;
