//! The workspace xtask works on: its root folder, and running a command there.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of the `xtask` folder).
///
/// ```
/// assert!(xtask::workspace::root().join("Cargo.toml").is_file());
/// ```
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `program args...` in the workspace root with `envs` added, echoing the command; fails
/// on a non-zero exit.
///
/// ```
/// xtask::workspace::run_step("cargo", &["--version"], &[])?;
/// assert!(xtask::workspace::run_step("cargo", &["no-such-subcommand-xyz"], &[]).is_err());
/// # Ok::<(), String>(())
/// ```
pub fn run_step(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    println!("\n==> {program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    for (name, value) in envs {
        command.env(name, value);
    }
    let status = command
        .status()
        .map_err(|error| format!("could not start `{program}`: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}
