//! The library part of `oss-presign`: what the binary's subcommands share with the workspace's
//! automation. Today that is [`batch`], the conformance harness behind `oss-presign batch` that
//! `cargo xtask conformance` also runs.
//!
//! ```
//! let results = oss_cli::batch::run_json(r#"[{"id": "only-an-id"}]"#)?;
//! assert!(results.contains("only-an-id"));
//! # Ok::<(), oss_cli::batch::BatchError>(())
//! ```

pub mod batch;
