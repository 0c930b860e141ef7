//! binaryen's `wasm-opt`, from the npm package `binaryen` (crates.io and npm are all a fresh
//! machine reaches; the package is binaryen compiled to JavaScript and WebAssembly, so it
//! needs nothing but Node). `cargo xtask wasm` runs it on the module cargo built: `-Oz` took
//! a further 17% off (figures in docs/wasm.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace::root;

/// The npm package and the version `cargo xtask wasm` installs.
pub const PACKAGE: &str = "binaryen@132.0.0";

/// The passes: `-Oz` (size), the WebAssembly features Rust's `wasm32-unknown-unknown` target
/// enables by default (which wasm-opt must accept, and may use), and nothing left of the
/// producers section. `--low-memory-unused`: no load or store reaches the first 1,024 bytes
/// (Rust's stack ends at 1 MiB, the data follows it), so wasm-opt may fold constant offsets
/// into the memory instructions (2 KB less).
pub const ARGS: &[&str] = &[
    "-Oz",
    "--low-memory-unused",
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
    "--strip-debug",
    "--strip-producers",
];

/// Where the package is installed: `target/wasm-tools` (per worktree, outside git).
///
/// ```
/// assert!(xtask::wasm_opt::tools_dir().ends_with("target/wasm-tools"));
/// ```
pub fn tools_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("wasm-tools")
}

/// Whether the package's `wasm-opt` script is installed (without installing it).
///
/// ```no_run
/// if xtask::wasm_opt::is_installed() {
///     assert!(xtask::wasm_opt::tools_dir().join("node_modules/binaryen/bin/wasm-opt").is_file());
/// }
/// ```
pub fn is_installed() -> bool {
    script_path().is_file()
}

fn script_path() -> PathBuf {
    tools_dir().join("node_modules/binaryen/bin/wasm-opt")
}

/// The `wasm-opt` script of the installed package, installing it with npm when missing;
/// `None` when there is no `npm` to install it with (the caller keeps the unoptimised module).
///
/// ```no_run
/// let wasm_opt = xtask::wasm_opt::ensure_installed()?;
/// assert!(wasm_opt.is_some_and(|script| script.is_file()));
/// # Ok::<(), String>(())
/// ```
pub fn ensure_installed() -> Result<Option<PathBuf>, String> {
    let dir = tools_dir();
    let script = script_path();
    if script.is_file() {
        return Ok(Some(script));
    }
    println!(
        "\nwasm-opt is missing: installing {PACKAGE} from npm into {} (once)",
        dir.display()
    );
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let status = match Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&dir)
        .arg(PACKAGE)
        .status()
    {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "warning: no npm to install {PACKAGE} with: the module is left as cargo built it \
                 (about 60% larger); install Node with npm to optimise it"
            );
            return Ok(None);
        }
        Err(e) => return Err(format!("cannot run npm: {e}")),
    };
    if !status.success() || !script.is_file() {
        return Err(format!(
            "installing {PACKAGE} failed ({status}): run `npm install --prefix {} {PACKAGE}`",
            dir.display()
        ));
    }
    Ok(Some(script))
}

/// Optimises `input` into `output` with [`ARGS`]; nothing is done when `output` is newer
/// than `input` (the module did not change since the last run). False when there is no npm
/// to install `wasm-opt` with (see [`ensure_installed`]): `output` is not written then.
///
/// ```no_run
/// use std::path::Path;
/// let optimized = xtask::wasm_opt::optimize(Path::new("in.wasm"), Path::new("out.wasm"))?;
/// # Ok::<(), String>(())
/// ```
pub fn optimize(input: &Path, output: &Path) -> Result<bool, String> {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if let (Some(made), Some(built)) = (modified(output), modified(input)) {
        if made >= built {
            return Ok(true);
        }
    }
    let Some(script) = ensure_installed()? else {
        return Ok(false);
    };
    let partial = output.with_extension(format!("wasm.{}.partial", std::process::id()));
    println!("\n==> wasm-opt {} {}", ARGS.join(" "), input.display());
    let status = Command::new("node")
        .arg(&script)
        .args(ARGS)
        .arg(input)
        .arg("-o")
        .arg(&partial)
        .status()
        .map_err(|e| format!("cannot run node {}: {e}", script.display()))?;
    if !status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("wasm-opt failed ({status}) on {}", input.display()));
    }
    std::fs::rename(&partial, output).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!(
            "cannot rename {} to {}: {e}",
            partial.display(),
            output.display()
        )
    })?;
    Ok(true)
}
