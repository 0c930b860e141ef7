//! A real `oss-presign serve` process over plain HTTP, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use super::{oss_presign, AK, SK};

/// A running `serve` process.
pub(crate) struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` over `root` (its folders are the buckets), region cn-hangzhou, key [`AK`].
pub(crate) fn serve_http(home: &tempfile::TempDir, root: &Path) -> Served {
    let mut child = oss_presign(home)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .args([
            "serve",
            "--region",
            "cn-hangzhou",
            "--access-key-id",
            AK,
            "--root",
        ])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut endpoint = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(e) = line.strip_prefix("endpoint: ") {
            endpoint = Some(e.to_string());
        }
        if line.starts_with("serving until interrupted") {
            break;
        }
    }
    Served {
        child,
        endpoint: endpoint.expect("serve printed its endpoint"),
    }
}
