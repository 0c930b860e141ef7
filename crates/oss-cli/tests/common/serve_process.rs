//! Starting an `oss-presign serve` child and reading the banner it prints before it serves.
//! Shared by the tests (through `common::serve`) and the process benches, which include this
//! file by path (it uses nothing else of `common`).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Adds `serve --access-key-id ID --root ROOT` and the secret (`OSS_ACCESS_KEY_SECRET`) to
/// `command`.
pub(crate) fn serve_command<'a>(
    command: &'a mut Command,
    access_key_id: &str,
    secret: &str,
    root: &Path,
) -> &'a mut Command {
    command
        .env("OSS_ACCESS_KEY_SECRET", secret)
        .args(["serve", "--access-key-id", access_key_id, "--root"])
        .arg(root)
}

/// Spawns `command` (a `serve` command line) with stdout piped and stderr to nowhere, and
/// reads its banner: the child and what it printed (see [`read_banner`]).
pub(crate) fn spawn_serving(command: &mut Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("serve starts: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| unreachable!("piped"));
    (child, read_banner(stdout))
}

/// Every line `serve` prints on `stdout` up to and including `serving until interrupted` (up to
/// the end of the stream, or a read error, when it never says so).
pub(crate) fn read_banner(stdout: impl Read) -> String {
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("serving until interrupted") {
            break;
        }
    }
    banner
}

/// The value of the banner's `NAME: value` line (`endpoint`, `ca certificate`).
pub(crate) fn banner_value<'a>(banner: &'a str, name: &str) -> Option<&'a str> {
    banner
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
}
