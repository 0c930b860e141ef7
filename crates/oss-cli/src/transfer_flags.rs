//! The transfer flags `get` and `put` share (parallel connections, part size, resume, signed
//! headers, extra CA certificates, whole and idle timeouts, quiet), and what they turn into:
//! the CA file's PEM text (bounded) and the checked timeouts. The help text here is `get`'s;
//! `put` rewords what differs with `mut_arg` on its own arguments.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::duration_arg::parse_seconds;
use crate::exit_code::Failure;

/// What a failed `get` or `put` says after a signature mismatch.
pub(crate) const VERIFY_HINT: &str =
    "\n  hint: run `oss-presign verify URL` with the signer's credentials to see which part differs";

/// What a failed `get` or `put` says after a certificate error: how to trust a server's own CA.
pub(crate) const CA_CERT_HINT: &str = "\n  hint: for a server with its own CA (e.g. oss-presign serve --tls), trust it with --ca-cert FILE";

/// Largest `--ca-cert` file read (1 MiB).
const MAX_CA_FILE: u64 = 1 << 20;

/// The transfer flags of `get` and `put`.
#[derive(Debug, Args)]
pub(crate) struct TransferFlags {
    /// Connections fetching parts at once (1 to 64).
    #[arg(long, default_value_t = oss_transfer::DEFAULT_PARALLELISM)]
    pub(crate) parallel: usize,
    /// Bytes per ranged request: 65536, 64K, 8M, 1G (64 KiB to 5 GiB).
    #[arg(long, value_name = "SIZE")]
    pub(crate) part_size: Option<String>,
    /// Keep a checkpoint beside the target so that a later run fetches only missing parts.
    #[arg(long)]
    pub(crate) resume: bool,
    /// A header the URL was signed with, `name:value` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    pub(crate) headers: Vec<String>,
    /// Trust the CA certificate(s) in this PEM file (e.g. the one `serve --tls` writes), in
    /// addition to the public roots.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Option<PathBuf>,
    /// Give up when the whole download takes longer than this: 90, 30m, 2h (default: no
    /// limit).
    #[arg(long, value_name = "DURATION")]
    pub(crate) timeout: Option<String>,
    /// Longest wait for response headers or the next body bytes before a retry: 30, 2m
    /// (default 30 s).
    #[arg(long, value_name = "DURATION")]
    pub(crate) idle_timeout: Option<String>,
    /// No progress bar and no summary (errors are still printed).
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// The checked `--timeout` and `--idle-timeout`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timeouts {
    /// `--timeout`: the whole transfer.
    pub(crate) total: Option<Duration>,
    /// `--idle-timeout`: without progress.
    pub(crate) idle: Option<Duration>,
}

/// What [`TransferFlags::apply_limits`] sets, on a downloader's or an uploader's builder.
pub(crate) trait TransferBuilder: Sized {
    /// Adds trusted roots from PEM text.
    fn with_roots_pem(self, pem: &str) -> Self;
    /// Bounds the whole transfer.
    fn with_timeout(self, d: Duration) -> Self;
    /// Bounds the time without progress.
    fn with_idle_timeout(self, d: Duration) -> Self;
}

/// Implements [`TransferBuilder`] with the builder's own methods of the same job.
macro_rules! transfer_builder {
    ($($builder:ty),*) => {$(
        impl TransferBuilder for $builder {
            fn with_roots_pem(self, pem: &str) -> Self {
                self.add_root_certificates_pem(pem)
            }
            fn with_timeout(self, d: Duration) -> Self {
                self.timeout(d)
            }
            fn with_idle_timeout(self, d: Duration) -> Self {
                self.idle_timeout(d)
            }
        }
    )*};
}
transfer_builder!(
    oss_transfer::DownloaderBuilder,
    oss_transfer::UploaderBuilder
);

impl TransferFlags {
    /// Whether a progress bar is drawn: not `--quiet`, and stderr is a terminal.
    pub(crate) fn shows_progress_bar(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// `builder` with `--ca-cert`, `--timeout` and `--idle-timeout` applied (read and checked
    /// in that order).
    pub(crate) fn apply_limits<B: TransferBuilder>(&self, mut builder: B) -> Result<B, Failure> {
        if let Some(pem) = self.ca_pem()? {
            builder = builder.with_roots_pem(&pem);
        }
        let timeouts = self.timeouts()?;
        if let Some(d) = timeouts.total {
            builder = builder.with_timeout(d);
        }
        if let Some(d) = timeouts.idle {
            builder = builder.with_idle_timeout(d);
        }
        Ok(builder)
    }

    /// The PEM text of `--ca-cert`, when given.
    pub(crate) fn ca_pem(&self) -> Result<Option<String>, Failure> {
        self.ca_cert.as_deref().map(read_ca_file).transpose()
    }

    /// `--timeout` and `--idle-timeout` as durations (each at least 1 s; `--timeout` is
    /// checked first).
    pub(crate) fn timeouts(&self) -> Result<Timeouts, Failure> {
        let mut out = Timeouts::default();
        for (flag, text, slot) in [
            ("--timeout", &self.timeout, &mut out.total),
            ("--idle-timeout", &self.idle_timeout, &mut out.idle),
        ] {
            let Some(text) = text else { continue };
            let seconds =
                parse_seconds(text).map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
            if seconds == 0 {
                return Err(Failure::usage(format!("{flag} must be at least 1 second")));
            }
            *slot = Some(Duration::from_secs(seconds));
        }
        Ok(out)
    }
}

/// Reads `--ca-cert`, at most 1 MiB (so `/dev/zero` or a huge file is refused, not read forever).
pub(crate) fn read_ca_file(path: &Path) -> Result<String, Failure> {
    let fail = |why: String| Failure::usage(format!("--ca-cert {}: {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_CA_FILE {
        return Err(fail(format!(
            "larger than {MAX_CA_FILE} bytes; a PEM file of CA certificates is far smaller"
        )));
    }
    String::from_utf8(bytes).map_err(|_| fail("not PEM text (not UTF-8)".to_string()))
}
