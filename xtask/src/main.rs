//! Project automation, run as `cargo xtask <command>`.
//!
//! * `ci`: every check a submission must pass (formatting, clippy with warnings denied, the
//!   whole test suite, the `no_std` build of `oss-sign-core`, rustdoc with warnings denied, the
//!   conformance suites).
//! * `conformance [--suite NAME] [--dir PATH] [--json FILE] [--list]`: runs the vector suites.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod ci;
mod fuzz;
mod soak;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{}", usage());
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "ci" => ci::run(&args[1..]),
        "conformance" => xtask::conformance::command(&args[1..]),
        "soak" => soak::run(&args[1..]),
        "fuzz" => fuzz::run(&args[1..]),
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask <command>\n\ncommands:\n  ci           run every CI check (fmt, clippy, tests, no_std build, docs, conformance)\n  conformance  run the vector suites: [--suite NAME] [--dir PATH] [--json FILE] [--list]\n  soak         the long download fault soak: [--downloads N] [--seed S]\n  fuzz         run the cargo-fuzz targets (nightly): [--seconds N] [--target NAME]... [--list]"
}

/// The workspace root (the parent of the `xtask` folder).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `program args...` in the workspace root, echoing the command; fails on a non-zero exit.
pub(crate) fn run_step(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    println!("\n==> {program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args).current_dir(workspace_root());
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
