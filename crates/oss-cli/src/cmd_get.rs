//! `oss-presign get URL`: downloads through a presigned GET URL with `oss-transfer`.
//!
//! Parallel ranged parts, retries, resume, and the CRC-64 check against
//! `x-oss-hash-crc64ecma`. A progress bar is drawn on stderr when it is a terminal (never with
//! `--quiet`). The bytes go to a temporary file beside the target, renamed on success: a
//! failed download never leaves a partial file under the target name.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Args;
use oss_transfer::{
    DownloadError, DownloadErrorKind, DownloadOutcome, Downloader, PresignedGet, Progress,
};

use crate::cmd_url::parse_headers;
use crate::exit_code::{self, Failure};
use crate::presigned_url;
use crate::size_arg::{human_bytes, parse_bytes};

/// Examples shown by `oss-presign get --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # download to ./cat.jpg (the last segment of the key)
  oss-presign get 'https://b.oss-cn-hangzhou.aliyuncs.com/photos/cat.jpg?x-oss-...'
  # 8 connections, 16 MiB parts, keep a checkpoint to resume an interrupted download
  oss-presign get --parallel 8 --part-size 16M --resume -o big.iso 'https://...'
  # a URL presigned for a signed header, and a server with its own CA (oss-presign serve --tls)
  oss-presign get --header x-oss-traffic-limit:819200 --ca-cert /tmp/ca.pem -o out.bin 'https://...'
  # to stdout
  oss-presign get -o - 'https://...' | sha256sum";

/// Options of `oss-presign get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The presigned GET URL (quote it: it contains '&').
    url: String,
    /// Where to write: a file path, or `-` for stdout (default: the key's last segment).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Connections fetching parts at once (1 to 64).
    #[arg(long, default_value_t = oss_transfer::DEFAULT_PARALLELISM)]
    parallel: usize,
    /// Bytes per ranged request: 65536, 64K, 8M, 1G (64 KiB to 5 GiB).
    #[arg(long, value_name = "SIZE")]
    part_size: Option<String>,
    /// Keep a checkpoint beside the target so that a later run fetches only missing parts.
    #[arg(long)]
    resume: bool,
    /// A header the URL was signed with, `name:value` (repeatable).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// Trust the CA certificate(s) in this PEM file (e.g. the one `serve --tls` writes), in
    /// addition to the public roots.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// No progress bar and no summary (errors are still printed).
    #[arg(short, long)]
    quiet: bool,
}

pub(crate) fn run(args: GetArgs) -> ExitCode {
    exit_code::finish(run_inner(&args))
}

/// The exit code of a failed download.
pub(crate) fn code_of(kind: DownloadErrorKind) -> u8 {
    match kind {
        DownloadErrorKind::Expired => exit_code::EXPIRED,
        DownloadErrorKind::SignatureMismatch => exit_code::SIGNATURE_MISMATCH,
        DownloadErrorKind::AccessDenied => exit_code::REFUSED,
        DownloadErrorKind::NotFound => exit_code::NOT_FOUND,
        DownloadErrorKind::ObjectChanged | DownloadErrorKind::Integrity => exit_code::INTEGRITY,
        DownloadErrorKind::Network | DownloadErrorKind::Timeout => exit_code::NETWORK,
        DownloadErrorKind::Io => exit_code::LOCAL_IO,
        DownloadErrorKind::InvalidInput => exit_code::USAGE,
        _ => exit_code::HTTP_ERROR,
    }
}

/// A download error as a failure with its exit code and the OSS fields that help.
pub(crate) fn failure_of(e: &DownloadError) -> Failure {
    let mut message = e.to_string();
    if let Some(oss) = e.oss_error() {
        if !message.contains(&oss.code) {
            message.push_str(&format!(" (OSS {}: {})", oss.code, oss.message));
        }
    }
    if let Some(id) = e.request_id() {
        if !message.contains(id) {
            message.push_str(&format!(" [request id {id}]"));
        }
    }
    match e.kind() {
        DownloadErrorKind::SignatureMismatch => message.push_str(
            "\n  hint: run `oss-presign verify URL` with the signer's credentials to see which part differs",
        ),
        DownloadErrorKind::Expired => {
            message.push_str("\n  hint: presign a new URL (oss-presign url ... --expires 1h)")
        }
        DownloadErrorKind::Network if message.contains("certificate") => message.push_str(
            "\n  hint: for a server with its own CA (e.g. oss-presign serve --tls), trust it with --ca-cert FILE",
        ),
        _ => {}
    }
    Failure::new(code_of(e.kind()), message)
}

fn default_output(url: &str) -> Result<PathBuf, Failure> {
    let parts = presigned_url::parse(url)?;
    let path = parts.raw_path.trim_end_matches('/');
    let last = path.rsplit('/').next().unwrap_or("");
    let name = oss_sign_core::encoding::percent_decode(last).unwrap_or_default();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        return Err(Failure::usage(
            "cannot name the output after the URL's key: give -o FILE (or -o - for stdout)",
        ));
    }
    Ok(PathBuf::from(name))
}

