//! `oss-presign batch`: conformance cases in (stdin), results out (stdout).
//!
//! The case and result formats are those of `conformance/client/FORMAT.md`; the work is done
//! by `oss_cli::batch`, which signs each case through the client API with the case's
//! signing time as the client's clock. The input is read one case at a time and each result
//! written as soon as it is made, so memory does not grow with the input. A refused case is an
//! `error` result; input that is not a JSON array exits 2 naming the line and column (the
//! results written before that point stay on stdout); a failed write exits 1.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use oss_cli::batch::{self, BatchErrorKind};

use crate::exit_code;

/// Examples shown by `oss-presign batch --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # the conformance cases of the repository, results as a JSON array
  oss-presign batch < conformance/client/presign-cases.json > results.json";

/// Options of `oss-presign batch` (none yet: input is stdin, output is stdout).
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {}

pub(crate) fn run(_args: BatchArgs) -> ExitCode {
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let code = match batch::run_stream(stdin, &mut stdout) {
        Ok(_) => match writeln!(stdout).and_then(|()| stdout.flush()) {
            Ok(()) => exit_code::OK,
            Err(e) => {
                say_err!("error: cannot write the results: {e}");
                exit_code::INTERNAL
            }
        },
        Err(e) => {
            // The results made before the failure go out first, then the message.
            let _ = stdout.flush();
            say_err!("error: {e}");
            match e.kind() {
                BatchErrorKind::Input => exit_code::USAGE,
                _ => exit_code::INTERNAL,
            }
        }
    };
    ExitCode::from(code)
}
