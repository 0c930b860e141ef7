//! A running `oss-presign serve` child, for the tests that talk to it over HTTP(S): started,
//! its banner read up to `serving until interrupted`, killed when dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use super::serve_process::{banner_value, serve_command, spawn_serving};
use super::{oss_presign, presign, send_signal, AK, SK};

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

    /// The value of the banner's `NAME: value` line (panics when it printed none).
    pub(crate) fn banner_value(&self, name: &str) -> &str {
        banner_value(&self.banner, name)
            .unwrap_or_else(|| panic!("no {name} line in {}", self.banner))
    }

    /// Waits up to `within` for the process to end by itself.
    pub(crate) fn wait_for_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Adds `serve --access-key-id AK --root ROOT EXTRA...` and the secret to `command`.
pub(crate) fn serve_args<'a>(
    command: &'a mut Command,
    root: &Path,
    extra: &[&str],
) -> &'a mut Command {
    serve_command(command, AK, SK, root).args(extra)
}

/// Spawns `command` (a `serve` command line) and reads its banner.
pub(crate) fn start(command: &mut Command, ca_cert: Option<PathBuf>) -> Served {
    let (child, banner) = spawn_serving(command);
    let endpoint = banner_value(&banner, "endpoint").map(str::to_string);
    let served = Served {
        child,
        endpoint: endpoint.clone().unwrap_or_default(),
        banner,
        ca_cert,
    };
    assert!(endpoint.is_some(), "no endpoint in {}", served.banner);
    served
}

/// `serve --root ROOT EXTRA...`, with `--tls --ca-cert-out HOME/ca.pem` when `tls`.
pub(crate) fn serve(home: &tempfile::TempDir, root: &Path, tls: bool, extra: &[&str]) -> Served {
    serve_with_key(home, root, AK, tls, extra)
}

/// [`serve`] for the access key id `access_key_id` (the secret is [`SK`]).
pub(crate) fn serve_with_key(
    home: &tempfile::TempDir,
    root: &Path,
    access_key_id: &str,
    tls: bool,
    extra: &[&str],
) -> Served {
    let ca_out = home.path().join("ca.pem");
    let mut command = oss_presign(home);
    serve_command(&mut command, access_key_id, SK, root).args(extra);
    if tls {
        command.arg("--tls").arg("--ca-cert-out").arg(&ca_out);
    }
    start(&mut command, tls.then_some(ca_out))
}

/// `serve --tls` without `--ca-cert-out`, its temporary folder in `home`: it writes a CA file of
/// its own there, and after `signal` (`INT` as Ctrl-C sends, `TERM`) it exits 0 within 30 s
/// and the file is gone.
pub(crate) fn assert_signal_stops_serve_and_removes_its_ca_file(signal: &str) {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    let mut command = oss_presign(&home);
    command.env("TMPDIR", home.path());
    let mut served = start(serve_args(&mut command, root.path(), &["--tls"]), None);
    let ca = PathBuf::from(served.banner_value("ca certificate"));
    assert!(ca.starts_with(home.path()), "{}", ca.display());
    assert!(std::fs::read_to_string(&ca)
        .expect("CA")
        .contains("BEGIN CERTIFICATE"));
    send_signal(signal, served.pid());
    let status = served.wait_for_exit(Duration::from_secs(30));
    assert_eq!(
        status.code(),
        Some(0),
        "serve exit on SIG{signal}: {status:?}"
    );
    assert!(
        !ca.exists(),
        "{} left behind after SIG{signal}",
        ca.display()
    );
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
