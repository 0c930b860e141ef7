//! `oss-presign get URL`: downloads through a presigned GET URL with `oss-transfer`.
//!
//! Given `oss://BUCKET/KEY` (or `--bucket`/`--key`) instead of a URL, `get` presigns the
//! GetObject URL itself first, with the client flags and credentials of `url`
//! ([`ClientFlags`], ossutil's per-bucket hosts included), valid `--expires` (default 1 h).
//!
//! Parallel ranged parts, retries, resume, and the CRC-64 check against
//! `x-oss-hash-crc64ecma`. A progress bar is drawn on stderr when it is a terminal (never with
//! `--quiet`). The bytes go to a temporary file beside the target, renamed on success: a
//! failed download never leaves a partial file under the target name. Ctrl-C (SIGINT) and
//! SIGTERM cancel the download through its `Cancellation`: the temporary file is removed (kept
//! with its checkpoint under `--resume`) and the exit code is 130 or 143.

use std::io::Write;
use std::os::fd::AsFd as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use oss_transfer::{
    Cancellation, ClientPresigner, Crc64Check, DownloadError, DownloadErrorKind, DownloadOutcome,
    Downloader, PresignFuture, PresignedGet, Presigner, Progress,
};

use oss_client::{GetObjectRequest, PresignOptions};
use oss_credentials::ProvideCredentials as _;

use crate::client_flags::ClientFlags;
use crate::cmd_url::parse_headers;
use crate::credential_source;
use crate::duration_arg::parse_seconds;
use crate::exit_code::{self, Failure};
use crate::object_uri;
use crate::presigned_url;
use crate::size_arg::{human_bytes, parse_bytes};
use crate::transfer_flags::{TransferFlags, CA_CERT_HINT, VERIFY_HINT};

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
  oss-presign get -o - 'https://...' | sha256sum
  # presign here from credentials (as `url` does), then download
  oss-presign get --region cn-hangzhou oss://examplebucket/photos/cat.jpg
  oss-presign get --endpoint http://127.0.0.1:9000 --region cn-hangzhou --bucket b --key k -o k";

/// Validity of the URL `get` presigns itself (every ranged part must be requested before it
/// expires).
const SELF_PRESIGN_EXPIRES: Duration = Duration::from_secs(3600);

/// Options of `oss-presign get`.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// The presigned GET URL (quote it: it contains '&'), or oss://BUCKET/KEY to presign it
    /// here from credentials, as `url` does (everything after the bucket's '/' is the key,
    /// verbatim).
    #[arg(value_name = "URL|OSS_URI", required_unless_present = "bucket")]
    url: Option<String>,
    /// Bucket to download from, with --key (presigns the URL here, as oss://BUCKET/KEY does).
    #[arg(long, requires = "key")]
    bucket: Option<String>,
    /// Object key, with --bucket.
    #[arg(long, requires = "bucket")]
    key: Option<String>,
    /// Validity of the URL presigned here: seconds or 30m, 2h, 1d (default 1h; every part
    /// must be requested before it ends).
    #[arg(long, value_name = "DURATION")]
    expires: Option<String>,
    #[command(flatten)]
    client: ClientFlags,
    /// Where to write: a file path, or `-` for stdout (default: the key's last segment, made
    /// safe, in the current directory; an existing file of that name is not replaced).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Parallel connections, part size, resume, signed headers, CA file, timeouts, quiet.
    #[command(flatten)]
    transfer: TransferFlags,
}

pub(crate) fn run(args: GetArgs) -> ExitCode {
    exit_code::finish(run_inner(&args))
}

/// The exit code of a failed download.
pub(crate) fn code_of(kind: DownloadErrorKind) -> u8 {
    exit_code::transfer_code!(kind, DownloadErrorKind,
        DownloadErrorKind::ObjectChanged | DownloadErrorKind::Integrity => exit_code::INTEGRITY,
        DownloadErrorKind::InvalidInput => exit_code::USAGE,
    )
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
        DownloadErrorKind::SignatureMismatch => message.push_str(VERIFY_HINT),
        DownloadErrorKind::Expired => {
            message.push_str("\n  hint: presign a new URL (oss-presign url ... --expires 1h)")
        }
        DownloadErrorKind::Network if message.contains("certificate") => {
            message.push_str(CA_CERT_HINT)
        }
        _ => {}
    }
    Failure::new(code_of(e.kind()), message)
}

