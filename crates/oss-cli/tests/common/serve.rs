//! A running `oss-presign serve` child, for the tests that talk to it over HTTP(S): started,
//! its banner read up to `serving until interrupted`, killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{oss_presign, presign, AK, SK};

/// A running `serve` process, killed when dropped.
pub(crate) struct Served {
    pub(crate) child: Child,
    /// `http://127.0.0.1:PORT` (or `https://`), from the banner's `endpoint:` line.
    pub(crate) endpoint: String,
    /// Everything it printed up to `serving until interrupted`.
    pub(crate) banner: String,
    /// The CA certificate it wrote (`--ca-cert-out`), with `--tls`.
    pub(crate) ca_cert: Option<PathBuf>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The listening address, from the endpoint.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.endpoint
            .rsplit_once("://")
            .map(|(_, a)| a)
            .expect("scheme")
            .parse()
            .expect("an address")
    }

    /// The CA certificate of a `--tls` server.
    pub(crate) fn ca_cert(&self) -> &Path {
        self.ca_cert.as_deref().expect("started with --tls")
    }
}

/// Adds `serve --access-key-id AK --root ROOT EXTRA...` and the secret to `command`.
pub(crate) fn serve_args<'a>(
    command: &'a mut Command,
    root: &Path,
    extra: &[&str],
) -> &'a mut Command {
    command
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .args(["serve", "--access-key-id", AK, "--root"])
        .arg(root)
        .args(extra)
}

/// Spawns `command` (a `serve` command line) and reads its banner.
pub(crate) fn start(command: &mut Command, ca_cert: Option<PathBuf>) -> Served {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("serving until interrupted") {
            break;
        }
    }
    let endpoint = banner
        .lines()
        .find_map(|l| l.strip_prefix("endpoint: "))
        .unwrap_or_else(|| panic!("no endpoint in {banner}"))
        .to_string();
    Served {
        child,
        endpoint,
        banner,
        ca_cert,
    }
}

/// `serve --root ROOT EXTRA...`, with `--tls --ca-cert-out HOME/ca.pem` when `tls`.
pub(crate) fn serve(home: &tempfile::TempDir, root: &Path, tls: bool, extra: &[&str]) -> Served {
    let ca_out = home.path().join("ca.pem");
    let mut command = oss_presign(home);
    serve_args(&mut command, root, extra);
    if tls {
        command.arg("--tls").arg("--ca-cert-out").arg(&ca_out);
    }
    start(&mut command, tls.then_some(ca_out))
}

/// A presigned URL for `photos/KEY` on the server (`url` with `extra` flags).
pub(crate) fn url_for(
    home: &tempfile::TempDir,
    served: &Served,
    key: &str,
    extra: &[&str],
) -> String {
    let mut args = vec![
        "--endpoint",
        served.endpoint.as_str(),
        "--region",
        "cn-hangzhou",
        "--bucket",
        "photos",
        "--key",
        key,
    ];
    args.extend_from_slice(extra);
    presign(home, &args)
}

/// Deterministic, not very compressible bytes (xorshift from `seed`).
pub(crate) fn sample(len: usize, seed: u32) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678 ^ seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}
