//! Project automation, run as `cargo xtask <command>`.
//!
//! * `ci`: every check a submission must pass (formatting, clippy with warnings denied, the
//!   whole test suite, the `no_std` build of `oss-sign-core`, rustdoc with warnings denied, the
//!   module-cycle check, the conformance suites).
//! * `conformance [--suite NAME] [--dir PATH] [--json FILE] [--list]`: runs the vector suites.
//! * `wasm`: builds the WebAssembly presigner next to its JavaScript loader (`--fast`: the
//!   faster, larger build).
//! * `modules [--report] [--root FILE]`: fails if a module imports one that imports it back
//!   (a cycle), printing each cycle with the imports that make it.

use std::env;
use std::process::ExitCode;

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
        "modules" => xtask::modules::command(&args[1..]),
        "soak" => soak::run(&args[1..]),
        "fuzz" => fuzz::run(&args[1..]),
        "wasm" => xtask::wasm::command(&args[1..]),
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
    "usage: cargo xtask <command>\n\ncommands:\n  ci           run every CI check (fmt, clippy, tests, no_std build, docs, module cycles, conformance)\n  conformance  run the vector suites: [--suite NAME] [--dir PATH] [--json FILE] [--list]\n  modules      fail on module import cycles (print each one): [--report] [--root FILE]\n  soak         the long download and upload fault soaks: [--downloads N] [--uploads N] [--seed S]\n  fuzz         run the cargo-fuzz targets (nightly): [--seconds N] [--target NAME]... [--list]\n  wasm         build the WebAssembly presigner into crates/oss-presign-wasm/js/ (adds the wasm32 target when missing): [--fast]"
}