/// The output name taken from the URL: the key's last segment, made safe. Control characters
/// (escape sequences, newlines) become `_`, leading dots are dropped (no hidden file such as
/// `.bashrc` appears unless `-o` names it), a leading `-` becomes `_` (never stdout, never
/// an option to the next command); empty, `.`/`..`, a `/` or `\\` inside, or more than 255 bytes
/// are refused.
fn default_output(url: &str) -> Result<PathBuf, Failure> {
    let refuse = |why: &str| {
        Failure::usage(format!(
            "cannot name the output after the URL's key ({why}): give -o FILE (or -o - for stdout)"
        ))
    };
    let parts = presigned_url::parse(url)?;
    let path = parts.raw_path.trim_end_matches('/');
    let last = path.rsplit('/').next().unwrap_or("");
    let decoded = oss_sign_core::encoding::percent_decode(last).unwrap_or_default();
    if decoded.contains(['/', '\\']) {
        return Err(refuse("its last segment holds a slash"));
    }
    let safe: String = decoded
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    let mut name = safe.trim_start_matches('.').to_string();
    if name.starts_with('-') {
        name.replace_range(..1, "_");
    }
    if name.is_empty() {
        return Err(refuse("its last segment is empty or only dots"));
    }
    if name.len() > 255 {
        return Err(refuse("its last segment is longer than 255 bytes"));
    }
    Ok(PathBuf::from(name))
}

/// Which signal cancelled the download (0: none).
pub(crate) static SIGNAL: AtomicU8 = AtomicU8::new(0);

/// The failure of a transfer that ended in `failure`: when it was `cancelled` by a SIGINT or
/// SIGTERM, the interruption (exit 130 or 143) saying what is `kept` instead.
pub(crate) fn transfer_failure(cancelled: bool, kept: &str, failure: Failure) -> Failure {
    if cancelled {
        interrupted(kept).unwrap_or(failure)
    } else {
        failure
    }
}

/// The failure of a transfer that a SIGINT or SIGTERM cancelled (exit 130 or 143), saying what
/// is `kept`; `None` when no signal came.
fn interrupted(kept: &str) -> Option<Failure> {
    let signal = SIGNAL.load(Ordering::SeqCst);
    let name = match signal {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => return None,
    };
    Some(Failure::new(
        128 + signal,
        format!("interrupted by {name}; {kept}"),
    ))
}

/// Runs `transfer` (a download or an upload) to its end on a runtime of its own, with SIGINT and
/// SIGTERM cancelling `cancel`; then clears the progress bar's line when one was drawn
/// (`show_bar`).
pub(crate) fn run_cancellable<T>(
    cancel: &Cancellation,
    show_bar: bool,
    transfer: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    let runtime = exit_code::runtime()?;
    let result = runtime.block_on(async {
        cancel_on_signals(cancel)?;
        transfer.await
    })?;
    if show_bar {
        say_err_raw!("\r\x1b[2K");
    }
    Ok(result)
}

/// Cancels `cancel` on SIGINT (Ctrl-C) or SIGTERM. Must run inside the runtime; the handlers are
/// installed before this returns, so a signal arriving at any later point is caught.
fn cancel_on_signals(cancel: &Cancellation) -> Result<(), Failure> {
    use tokio::signal::unix::{signal, SignalKind};
    let fail = |e: std::io::Error| Failure::internal(format!("cannot watch for signals: {e}"));
    let mut int = signal(SignalKind::interrupt()).map_err(fail)?;
    let mut term = signal(SignalKind::terminate()).map_err(fail)?;
    let cancel = cancel.clone();
    tokio::spawn(async move {
        let got = tokio::select! {
            _ = int.recv() => 2,
            _ = term.recv() => 15,
        };
        SIGNAL.store(got, Ordering::SeqCst);
        cancel.cancel();
    });
    Ok(())
}

/// Standard output as a file of its own (a duplicate of descriptor 1), so writes report every
/// error (std's stdout silently drops bytes written to a closed descriptor).
///
/// A stdout that was closed when the process started is refused: Rust's runtime reopens a
/// closed descriptor 1 on `/dev/null` read-write before `main`, so `/dev/null` opened
/// read-write is taken for a closed stdout (a shell's `>/dev/null` opens it write-only, which
/// is accepted).
fn stdout_file() -> Result<std::fs::File, Failure> {
    let closed = |detail: String| {
        Failure::new(
            exit_code::LOCAL_IO,
            format!("cannot write the object to stdout: {detail}"),
        )
    };
    let fd = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| closed(e.to_string()))?;
    let file = std::fs::File::from(fd);
    let read_write = rustix::fs::fcntl_getfl(&file)
        .is_ok_and(|f| f & rustix::fs::OFlags::RWMODE == rustix::fs::OFlags::RDWR);
    if read_write && is_dev_null(&file) {
        return Err(closed(
            "stdout is closed (give -o FILE, or redirect stdout to where the bytes should go)"
                .to_string(),
        ));
    }
    Ok(file)
}

