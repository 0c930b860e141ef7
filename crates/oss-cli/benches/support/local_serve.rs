//! What the process benches of `oss-presign` share (included by path by `download_vs_curl`,
//! `upload_vs_curl` and `upload_throttled`): the bench credentials, `--name VALUE` arguments, the
//! bench's temporary folder, a pseudo-random test file, a local `oss-presign serve` started
//! (through `tests/common/serve_process.rs`) and stopped with the bench,
//! a URL presigned by `oss-presign url`, a child process timed under `/usr/bin/time`, and the
//! median.
#![allow(dead_code)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

#[path = "../../tests/common/serve_process.rs"]
mod serve_process;

use serve_process::{banner_value, serve_command, spawn_serving};

pub(crate) const AK: &str = "LTAI5tBenchAccessKeyId";
pub(crate) const SK: &str = "BenchAccessKeySecret0123456789abcdef";

/// A running `oss-presign serve`, killed (and reaped) when dropped.
pub(crate) struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The value after `name` on the command line (`-- --mib 64`), or `default`.
pub(crate) fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A temporary folder named `prefix...` holding `root/bench` (the root to serve, with the
/// `bench` bucket); returns the folder and that root.
pub(crate) fn bench_folder(prefix: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("bench")).unwrap_or_else(|e| panic!("{e}"));
    (dir, root)
}

/// Writes `mib` MiB to `path`: the same 1 MiB of pseudo-random bytes (incompressible, the same
/// on every run) over and over.
pub(crate) fn write_repeated_block(path: &Path, mib: u64) {
    use std::io::Write as _;
    let block = oss_testserver::generated_bytes(1 << 20, 0);
    let mut f = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for _ in 0..mib {
        f.write_all(&block).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Starts `bin serve` over `root` (plain HTTP on 127.0.0.1, the bench credentials) and waits
/// until it serves; returns it with its endpoint (`http://127.0.0.1:PORT`).
pub(crate) fn serve(bin: &str, root: &Path) -> (Served, String) {
    let (child, banner) = spawn_serving(serve_command(&mut Command::new(bin), AK, SK, root));
    let served = Served(child);
    let endpoint = banner_value(&banner, "endpoint")
        .unwrap_or_default()
        .to_owned();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "endpoint {endpoint:?}"
    );
    (served, endpoint)
}

/// A URL presigned by `bin url` for `bench/object.bin` on `endpoint`, valid 1 h; `op` adds
/// `--op OP` (e.g. `put`).
pub(crate) fn presign(bin: &str, home: &Path, endpoint: &str, op: Option<&str>) -> String {
    let mut command = Command::new(bin);
    command
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env("HOME", home)
        .args(["url", "--endpoint", endpoint, "--region", "cn-hangzhou"])
        .args(["--bucket", "bench", "--key", "object.bin"]);
    if let Some(op) = op {
        command.args(["--op", op]);
    }
    let url_out = command
        .args(["--expires", "1h"])
        .output()
        .unwrap_or_else(|e| panic!("url: {e}"));
    let text = String::from_utf8_lossy(&url_out.stdout);
    text.lines()
        .next()
        .and_then(|l| l.split_once(", url: "))
        .map(|(_, u)| u.to_owned())
        .unwrap_or_else(|| panic!("no url in {text:?}"))
}

/// Runs `program args` under `/usr/bin/time` with `HOME=dir` (and the bench credentials in
/// the environment when `credentials`); its stdout goes to a pipe the bench drains when
/// `to_pipe`, else nowhere. Returns (cpu seconds, wall seconds).
pub(crate) fn timed(
    dir: &Path,
    program: &str,
    args: &[&str],
    to_pipe: bool,
    credentials: bool,
) -> (f64, f64) {
    let report = dir.join("time.txt");
    let mut command = Command::new("/usr/bin/time");
    command
        .arg("-f")
        .arg("%U %S")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    if credentials {
        command
            .env("OSS_ACCESS_KEY_ID", AK)
            .env("OSS_ACCESS_KEY_SECRET", SK);
    }
    command.stdout(if to_pipe {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(mut out) = child.stdout.take() {
        let mut buf = vec![0u8; 1 << 20];
        while out.read(&mut buf).is_ok_and(|n| n > 0) {}
    }
    let status = child.wait().unwrap_or_else(|e| panic!("{program}: {e}"));
    let wall = started.elapsed().as_secs_f64();
    assert!(status.success(), "{program} {args:?} failed: {status}");
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let cpu: f64 = text
        .split_whitespace()
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    (cpu, wall)
}

/// The median (the upper one of an even count).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// What [`against_curl`] measured: per-pair ratios and per-GiB CPU seconds, one per round.
pub(crate) struct VsCurl {
    cpu_ratio: Vec<f64>,
    tput_ratio: Vec<f64>,
    curl_cpu: Vec<f64>,
    tool_cpu: Vec<f64>,
}

/// Runs `curl curl_args` and `bin tool_args` interleaved for `rounds` pairs (which goes first
/// alternates; one curl run warms up first), each under [`timed`] with `to_pipe` and
/// `credentials`, `between` after every run; `gib` is the size moved per run.
#[allow(clippy::too_many_arguments)]
pub(crate) fn against_curl(
    dir: &Path,
    bin: &str,
    curl_args: &[&str],
    tool_args: &[&str],
    to_pipe: bool,
    credentials: bool,
    rounds: usize,
    gib: f64,
    between: impl Fn(),
) -> VsCurl {
    let mut out = VsCurl {
        cpu_ratio: Vec::new(),
        tput_ratio: Vec::new(),
        curl_cpu: Vec::new(),
        tool_cpu: Vec::new(),
    };
    // warm-up (page cache, server)
    timed(dir, "curl", curl_args, to_pipe, credentials);
    for round in 0..rounds {
        let mut pair = [(0.0, 0.0); 2];
        for step in 0..2 {
            let which = (round + step) % 2;
            pair[which] = if which == 0 {
                timed(dir, "curl", curl_args, to_pipe, credentials)
            } else {
                timed(dir, bin, tool_args, to_pipe, credentials)
            };
            between();
        }
        let ((c_cpu, c_wall), (t_cpu, t_wall)) = (pair[0], pair[1]);
        out.cpu_ratio.push(t_cpu / c_cpu.max(1e-3));
        out.tput_ratio.push(c_wall / t_wall);
        out.curl_cpu.push(c_cpu / gib);
        out.tool_cpu.push(t_cpu / gib);
    }
    out
}

impl VsCurl {
    /// Prints one row: `name` (left-aligned in `width`), the median CPU and throughput ratios,
    /// the CPU ratio's range, and the median CPU seconds per GiB of curl and of the tool.
    pub(crate) fn print_row(self, name: &str, width: usize) {
        let (lo, hi) = self
            .cpu_ratio
            .iter()
            .fold((f64::MAX, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
        println!(
            "{:<width$} {:>14.2} {:>14.2} {:>12} {:>16.3} {:>16.3}",
            name,
            median(self.cpu_ratio),
            median(self.tput_ratio),
            format!("{lo:.2}-{hi:.2}"),
            median(self.curl_cpu),
            median(self.tool_cpu)
        );
    }
}
