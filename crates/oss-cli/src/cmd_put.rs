//! `oss-presign put FILE DEST`: uploads a file with `oss-transfer`.
//!
//! DEST is a presigned PUT URL (a single PUT, with the `--header`s it was signed with), or
//! `oss://BUCKET/KEY` (or `--bucket`/`--key`): then the command presigns every request itself
//! with the credentials of the default chain, a single PUT up to `--multipart-threshold` and
//! a multipart upload above it (`--part-size`, `--parallel`, `--resume`). Every PUT and part
//! is checked against the server's `x-oss-hash-crc64ecma`, and a multipart upload against the
//! combined CRC-64. Progress bar, signals and exit codes as for `get`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use oss_client::PutObjectRequest;
use oss_transfer::{
    Cancellation, ClientUploadPresigner, PresignedRequest, UploadError, UploadErrorKind,
    UploadOutcome, Uploader,
};

use crate::client_flags::ClientFlags;
use crate::cmd_get::{crc64_check_text, run_cancellable, transfer_failure, ProgressBar};
use crate::cmd_url::parse_headers;
use crate::credential_source;
use crate::exit_code::{self, Failure};
use crate::object_uri;
use crate::size_arg::{human_bytes, parse_bytes};
use crate::transfer_flags::{TransferFlags, CA_CERT_HINT, VERIFY_HINT};

/// Examples shown by `oss-presign put --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # a single PUT through a presigned URL (from `oss-presign url --op put`, or from anyone)
  oss-presign put ./report.pdf 'https://b.oss-cn-hangzhou.aliyuncs.com/report.pdf?x-oss-...'
  # a URL signed with a Content-Type: send the same header
  oss-presign put --header Content-Type:text/plain ./a.txt 'https://...'
  # presign it here (credentials from OSS_ACCESS_KEY_ID/SECRET or the default chain);
  # multipart above 64 MiB, 16 MiB parts, 8 at once, resumable after an interruption
  oss-presign put --region cn-hangzhou --part-size 16M --parallel 8 --resume ./big.iso oss://examplebucket/isos/big.iso
  # the local server of `oss-presign serve --tls`
  oss-presign put --endpoint https://127.0.0.1:9000 --region cn-hangzhou --ca-cert /tmp/ca.pem ./a.bin --bucket b --key a.bin";

/// Options of `oss-presign put`. The shared transfer flags keep their names; their help says
/// what they do for an upload.
#[derive(Debug, Args)]
#[command(
    mut_arg("parallel", |a| a.help("Parts sent at once (1 to 64)")),
    mut_arg("part_size", |a| a.help(
        "Bytes per part of a multipart upload: 100K to 5G (default 8M); at most 10,000 parts"
    )),
    mut_arg("resume", |a| a.help(
        "Keep a checkpoint beside the file so that a later run of the same command sends only \
         the parts still missing (multipart uploads)"
    )),
    mut_arg("headers", |a| a.help(
        "A header the URL was signed with, `name:value` (repeatable; with a presigned URL)"
    )),
    mut_arg("ca_cert", |a| a.help(
        "Trust the CA certificate(s) in this PEM file (e.g. the one `serve --tls` writes)"
    )),
    mut_arg("timeout", |a| a.help(
        "Give up when the whole upload takes longer than this: 90, 30m, 2h (default: no limit)"
    )),
    mut_arg("idle_timeout", |a| a.help(
        "Longest time without progress (no body byte taken, no answer) before a retry: 30, 2m \
         (default 30 s)"
    ))
)]
pub(crate) struct PutArgs {
    /// The file to upload.
    file: PathBuf,
    /// A presigned PUT URL (quote it), or oss://BUCKET/KEY to presign here.
    #[arg(value_name = "URL_OR_OSS_URI")]
    dest: Option<String>,
    /// Bucket (with --key, instead of oss://BUCKET/KEY).
    #[arg(long)]
    bucket: Option<String>,
    /// Object key (with --bucket).
    #[arg(long)]
    key: Option<String>,
    /// Region, endpoint, addressing, signature version, profile and ossutil configuration
    /// (when presigning here), as for `url`.
    #[command(flatten)]
    client: ClientFlags,
    /// Content-Type of the object (signed when presigning here).
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// Compute the MD5 of the file (of every part) and send it signed as Content-MD5 (reads
    /// the file once more; when presigning here).
    #[arg(long)]
    send_md5: bool,
    /// Files larger than this are a multipart upload: 100M, 1G (up to 5G; default 64M; when
    /// presigning here).
    #[arg(long, value_name = "SIZE")]
    multipart_threshold: Option<String>,
    /// Parallel parts, part size, resume, signed headers, CA file, timeouts, quiet.
    #[command(flatten)]
    transfer: TransferFlags,
}