fn is_dev_null(file: &std::fs::File) -> bool {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
    match (file.metadata(), std::fs::metadata("/dev/null")) {
        (Ok(a), Ok(b)) => a.file_type().is_char_device() && a.rdev() == b.rdev(),
        _ => false,
    }
}

/// A presigned URL given as such, or the object to presign here.
enum Target<'a> {
    Url(&'a str),
    Object(&'a str, &'a str),
}

fn target(args: &GetArgs) -> Result<Target<'_>, Failure> {
    match args.url.as_deref() {
        Some(text) if !object_uri::is_oss_uri(text) => {
            if args.bucket.is_some() || args.key.is_some() {
                return Err(Failure::usage(
                    "give either a presigned URL or the object (oss://BUCKET/KEY, or --bucket and --key), not both",
                ));
            }
            Ok(Target::Url(text))
        }
        object => {
            let (bucket, key) =
                object_uri::target(object, args.bucket.as_deref(), args.key.as_deref())
                    .map_err(Failure::usage)?;
            Ok(Target::Object(bucket, key))
        }
    }
}

/// The presigner of `get oss://BUCKET/KEY`: the URL presigned before the download starts,
/// then a fresh one from the client whenever the URL expires part way (a download that
/// outlasts `--expires`), through [`Presigner::presign_get_async`] (which waits for the
/// credentials provider, so an STS refresh works too).
#[derive(Debug)]
struct Represigner {
    first: PresignedGet,
    client: ClientPresigner,
}

impl Presigner for Represigner {
    fn presign_get(&self) -> Result<PresignedGet, DownloadError> {
        Ok(self.first.clone())
    }

    fn presign_get_async(&self) -> PresignFuture<'_> {
        self.client.presign_get_async()
    }
}

/// Presigns GetObject for `bucket`/`key` with the client flags and the credentials chain;
/// returns the URL, the headers it was signed with (`--header`s are signed too), and the
/// presigner for the URLs after it.
fn presign_get(
    args: &GetArgs,
    bucket: &str,
    key: &str,
    headers: &[(String, String)],
) -> Result<(String, Represigner), Failure> {
    let clients = args.client.build()?;
    let client = clients.for_bucket_or_fail(bucket)?;
    let expires = match &args.expires {
        None => SELF_PRESIGN_EXPIRES,
        Some(text) => {
            let seconds =
                parse_seconds(text).map_err(|e| Failure::usage(format!("--expires: {e}")))?;
            if seconds == 0 {
                return Err(Failure::usage("--expires must be at least 1 second"));
            }
            Duration::from_secs(seconds)
        }
    };
    let mut request = GetObjectRequest::new(bucket, key);
    request.headers.extend(headers.iter().cloned());
    let runtime = exit_code::runtime()?;
    let credentials = runtime
        .block_on(clients.provider.provide_credentials())
        .map_err(|e| credential_source::no_credentials(&e.to_string()))?;
    credential_source::print_warnings(&credentials);
    let options = PresignOptions::new().expires(expires);
    let result = client
        .presign_with_credentials(&request, &options, &credentials)
        .map_err(credential_source::presign_failure)?;
    let signed = result
        .signed_headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let first = source_of(result.url(), signed)?;
    let client = ClientPresigner::new(client.clone(), request).options(options);
    Ok((result.url().to_owned(), Represigner { first, client }))
}

/// Where a download's URLs come from.
enum Start {
    /// A presigned URL given on the command line, used as it is.
    Given(PresignedGet),
    /// Presigned here, and again when the URL expires part way.
    Presigned(Arc<Represigner>),
}

/// The download source: `url` with the headers it was signed with.
fn source_of(url: &str, headers: Vec<(String, String)>) -> Result<PresignedGet, Failure> {
    let mut source = PresignedGet::new(url).map_err(|e| Failure::usage(e.to_string()))?;
    for (name, value) in headers {
        source = source
            .header(&name, &value)
            .map_err(|e| Failure::usage(e.to_string()))?;
    }
    Ok(source)
}

