//! `oss-presign serve --root DIR`: a local OSS-compatible server (`oss-testserver`) that serves
//! each folder under DIR as a bucket and checks presigned URLs with the access key it is given.
//!
//! It prints its endpoint, the CA certificate file with `--tls`, and the `oss-presign url`
//! command that presigns for it, then serves until interrupted (Ctrl-C or SIGTERM, both
//! cleaning up the same way). The secret is never printed.
//!
//! Hostile clients are held to limits (`--max-header-bytes`, `--header-read-timeout`,
//! `--tls-handshake-timeout`, `--max-connections`, `--request-log`), and symbolic links under the
//! root are not followed out of it unless `--follow-symlinks`.
//!
//! Uploads (PutObject, multipart) are written under the root as they arrive, into temporary
//! files renamed in when complete. CORS rules, none by default as on a new bucket, come from
//! `--cors ORIGIN` (repeatable) or `--cors-file FILE` (OSS's `CORSConfiguration` XML).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use oss_testserver::{CorsConfiguration, ServerBuilder, ServerErrorKind, TlsIdentity};

use crate::duration_arg;
use crate::exit_code::{self, Failure};
use crate::size_arg;

/// Examples shown by `oss-presign serve --help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  # serve ./data/<bucket>/<key> on a free loopback port
  OSS_ACCESS_KEY_SECRET=local-secret oss-presign serve --root ./data --access-key-id local-ak
  # HTTPS with a generated certificate, on a fixed port; the CA is written to ca.pem
  oss-presign serve --root ./data --addr 127.0.0.1:9443 --tls --ca-cert-out ca.pem \\
      --access-key-id local-ak --access-key-secret local-secret";

/// Options of `oss-presign serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The folder whose subfolders are the buckets.
    #[arg(long)]
    root: PathBuf,
    /// Address to listen on (loopback only, unless --allow-non-loopback); port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Allow listening on a non-loopback address (the server is for tests and demos).
    #[arg(long)]
    allow_non_loopback: bool,
    /// Serve HTTPS with a certificate generated for 127.0.0.1, ::1 and localhost.
    #[arg(long)]
    tls: bool,
    /// With --tls: where to write the CA certificate (PEM) clients must trust (default: a file
    /// in the temporary directory, printed at start and removed on Ctrl-C or SIGTERM).
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_cert_out: Option<PathBuf>,
    /// Region V4 signatures must be scoped to.
    #[arg(long, env = "OSS_REGION", default_value = "cn-hangzhou")]
    region: String,
    /// The access key id requests must be signed with.
    #[arg(long, env = "OSS_ACCESS_KEY_ID")]
    access_key_id: String,
    /// Its secret (prefer the OSS_ACCESS_KEY_SECRET variable: arguments are visible to other
    /// users of the machine). Never printed.
    #[arg(long, env = "OSS_ACCESS_KEY_SECRET", hide_env_values = true)]
    access_key_secret: String,
    /// Follow symbolic links under --root wherever they lead (by default a bucket folder or
    /// file whose real path is outside the root is answered as missing).
    #[arg(long)]
    follow_symlinks: bool,
    /// The largest request head (request line and headers) accepted; bigger ones get 431 (at
    /// least 8K).
    #[arg(long, value_name = "SIZE", default_value = "64K", value_parser = parse_header_bytes)]
    max_header_bytes: usize,
    /// Close a connection that has no request in progress for this long: silent, sending its
    /// headers slowly, or idle between requests (30s, 1m, ...).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    header_read_timeout: Duration,
    /// Close a connection whose TLS handshake takes longer than this (with --tls).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    tls_handshake_timeout: Duration,
    /// Connections served at once; more wait until one closes (keep it below `ulimit -n`).
    #[arg(long, value_name = "N", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// How many recent requests the server keeps in memory (0: none).
    #[arg(long, value_name = "N", default_value_t = 100)]
    request_log: usize,
    /// Allow browser requests from this origin (`*` for any): GET, PUT, POST and HEAD with any
    /// request header, exposing ETag, x-oss-request-id and x-oss-hash-crc64ecma. Repeatable.
    /// By default no CORS rules are set, as on a new bucket.
    #[arg(long, value_name = "ORIGIN")]
    cors: Vec<String>,
    /// CORS rules for every bucket from a file in OSS's CORSConfiguration XML (what
    /// PutBucketCors takes): up to 20 rules, the first matching one applies.
    #[arg(long, value_name = "FILE", conflicts_with = "cors")]
    cors_file: Option<PathBuf>,
}

