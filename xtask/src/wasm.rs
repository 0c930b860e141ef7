//! `cargo xtask wasm`: builds the WebAssembly presigner (`crates/oss-presign-wasm`) and puts
//! the module where its JavaScript loader finds it, `crates/oss-presign-wasm/js/oss_presign_wasm.wasm`.
//!
//! Needs rustup, cargo and Node with npm: the `wasm32-unknown-unknown` target is added when
//! missing, the module is a plain `cargo build` (no wasm-bindgen), and binaryen's `wasm-opt
//! -Oz` (the npm package `binaryen`, installed once into `target/wasm-tools`) shrinks it
//! ([`crate::wasm_opt`]).

use std::path::PathBuf;
use std::process::Command;

use crate::workspace::{root, run_step};

/// The target the module is built for.
pub const TARGET: &str = "wasm32-unknown-unknown";
/// The cargo profile of the module (size-optimised, see the workspace `Cargo.toml`).
pub const PROFILE: &str = "wasm-release";

/// Where the loader (`js/index.mjs`) finds the module.
///
/// ```
/// assert!(xtask::wasm::module_path().ends_with("crates/oss-presign-wasm/js/oss_presign_wasm.wasm"));
/// ```
pub fn module_path() -> PathBuf {
    root().join("crates/oss-presign-wasm/js/oss_presign_wasm.wasm")
}

/// The Node adapter with the contract of `oss-presign batch`.
///
/// ```
/// assert!(xtask::wasm::batch_script().is_file());
/// ```
pub fn batch_script() -> PathBuf {
    root().join("crates/oss-presign-wasm/js/batch.mjs")
}

/// Installs a rustup target when it is missing (a fresh machine has only the host's).
///
/// ```no_run
/// xtask::wasm::ensure_target_installed("wasm32-unknown-unknown")?;
/// # Ok::<(), String>(())
/// ```
pub fn ensure_target_installed(target: &str) -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map_err(|error| format!("could not run rustup: {error}"))?;
    let listing = String::from_utf8_lossy(&installed.stdout);
    if listing.lines().any(|line| line.trim() == target) {
        return Ok(());
    }
    run_step("rustup", &["target", "add", target], &[])
}

/// Builds the module (adding the target first when missing), runs `wasm-opt` on it and copies
/// it next to the loader; returns its path and size in bytes. Cargo and the optimiser's
/// up-to-date check make this a no-op when nothing changed.
///
/// ```no_run
/// let (path, size) = xtask::wasm::build()?;
/// assert!(path.is_file() && size > 0);
/// # Ok::<(), String>(())
/// ```
pub fn build() -> Result<(PathBuf, u64), String> {
    // Tests of one process build at once; the module is renamed into place, so a Node process
    // reading it never sees half a copy.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    ensure_target_installed(TARGET)?;
    run_step(
        &cargo,
        &[
            "build",
            "-p",
            "oss-presign-wasm",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ],
        &[],
    )?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let built = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join("oss_presign_wasm.wasm");
    let optimized = built.with_extension("opt.wasm");
    let optimized = if crate::wasm_opt::optimize(&built, &optimized)? {
        optimized
    } else {
        built
    };
    let dest = module_path();
    let partial = dest.with_extension(format!("wasm.{}.partial", std::process::id()));
    std::fs::copy(&optimized, &partial)
        .and_then(|_| std::fs::rename(&partial, &dest))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!(
                "cannot copy {} to {}: {e}",
                optimized.display(),
                dest.display()
            )
        })?;
    let size = std::fs::metadata(&dest)
        .map_err(|e| format!("cannot read {}: {e}", dest.display()))?
        .len();
    Ok((dest, size))
}

/// `cargo xtask wasm`: builds the module and reports where it is and its size.
pub fn command(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!("unknown option `{other}`: usage: cargo xtask wasm"));
    }
    let (path, size) = build()?;
    println!(
        "\nwasm module: {} ({size} bytes, {:.1} KiB)",
        path.display(),
        size as f64 / 1024.0
    );
    Ok(())
}