fn run_inner(args: &GetArgs) -> Result<(), Failure> {
    let given_headers = parse_headers(&args.transfer.headers)?;
    // A URL given is used as it is; an object is presigned here, and again when needed.
    let (url, source) = match target(args)? {
        Target::Url(url) => (url.to_owned(), Start::Given(source_of(url, given_headers)?)),
        Target::Object(bucket, key) => {
            let (url, represigner) = presign_get(args, bucket, key, &given_headers)?;
            (url, Start::Presigned(Arc::new(represigner)))
        }
    };
    let output = match &args.output {
        Some(path) => path.clone(),
        None => {
            let name = default_output(&url)?;
            // Decided in docs/cli.md: a name the user did not type never replaces a file.
            if std::fs::symlink_metadata(&name).is_ok() {
                return Err(Failure::usage(format!(
                    "{} already exists and its name comes from the URL, so it is not replaced: \
                     give -o {} to replace it (its permissions are kept) or -o ANOTHER_NAME",
                    name.display(),
                    name.display()
                )));
            }
            name
        }
    };
    let to_stdout = args.output.is_some() && output.as_os_str() == "-";
    let mut builder = Downloader::builder()
        .parallelism(args.transfer.parallel)
        .resume(args.transfer.resume);
    if let Some(text) = &args.transfer.part_size {
        builder = builder
            .part_size(parse_bytes(text).map_err(|e| Failure::usage(format!("--part-size: {e}")))?);
    }
    let builder = args.transfer.apply_limits(builder)?;
    let downloader = builder.build().map_err(|e| Failure::usage(e.to_string()))?;

    let show_bar = args.transfer.shows_progress_bar();
    let bar = ProgressBar::new();
    let cancel = Cancellation::new();
    let download = match source {
        Start::Given(source) => downloader.download(source),
        Start::Presigned(represigner) => downloader
            .download_presigned_by(represigner)
            .map_err(|e| failure_of(&e))?,
    };
    let mut download = download.cancellation(cancel.clone());
    if show_bar {
        let bar = Arc::new(bar);
        download = download.progress(move |p| bar.draw(p));
    }
    let started = Instant::now();
    let result = run_cancellable(&cancel, show_bar, async {
        let r = if to_stdout {
            // Written by a thread of its own with vectored writes of the received frames.
            download.to_blocking_writer(stdout_file()?).await
        } else {
            download.to_file(&output).await
        };
        Ok(r)
    })?;
    let kept = if to_stdout {
        "what reached stdout is incomplete"
    } else if args.transfer.resume {
        "the temporary file and checkpoint are kept: run the same command to resume"
    } else {
        "the temporary file was removed"
    };
    let outcome = result.map_err(|e| {
        transfer_failure(
            e.kind() == DownloadErrorKind::Cancelled,
            kept,
            failure_of(&e),
        )
    })?;
    if !args.transfer.quiet {
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
    let check = crc64_check_text(outcome.crc64_check);
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

/// What a summary says of the CRC-64 check of a finished transfer.
pub(crate) fn crc64_check_text(check: Crc64Check) -> &'static str {
    match check {
        Crc64Check::Verified => "verified against x-oss-hash-crc64ecma",
        Crc64Check::Unparsable => {
            "not verified: the server's x-oss-hash-crc64ecma is not a decimal 64-bit number"
        }
        Crc64Check::Disabled => "not verified: checking is off",
        _ => "not verified: the server sent no x-oss-hash-crc64ecma",
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
pub(crate) struct ProgressBar {
    last: Mutex<Option<Instant>>,
}

impl ProgressBar {
    pub(crate) fn new() -> Self {
        Self {
            last: Mutex::new(None),
        }
    }

    pub(crate) fn draw(&self, p: &Progress) {
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
    fn an_output_name_from_the_url_is_made_safe() {
        let name = |url: &str| default_output(url).ok().map(|p| p.display().to_string());
        assert_eq!(name("https://b.h/d/.bashrc"), Some("bashrc".into()));
        assert_eq!(name("https://b.h/d/..%2e.profile"), Some("profile".into()));
        assert_eq!(
            name("https://b.h/d/a%1B%5B2Jb%0Ac"),
            Some("a_[2Jb_c".into())
        );
        assert_eq!(name("https://b.h/d/-"), Some("_".into()));
        assert_eq!(name("https://b.h/d/-rf"), Some("_rf".into()));
        assert_eq!(name("https://b.h/d/..."), None);
        assert_eq!(name(&format!("https://b.h/{}", "x".repeat(256))), None);
        assert!(name(&format!("https://b.h/{}", "x".repeat(255))).is_some());
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