pub(crate) fn run(args: PutArgs) -> ExitCode {
    exit_code::finish(run_inner(&args))
}

/// The exit code of a failed upload (the table of docs/cli.md).
pub(crate) fn code_of(kind: UploadErrorKind) -> u8 {
    exit_code::transfer_code!(kind, UploadErrorKind,
        // The upload id vanished and the object there is not (or not provably) this file.
        UploadErrorKind::Integrity | UploadErrorKind::UploadVanished => exit_code::INTEGRITY,
        UploadErrorKind::Credentials => exit_code::CREDENTIALS,
        UploadErrorKind::InvalidInput
        | UploadErrorKind::TooLarge
        | UploadErrorKind::TooManyParts => exit_code::USAGE,
    )
}

fn failure_of(e: &UploadError) -> Failure {
    let mut message = e.to_string();
    match e.kind() {
        UploadErrorKind::SignatureMismatch => {
            message.push_str(VERIFY_HINT);
            message.push_str("; a URL signed with headers needs them as --header NAME:VALUE");
        }
        UploadErrorKind::Expired => message
            .push_str("\n  hint: presign a new URL (oss-presign url --op put ... --expires 1h)"),
        UploadErrorKind::Network if message.contains("certificate") => {
            message.push_str(CA_CERT_HINT)
        }
        UploadErrorKind::Credentials => message.push_str(&format!(
            "\n  hint: {}",
            credential_source::CREDENTIALS_HINT
        )),
        _ => {}
    }
    Failure::new(code_of(e.kind()), message)
}

/// Where the requests come from: a ready URL, or a client presigning them.
enum Dest {
    Url(PresignedRequest),
    Object(Arc<ClientUploadPresigner>),
}

fn destination(args: &PutArgs) -> Result<Dest, Failure> {
    let is_url = args
        .dest
        .as_deref()
        .is_some_and(|d| !object_uri::is_oss_uri(d));
    if is_url {
        if args.bucket.is_some() || args.key.is_some() {
            return Err(Failure::usage(
                "give either a presigned URL or the object (oss://BUCKET/KEY, --bucket/--key), not both",
            ));
        }
        for (set, flag) in [
            (args.multipart_threshold.is_some(), "--multipart-threshold"),
            (args.transfer.part_size.is_some(), "--part-size"),
            (args.transfer.resume, "--resume"),
            (args.send_md5, "--send-md5"),
            (args.content_type.is_some(), "--content-type"),
        ] {
            if set {
                return Err(Failure::usage(format!(
                    "{flag} needs the object (oss://BUCKET/KEY or --bucket/--key): a single presigned URL allows one PUT, signed as it is (give its signed headers with --header)"
                )));
            }
        }
        let mut request = PresignedRequest::put(args.dest.as_deref().unwrap_or_default())
            .map_err(|e| Failure::usage(e.to_string()))?;
        for (name, value) in parse_headers(&args.transfer.headers)? {
            request = request
                .header(&name, &value)
                .map_err(|e| Failure::usage(e.to_string()))?;
        }
        return Ok(Dest::Url(request));
    }
    if !args.transfer.headers.is_empty() {
        return Err(Failure::usage(
            "--header is for a presigned URL; when presigning here use --content-type",
        ));
    }
    let (bucket, key) = object_uri::target(
        args.dest.as_deref(),
        args.bucket.as_deref(),
        args.key.as_deref(),
    )
    .map_err(Failure::usage)?;
    let clients = args.client.build()?;
    let client = clients.for_bucket_or_fail(bucket)?.clone();
    let mut put = PutObjectRequest::new(bucket, key);
    put.content_type = args.content_type.clone();
    Ok(Dest::Object(Arc::new(ClientUploadPresigner::new(
        client, put,
    ))))
}