/// The CORS rules `--cors` or `--cors-file` give (none by default).
fn cors_rules(args: &ServeArgs) -> Result<Option<CorsConfiguration>, Failure> {
    if let Some(path) = &args.cors_file {
        use std::io::Read as _;
        const MAX: u64 = 64 << 10;
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX + 1).read_to_string(&mut text))
            .map_err(|e| Failure::usage(format!("--cors-file {}: {e}", path.display())))?;
        if text.len() as u64 > MAX {
            return Err(Failure::usage(format!(
                "--cors-file {}: larger than 64 KiB (a CORSConfiguration holds at most 20 rules)",
                path.display()
            )));
        }
        let config = CorsConfiguration::from_xml(&text)
            .map_err(|e| Failure::usage(format!("--cors-file {}: {e}", path.display())))?;
        return Ok(Some(config));
    }
    if args.cors.is_empty() {
        return Ok(None);
    }
    if let Some(bad) = args
        .cors
        .iter()
        .find(|o| o.is_empty() || o.matches('*').count() > 1)
    {
        return Err(Failure::usage(format!(
            "--cors {bad:?}: an origin such as https://app.example.com, `*` for any, with at              most one `*` wildcard"
        )));
    }
    let origins: Vec<&str> = args.cors.iter().map(String::as_str).collect();
    Ok(Some(CorsConfiguration::allow_origins(&origins)))
}

/// `--max-header-bytes`: a size with a unit, at least what the HTTP stack needs.
fn parse_header_bytes(text: &str) -> Result<usize, String> {
    const MIN: u64 = 8 << 10;
    let bytes = size_arg::parse_bytes(text)?;
    if bytes < MIN {
        return Err(format!(
            "{bytes} bytes is too small: at least 8K ({MIN} bytes)"
        ));
    }
    usize::try_from(bytes).map_err(|_| format!("size {text:?} is too large"))
}

/// A timeout flag: whole seconds, at least 1.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    match duration_arg::parse_seconds(text)? {
        0 => Err("a timeout of 0 would close every connection at once: at least 1s".to_string()),
        s => Ok(Duration::from_secs(s)),
    }
}

pub(crate) fn run(args: ServeArgs) -> ExitCode {
    exit_code::finish(run_inner(args))
}

fn run_inner(args: ServeArgs) -> Result<(), Failure> {
    if !args.root.is_dir() {
        return Err(Failure::usage(format!(
            "--root {}: not a directory (each folder under it is served as a bucket)",
            args.root.display()
        )));
    }
    if args.access_key_id.trim().is_empty() || args.access_key_secret.is_empty() {
        return Err(Failure::usage(
            "--access-key-id and --access-key-secret (or OSS_ACCESS_KEY_SECRET) must not be empty",
        ));
    }
    // The rule `url` applies to the region it signs for: a server scoped to a region no URL can
    // name would refuse everything.
    oss_client::validation::validate_region(&args.region)
        .map_err(|e| Failure::usage(format!("--region {:?}: {e}", args.region)))?;
    let cors = cors_rules(&args)?;
    let runtime = exit_code::runtime()?;
    runtime.block_on(async move {
        let mut builder = ServerBuilder::new()
            .addr(args.addr)
            .allow_non_loopback(args.allow_non_loopback)
            .root_dir(&args.root)
            .region(&args.region)
            .credential(&args.access_key_id, &args.access_key_secret)
            .follow_symlinks(args.follow_symlinks)
            .max_header_bytes(args.max_header_bytes)
            .header_read_timeout(args.header_read_timeout)
            .tls_handshake_timeout(args.tls_handshake_timeout)
            .max_connections(args.max_connections as usize)
            .request_log_capacity(args.request_log);
        if let Some(cors) = cors {
            builder = builder.cors(cors);
        }
        if args.tls {
            let identity = TlsIdentity::generate(&["localhost"])
                .map_err(|e| Failure::internal(format!("cannot generate a certificate: {e}")))?;
            builder = builder.tls(identity);
        }
        let server = builder.start().await.map_err(|e| {
            if e.kind() == ServerErrorKind::NotLoopback {
                Failure::usage(format!(
                    "refusing to listen on {}: only loopback addresses are allowed unless \
                     --allow-non-loopback is given (the server is for tests and demos)",
                    args.addr
                ))
            } else {
                Failure::usage(format!("cannot start the server: {e}"))
            }
        })?;
        let endpoint = server.endpoint();
        let mut ca_note = String::new();
        let mut ca_to_remove = None;
        let mut ca_flag = String::new();
        let mut curl_ca = String::new();
        if let Some(tls) = server.tls() {
            let path = args.ca_cert_out.clone().unwrap_or_else(|| {
                std::env::temp_dir()
                    .join(format!("oss-presign-serve-{}-ca.pem", server.addr().port()))
            });
            // exclusive helper file + rename: a link planted at the (predictable) default
            // path is replaced or refused, never written through
            oss_transfer::helper_files::write_replacing(
                &path,
                tls.ca_certificate_pem().as_bytes(),
                0o644,
            )
            .map_err(|e| {
                Failure::new(
                    exit_code::LOCAL_IO,
                    format!("cannot write the CA certificate to {}: {e}", path.display()),
                )
            })?;
            ca_note = format!("ca certificate: {}\n", path.display());
            if args.ca_cert_out.is_none() {
                ca_to_remove = Some(path.clone());
            }
            ca_flag = format!(" --ca-cert {}", path.display());
            curl_ca = format!(" --cacert {}", path.display());
        }
        let buckets = bucket_names(&args.root);
        let (example_bucket, example_key) = example_object(&args.root, &buckets);
        say!("endpoint: {endpoint}");
        say_raw!("{ca_note}");
        say!(
            "root: {} (buckets: {})",
            args.root.display(),
            if buckets.is_empty() {
                "none yet: create a folder".to_string()
            } else {
                buckets.join(", ")
            }
        );
        say!("region: {}", args.region);
        say!("access key id: {}", args.access_key_id);
        say!("presign with (OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET set to the key above):");
        say!(
            "  oss-presign url --endpoint {endpoint} --region {} --bucket {} --key {}",
            args.region,
            shell_quote(&example_bucket),
            shell_quote(&example_key),
        );
        say!("download with:");
        say!("  oss-presign get{ca_flag} URL");
        say!("upload with a URL from `oss-presign url --op put ...`, e.g.:");
        say!("  curl{curl_ca} -T FILE 'URL'");
        let mut interrupts = Interrupts::install()?;
        say!("serving until interrupted (Ctrl-C or SIGTERM)");
        let interrupted = interrupts.wait().await;
        server.shutdown().await;
        // The default CA file is ours to clean up; one the user named is left for them.
        if let Some(path) = ca_to_remove {
            let _ = std::fs::remove_file(path);
        }
        interrupted
    })
}