fn run_inner(args: &GetArgs) -> Result<(), Failure> {
    let mut source = PresignedGet::new(&args.url).map_err(|e| Failure::usage(e.to_string()))?;
    for (name, value) in parse_headers(&args.headers)? {
        source = source
            .header(&name, &value)
            .map_err(|e| Failure::usage(e.to_string()))?;
    }
    let output = match &args.output {
        Some(path) => path.clone(),
        None => default_output(&args.url)?,
    };
    let to_stdout = output.as_os_str() == "-";
    let mut builder = Downloader::builder()
        .parallelism(args.parallel)
        .resume(args.resume);
    if let Some(text) = &args.part_size {
        builder = builder
            .part_size(parse_bytes(text).map_err(|e| Failure::usage(format!("--part-size: {e}")))?);
    }
    if let Some(path) = &args.ca_cert {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!("--ca-cert {}: cannot read it: {e}", path.display()))
        })?;
        builder = builder.add_root_certificates_pem(&pem);
    }
    let downloader = builder.build().map_err(|e| Failure::usage(e.to_string()))?;

    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = ProgressBar::new();
    let mut download = downloader.download(source);
    if show_bar {
        download = download.progress(move |p| bar.draw(p));
    }
    let started = Instant::now();
    let runtime = exit_code::runtime()?;
    let result = runtime.block_on(async {
        if to_stdout {
            let mut stdout = tokio::io::stdout();
            download.to_writer(&mut stdout).await
        } else {
            download.to_file(&output).await
        }
    });
    if show_bar {
        say_err_raw!("\r\x1b[2K");
    }
    let outcome = result.map_err(|e| failure_of(&e))?;
    if !args.quiet {
        let summary = summary(&outcome, started.elapsed(), &output, to_stdout);
        if to_stdout {
            say_err!("{summary}");
        } else {
            say!("{summary}");
        }
    }
    Ok(())
}

/// The lines printed after a successful download.
pub(crate) fn summary(
    outcome: &DownloadOutcome,
    elapsed: Duration,
    output: &std::path::Path,
    to_stdout: bool,
) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-6);
    let target = if to_stdout {
        "stdout".to_string()
    } else {
        output.display().to_string()
    };
    let check = if outcome.crc64_verified {
        "verified against x-oss-hash-crc64ecma"
    } else {
        "not verified: the server sent no x-oss-hash-crc64ecma"
    };
    format!(
        "saved {target}: {} bytes ({}) in {:.2} s, {}/s\ncrc64: {:016x} ({check})\nparts: {} ({} fetched, {} requests, {} retries)",
        outcome.size,
        human_bytes(outcome.size as f64),
        seconds,
        human_bytes(outcome.bytes_fetched as f64 / seconds),
        outcome.crc64,
        outcome.parts_total,
        outcome.parts_fetched,
        outcome.requests,
        outcome.retries,
    )
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
struct ProgressBar {
    last: Mutex<Option<Instant>>,
}

impl ProgressBar {
    fn new() -> Self {
        Self {
            last: Mutex::new(None),
        }
    }

    fn draw(&self, p: &Progress) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let done = p.total.is_some_and(|t| p.bytes_done >= t);
        if let Some(at) = *last {
            if at.elapsed() < Duration::from_millis(100) && !done {
                return;
            }
        }
        *last = Some(Instant::now());
        let line = render(p, 30);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }
}

/// `[#########.....]  45%  12.3 MiB / 27.0 MiB  8.1 MiB/s`.
fn render(p: &Progress, width: usize) -> String {
    let rate = human_bytes(p.bytes_per_second);
    match (p.fraction(), p.total) {
        (Some(f), Some(total)) => {
            let f = f.clamp(0.0, 1.0);
            let filled = (f * width as f64).round() as usize;
            format!(
                "[{}{}] {:>3.0}%  {} / {}  {rate}/s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                f * 100.0,
                human_bytes(p.bytes_done as f64),
                human_bytes(total as f64)
            )
        }
        _ => format!("{}  {rate}/s", human_bytes(p.bytes_done as f64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_fraction() {
        let p = Progress {
            bytes_done: 512 << 10,
            total: Some(1 << 20),
            bytes_per_second: 1024.0,
            elapsed: Duration::from_secs(1),
        };
        let line = render(&p, 10);
        assert!(line.starts_with("[#####.....]  50%"), "{line}");
        assert!(line.contains("512.0 KiB / 1.0 MiB"), "{line}");
        let unknown = Progress { total: None, ..p };
        assert!(render(&unknown, 10).starts_with("512.0 KiB"));
    }

    #[test]
    fn the_output_name_comes_from_the_key() {
        assert_eq!(
            default_output("https://b.h/dir/a%20b.txt?x=1").ok(),
            Some(PathBuf::from("a b.txt"))
        );
        assert!(default_output("https://b.h/?x=1").is_err());
        assert!(default_output("https://b.h/a%2Fb?x=1").is_err());
    }

    #[test]
    fn every_kind_has_a_code() {
        assert_eq!(code_of(DownloadErrorKind::Expired), exit_code::EXPIRED);
        assert_eq!(code_of(DownloadErrorKind::NotFound), exit_code::NOT_FOUND);
        assert_eq!(code_of(DownloadErrorKind::Network), exit_code::NETWORK);
        assert_eq!(
            code_of(DownloadErrorKind::HttpStatus),
            exit_code::HTTP_ERROR
        );
    }
}