fn uploader(args: &PutArgs) -> Result<Uploader, Failure> {
    let mut builder = Uploader::builder()
        .parallelism(args.transfer.parallel)
        .resume(args.transfer.resume)
        .content_md5(args.send_md5);
    for (flag, text, which) in [
        ("--part-size", &args.transfer.part_size, 0),
        ("--multipart-threshold", &args.multipart_threshold, 1),
    ] {
        let Some(text) = text else { continue };
        let bytes = parse_bytes(text).map_err(|e| Failure::usage(format!("{flag}: {e}")))?;
        builder = if which == 0 {
            builder.part_size(bytes)
        } else {
            builder.multipart_threshold(bytes)
        };
    }
    let builder = args.transfer.apply_limits(builder)?;
    builder.build().map_err(|e| Failure::usage(e.to_string()))
}

fn run_inner(args: &PutArgs) -> Result<(), Failure> {
    let dest = destination(args)?;
    let uploader = uploader(args)?;
    let show_bar = args.transfer.shows_progress_bar();
    let bar = Arc::new(ProgressBar::new());
    let cancel = Cancellation::new();
    let mut upload = match &dest {
        Dest::Url(request) => uploader.put(request.clone()),
        Dest::Object(presigner) => uploader.upload(presigner.clone()),
    }
    .cancellation(cancel.clone());
    if show_bar {
        let bar = bar.clone();
        upload = upload.progress(move |p| bar.draw(p));
    }
    let started = Instant::now();
    let result = run_cancellable(&cancel, show_bar, async {
        Ok(upload.from_file(&args.file).await)
    })?;
    let kept = if args.transfer.resume {
        "a multipart upload and its checkpoint are kept: run the same command to resume"
    } else {
        "nothing was stored (a multipart upload was aborted)"
    };
    let outcome = result.map_err(|e| {
        transfer_failure(e.kind() == UploadErrorKind::Cancelled, kept, failure_of(&e))
    })?;
    if !args.transfer.quiet {
        say!("{}", summary(&outcome, started.elapsed(), args));
    }
    Ok(())
}

fn summary(o: &UploadOutcome, elapsed: Duration, args: &PutArgs) -> String {
    let seconds = elapsed.as_secs_f64().max(1e-6);
    let check = crc64_check_text(o.crc64_check);
    let how = match &o.upload_id {
        Some(id) => format!(
            "multipart upload {id}: {} parts ({} sent now, {} requests, {} retries)",
            o.parts_total, o.parts_uploaded, o.requests, o.retries
        ),
        None => format!(
            "single PUT ({} requests, {} retries)",
            o.requests, o.retries
        ),
    };
    format!(
        "uploaded {}: {} bytes ({}) in {:.2} s, {}/s\ncrc64: {:016x} ({check})\netag: {}\n{how}",
        args.file.display(),
        o.size,
        human_bytes(o.size as f64),
        seconds,
        human_bytes(o.bytes_sent as f64 / seconds),
        o.crc64,
        o.etag.as_deref().unwrap_or("(none)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_code_from_the_table() {
        assert_eq!(code_of(UploadErrorKind::Expired), exit_code::EXPIRED);
        assert_eq!(
            code_of(UploadErrorKind::SignatureMismatch),
            exit_code::SIGNATURE_MISMATCH
        );
        assert_eq!(code_of(UploadErrorKind::Integrity), exit_code::INTEGRITY);
        assert_eq!(
            code_of(UploadErrorKind::UploadVanished),
            exit_code::INTEGRITY
        );
        assert_eq!(code_of(UploadErrorKind::TooManyParts), exit_code::USAGE);
        assert_eq!(
            code_of(UploadErrorKind::Credentials),
            exit_code::CREDENTIALS
        );
        assert_eq!(code_of(UploadErrorKind::Protocol), exit_code::HTTP_ERROR);
    }
}
