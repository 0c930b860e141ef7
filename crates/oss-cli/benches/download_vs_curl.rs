//! `oss-presign get` against curl on the same URL of a local `oss-presign serve` (plain HTTP),
//! interleaved (curl, get, curl, get, ...), as whole processes: CPU seconds per GiB (user +
//! system, from `/usr/bin/time`, i.e. the kernel's accounting of each finished child) and
//! wall-clock throughput, reported as per-pair ratios get / curl, medians (issue 17).
//!
//! `cargo bench -p oss-cli --bench download_vs_curl` (about a minute; `-- --mib N` for the
//! object size, at most 256, `-- --rounds N`, `-- --parallel N` for get's connections (default 1:
//! a single stream, like curl)). Two targets: a file (`-o FILE`) and stdout (a pipe the bench
//! drains); `-- --bin PATH` runs another build of `oss-presign` (for before/after figures).
//! The object and downloaded files live in a temporary folder removed at the end.

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const AK: &str = "LTAI5tBenchAccessKeyId";
const SK: &str = "BenchAccessKeySecret0123456789abcdef";

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `program args` under `/usr/bin/time`; returns (cpu seconds, wall seconds).
fn timed(dir: &Path, program: &str, args: &[&str], to_pipe: bool) -> (f64, f64) {
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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mib: u64 = arg("--mib", 256u64).clamp(1, 256);
    let rounds: usize = arg("--rounds", 5usize).max(1);
    let parallel: usize = arg("--parallel", 1usize).max(1);
    // `-- --bin PATH` measures another build (an earlier commit's binary) the same way.
    let bin: String = arg("--bin", env!("CARGO_BIN_EXE_oss-presign").to_owned());
    let bin = bin.as_str();
    let dir = tempfile::Builder::new()
        .prefix("download-bench-")
        .tempdir()
        .unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("bench")).unwrap_or_else(|e| panic!("{e}"));
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let block: Vec<u8> = (0..(1 << 20))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect();
    {
        use std::io::Write as _;
        let mut f =
            std::fs::File::create(root.join("bench/object.bin")).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..mib {
            f.write_all(&block).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    let mut child = Command::new(bin)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .args(["serve", "--access-key-id", AK, "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("serve: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| unreachable!());
    let served = Served(child);
    let mut endpoint = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(e) = line.strip_prefix("endpoint: ") {
            endpoint = e.to_owned();
        }
        if line.starts_with("serving until interrupted") {
            break;
        }
    }
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "endpoint {endpoint:?}"
    );
    let url_out = Command::new(bin)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env("HOME", dir.path())
        .args(["url", "--endpoint", &endpoint, "--region", "cn-hangzhou"])
        .args([
            "--bucket",
            "bench",
            "--key",
            "object.bin",
            "--expires",
            "1h",
        ])
        .output()
        .unwrap_or_else(|e| panic!("url: {e}"));
    let text = String::from_utf8_lossy(&url_out.stdout);
    let url = text
        .lines()
        .next()
        .and_then(|l| l.split_once(", url: "))
        .map(|(_, u)| u.to_owned())
        .unwrap_or_else(|| panic!("no url in {text:?}"));

    let file = dir.path().join("out.bin");
    let file = file.to_str().unwrap_or_else(|| unreachable!()).to_owned();
    let parallel_text = parallel.to_string();
    let gib = mib as f64 / 1024.0;
    println!(
        "download_vs_curl: {mib} MiB over plain HTTP from a local serve, {rounds} rounds, curl and get interleaved, get --parallel {parallel}"
    );
    println!(
        "{:<8} {:>14} {:>14} {:>12} {:>16} {:>16}",
        "target",
        "get/curl cpu",
        "get/curl tput",
        "(min-max cpu)",
        "curl cpu s/GiB",
        "get cpu s/GiB"
    );
    for target in ["file", "stdout"] {
        let to_pipe = target == "stdout";
        let curl_args: Vec<&str> = if to_pipe {
            vec!["-s", "-f", &url]
        } else {
            vec!["-s", "-f", "-o", &file, &url]
        };
        let out = if to_pipe { "-" } else { file.as_str() };
        let get_args = vec![
            "get",
            &url,
            "-o",
            out,
            "--quiet",
            "--parallel",
            &parallel_text,
        ];
        let (mut cpu_ratio, mut tput_ratio, mut curl_cpu, mut get_cpu) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // warm-up (page cache, server)
        timed(dir.path(), "curl", &curl_args, to_pipe);
        for round in 0..rounds {
            let mut pair = [(0.0, 0.0); 2];
            for step in 0..2 {
                let which = (round + step) % 2;
                pair[which] = if which == 0 {
                    timed(dir.path(), "curl", &curl_args, to_pipe)
                } else {
                    timed(dir.path(), bin, &get_args, to_pipe)
                };
                let _ = std::fs::remove_file(&file);
            }
            let ((c_cpu, c_wall), (g_cpu, g_wall)) = (pair[0], pair[1]);
            cpu_ratio.push(g_cpu / c_cpu.max(1e-3));
            tput_ratio.push(c_wall / g_wall);
            curl_cpu.push(c_cpu / gib);
            get_cpu.push(g_cpu / gib);
        }
        let (lo, hi) = cpu_ratio
            .iter()
            .fold((f64::MAX, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
        println!(
            "{:<8} {:>14.2} {:>14.2} {:>12} {:>16.3} {:>16.3}",
            target,
            median(cpu_ratio.clone()),
            median(tput_ratio),
            format!("{lo:.2}-{hi:.2}"),
            median(curl_cpu),
            median(get_cpu)
        );
    }
    drop(served);
}
