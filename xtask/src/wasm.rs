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

/// The module's size budget (issue 15: under 200 KiB): `cargo xtask wasm` (and so `cargo
/// xtask ci`) fails when the built module is this size or larger.
pub const SIZE_BUDGET: u64 = 200 * 1024;

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

/// The `--config` argument that gives the module's build a `--remap-path-prefix` for each
/// source folder of the cargo registry (`$CARGO_HOME/registry/src/*`): the panic locations
/// of dependencies then read `sha2-0.10.9/src/...` instead of this machine's cargo home, so
/// the module is the same wherever it is built (and 0.5 KB smaller). `None` when there is no
/// registry folder to remap.
///
/// ```
/// if let Some(config) = xtask::wasm::registry_remap_config() {
///     assert!(config.starts_with("target.wasm32-unknown-unknown.rustflags=["));
///     assert!(config.contains("--remap-path-prefix="));
/// }
/// ```
pub fn registry_remap_config() -> Option<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let mut folders: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry/src"))
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let flags: Vec<String> = folders
        .iter()
        .filter_map(|folder| folder.to_str())
        .map(|folder| {
            let flag = format!("--remap-path-prefix={folder}/=");
            // A TOML basic string.
            format!("\"{}\"", flag.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect();
    if flags.is_empty() {
        return None;
    }
    Some(format!("target.{TARGET}.rustflags=[{}]", flags.join(", ")))
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
    build_with(&[])
}

/// The `--config` arguments of `cargo xtask wasm --fast`: the two signing crates at
/// opt-level 2 instead of `z`, a presign about 1.2x faster for a module 32 KB larger (over
/// the size budget; docs/wasm.md).
pub const FAST_CONFIG: &[&str] = &[
    "profile.wasm-release.package.oss-sign-core.opt-level=2",
    "profile.wasm-release.package.oss-client.opt-level=2",
];

/// [`build`] with [`FAST_CONFIG`]: the faster, larger module, in the same place.
///
/// ```no_run
/// let (path, size) = xtask::wasm::build_fast()?;
/// assert!(size > xtask::wasm::SIZE_BUDGET);
/// # Ok::<(), String>(())
/// ```
pub fn build_fast() -> Result<(PathBuf, u64), String> {
    build_with(FAST_CONFIG)
}

fn build_with(configs: &[&str]) -> Result<(PathBuf, u64), String> {
    // Tests of one process build at once; the module is renamed into place, so a Node process
    // reading it never sees half a copy.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    ensure_target_installed(TARGET)?;
    let remap = registry_remap_config();
    let mut args = vec![
        "build",
        "-p",
        "oss-presign-wasm",
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ];
    if let Some(config) = &remap {
        args.extend(["--config", config.as_str()]);
    }
    for config in configs {
        args.extend(["--config", config]);
    }
    run_step(&cargo, &args, &[])?;
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

/// `cargo xtask wasm [--fast]`: builds the module (the small one, or with `--fast` the faster
/// one of [`build_fast`]) and reports where it is and its size; the small module over
/// [`SIZE_BUDGET`] is an error.
pub fn command(args: &[String]) -> Result<(), String> {
    let fast = match args {
        [] => false,
        [flag] if flag == "--fast" => true,
        [other, ..] => {
            return Err(format!(
                "unknown option `{other}`: usage: cargo xtask wasm [--fast]"
            ))
        }
    };
    let (path, size) = if fast { build_fast()? } else { build()? };
    println!(
        "\nwasm module: {} ({size} bytes, {:.1} KiB)",
        path.display(),
        size as f64 / 1024.0
    );
    if fast {
        println!("(--fast: the signing crates at opt-level 2; `cargo xtask wasm` builds the small module again)");
    } else if !crate::wasm_opt::is_installed() {
        // No npm, so no wasm-opt: the budget is for the optimised module, and the warning
        // above already said this one is larger.
        eprintln!("warning: the size budget ({SIZE_BUDGET} bytes) is not checked without wasm-opt");
    } else if size >= SIZE_BUDGET {
        return Err(format!(
            "the wasm module is {size} bytes, over its budget of {SIZE_BUDGET} (200 KiB): \
             docs/wasm.md says where its bytes go and how to find what grew"
        ));
    }
    Ok(())
}
