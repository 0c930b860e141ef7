//! `oss-presign batch`: conformance cases in (stdin), results out (stdout).
//!
//! The case and result formats are those of `conformance/client/FORMAT.md`; the work is done
//! by `oss_client::batch`, which signs each case through the client API with the case's
//! signing time as the client's clock. A refused case is an `error` result; the command
//! fails (exit 1) only when stdin cannot be read as a JSON array.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Args;

/// Examples shown by `oss-presign batch --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # the conformance cases of the repository, results as a JSON array
  oss-presign batch < conformance/client/presign-cases.json > results.json";

/// Options of `oss-presign batch` (none yet: input is stdin, output is stdout).
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {}

pub(crate) fn run(_args: BatchArgs) -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        say_err!("error: cannot read the cases from stdin (UTF-8 JSON expected): {e}");
        return ExitCode::FAILURE;
    }
    let output = match oss_client::batch::run_json(&input) {
        Ok(output) => output,
        Err(e) => {
            say_err!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{output}").and_then(|()| stdout.flush()) {
        say_err!("error: cannot write the results: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
