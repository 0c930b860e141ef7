//! `cargo xtask ci`: the checks every submission must pass.

use std::process::Command;
use xtask::wasm::ensure_target_installed;
use xtask::workspace::run_step;

/// The target used to prove that `oss-sign-core` builds without `std`.
const NO_STD_TARGET: &str = "thumbv7em-none-eabihf";

/// Runs every CI step in order and stops at the first failure.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // No test may ever reach the real ECS metadata service.
    let safe_env = [("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")];

    run_step(&cargo, &["fmt", "--all", "--", "--check"], &[])?;
    run_step(
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    // The WebAssembly presigner (oss-sign-core and oss-client's presign path for
    // wasm32-unknown-unknown), next to its loader, built before the tests: the browser tests
    // (oss-cli's tests/browser) load it into a page, xtask's tests run its JS wrapper, and the
    // conformance suite `wasm` below runs it in Node.
    println!("\n==> cargo xtask wasm");
    xtask::wasm::command(&[])?;
    // --all-features turns on oss-credentials' `http` providers, whose tests use loopback servers.
    run_step(
        &cargo,
        &["test", "--workspace", "--all-features"],
        &safe_env,
    )?;
    check_no_http_stack(&cargo)?;
    ensure_target_installed(NO_STD_TARGET)?;
    run_step(
        &cargo,
        &[
            "build",
            "-p",
            "oss-sign-core",
            "--no-default-features",
            "--target",
            NO_STD_TARGET,
        ],
        &[],
    )?;
    run_step(
        &cargo,
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    ensure_cargo_deny(&cargo)?;
    // Advisories need the internet; they are left to the user's own CI.
    run_step(
        &cargo,
        &["deny", "check", "bans", "licenses", "sources"],
        &[],
    )?;
    // Every crate is free of module cycles: a new one fails CI.
    println!("\n==> cargo xtask modules");
    xtask::modules::command(&[])?;
    println!("\n==> cargo xtask conformance");
    xtask::conformance::command(&[])?;
    println!("\nxtask ci: all checks passed");
    Ok(())
}

/// Users of the environment and file providers must not compile an HTTP stack: without its
/// `http` feature, `oss-credentials` may not depend on hyper or tokio.
fn check_no_http_stack(cargo: &str) -> Result<(), String> {
    println!("\n==> cargo tree -p oss-credentials --no-default-features (no hyper, no tokio)");
    let output = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "oss-credentials",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(xtask::workspace::root())
        .output()
        .map_err(|error| format!("could not run cargo tree: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let offending: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or("");
            matches!(name, "hyper" | "tokio" | "hyper-util" | "hyper-rustls")
        })
        .collect();
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "oss-credentials without `http` depends on {}",
            offending.join(", ")
        ))
    }
}

/// Installs cargo-deny from crates.io when it is missing (a fresh machine has none).
fn ensure_cargo_deny(cargo: &str) -> Result<(), String> {
    let installed = Command::new(cargo)
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    println!("\ncargo-deny is missing: installing it from crates.io (once; a few minutes)");
    // Installed from outside the workspace so the pinned toolchain file does not matter.
    let status = Command::new(cargo)
        .args(["install", "cargo-deny", "--locked"])
        .current_dir(std::env::temp_dir())
        .status()
        .map_err(|error| format!("could not run cargo install: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "installing cargo-deny failed ({status}): install it with `cargo install cargo-deny --locked`"
        ))
    }
}
