//! The process exit codes of every subcommand, and the failure type that carries one.

use std::fmt;
use std::process::ExitCode;

/// Success.
pub(crate) const OK: u8 = 0;
/// An unexpected failure (cannot start the runtime, cannot write the output).
pub(crate) const INTERNAL: u8 = 1;
/// A usage error: an unknown flag, a bad value, a URL that cannot be read.
pub(crate) const USAGE: u8 = 2;
/// No usable credentials (the default chain found none, or they are refused).
pub(crate) const CREDENTIALS: u8 = 3;
/// `url --list`: some lines could not be presigned (each is reported on stderr with its line
/// number; the others were printed).
pub(crate) const SOME_FAILED: u8 = 4;
/// The presigned URL has expired.
pub(crate) const EXPIRED: u8 = 10;
/// The signature does not match (SignatureDoesNotMatch).
pub(crate) const SIGNATURE_MISMATCH: u8 = 11;
/// The URL is refused for another reason: access denied, unknown access key, signed in the
/// future, malformed signature parameters, another region's scope, a signed header not sent.
pub(crate) const REFUSED: u8 = 12;
/// The object or bucket does not exist (NoSuchKey, NoSuchBucket).
pub(crate) const NOT_FOUND: u8 = 13;
/// The bytes failed the CRC-64 or length check, the object changed during the download, or
/// the server stored or acknowledged an upload differently.
pub(crate) const INTEGRITY: u8 = 14;
/// Another HTTP error status, or an answer that makes no sense.
pub(crate) const HTTP_ERROR: u8 = 15;
/// Connecting, TLS, a timeout or a broken connection (after retries).
pub(crate) const NETWORK: u8 = 20;
/// Reading or writing local files (or another download holds the target's lock).
pub(crate) const LOCAL_IO: u8 = 21;
/// Cancelled by SIGINT (Ctrl-C); SIGTERM gives 143 (128 + the signal number, as shells do).
pub(crate) const INTERRUPTED: u8 = 130;

/// The table shown by `--help` and in docs/cli.md.
pub(crate) const TABLE: &str = "\
Exit codes:
   0  success (for verify: the URL is valid now)
   1  unexpected failure (cannot start the runtime or write the output)
   2  usage error: bad flag or value, unreadable URL
   3  no usable credentials
   4  url --list: some lines failed (each reported on stderr with its line number)
  10  the URL has expired
  11  the signature does not match (SignatureDoesNotMatch)
  12  refused otherwise: access denied, unknown access key, not yet valid, malformed
      signature parameters, another region, a signed header not sent
  13  not found: NoSuchKey / NoSuchBucket
  14  integrity: CRC-64 or length mismatch, object changed during the download, or
      an upload the server stored or acknowledged differently
  15  another HTTP error status or a nonsensical answer
  20  network: connect, TLS, timeout, broken connection (after retries)
  21  local file I/O, or another download into the same target is running
 130  get, put: interrupted by Ctrl-C (SIGINT); 143 for SIGTERM";

/// The exit code of a failed transfer: `$kind`, a `$Kind` (`DownloadErrorKind`,
/// `UploadErrorKind`), by the table above. The kinds both transfers have map the same way;
/// `$pattern => $code` adds those of one transfer; any other kind is [`HTTP_ERROR`].
macro_rules! transfer_code {
    ($kind:expr, $Kind:ident, $($pattern:pat => $code:expr,)*) => {
        match $kind {
            $Kind::Expired => $crate::exit_code::EXPIRED,
            $Kind::SignatureMismatch => $crate::exit_code::SIGNATURE_MISMATCH,
            $Kind::AccessDenied => $crate::exit_code::REFUSED,
            $Kind::NotFound => $crate::exit_code::NOT_FOUND,
            $Kind::Network | $Kind::Timeout => $crate::exit_code::NETWORK,
            $Kind::Io | $Kind::InUse => $crate::exit_code::LOCAL_IO,
            $Kind::Cancelled => $crate::exit_code::INTERRUPTED,
            $($pattern => $code,)*
            _ => $crate::exit_code::HTTP_ERROR,
        }
    };
}
pub(crate) use transfer_code;

/// A failed command: the exit code and the message printed after `error: `.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(INTERNAL, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Prints a failure (if any) to stderr and turns the outcome into the process exit code.
pub(crate) fn finish(outcome: Result<(), Failure>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::from(OK),
        Err(failure) => {
            if !failure.message.is_empty() {
                say_err!("error: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// A tokio runtime for one command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the async runtime: {e}")))
}