/// Ctrl-C (SIGINT) and SIGTERM, both stopping the server the same way. The handlers are
/// installed when this is made, before the banner says "serving until interrupted", so a
/// signal sent as soon as the banner is read is never lost (tokio's `ctrl_c()` only installs
/// its handler when first polled).
struct Interrupts {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    fn install() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let int = signal(SignalKind::interrupt())
                .map_err(|e| Failure::internal(format!("cannot wait for Ctrl-C: {e}")))?;
            let term = signal(SignalKind::terminate())
                .map_err(|e| Failure::internal(format!("cannot wait for SIGTERM: {e}")))?;
            Ok(Self { int, term })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Resolves on the first of the two signals.
    async fn wait(&mut self) -> Result<(), Failure> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Ok(()),
                _ = self.term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .map_err(|e| Failure::internal(format!("cannot wait for Ctrl-C: {e}")))
        }
    }
}

/// A bucket and key to show in the `url` command: the first file of the first bucket that has
/// one (`BUCKET`/`KEY` placeholders when there is none).
fn example_object(root: &std::path::Path, buckets: &[String]) -> (String, String) {
    for bucket in buckets {
        if let Some(key) = first_file(&root.join(bucket), "", 4) {
            return (bucket.clone(), key);
        }
    }
    let bucket = buckets
        .first()
        .cloned()
        .unwrap_or_else(|| "BUCKET".to_string());
    (bucket, "KEY".to_string())
}

/// The first file under `dir` in name order, as a `/`-separated key, at most `depth` deep.
fn first_file(dir: &std::path::Path, prefix: &str, depth: u32) -> Option<String> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in &entries {
        let name = entry.file_name().to_str()?.to_string();
        if name.starts_with('.') {
            continue;
        }
        if entry.path().is_file() {
            return Some(format!("{prefix}{name}"));
        }
    }
    if depth == 0 {
        return None;
    }
    entries.iter().filter(|e| e.path().is_dir()).find_map(|e| {
        let name = e.file_name().to_str()?.to_string();
        first_file(&e.path(), &format!("{prefix}{name}/"), depth - 1)
    })
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-=:,+@%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The folders under `root` (the buckets at start; later ones are served too).
fn bucket_names(root: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                // the server's own folder (.oss-testserver) and other hidden ones
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("dir/a.txt"), "dir/a.txt");
        assert_eq!(shell_quote("a b.txt"), "'a b.txt'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_example_is_the_first_file() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("b/z")).unwrap();
        std::fs::create_dir_all(root.path().join("a/dir")).unwrap();
        std::fs::write(root.path().join("b/z/k.txt"), b"x").unwrap();
        std::fs::write(root.path().join("a/dir/x y.bin"), b"x").unwrap();
        let buckets = bucket_names(root.path());
        assert_eq!(buckets, ["a", "b"]);
        assert_eq!(
            example_object(root.path(), &buckets),
            ("a".into(), "dir/x y.bin".into())
        );
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            example_object(empty.path(), &[]),
            ("BUCKET".into(), "KEY".into())
        );
    }
}
