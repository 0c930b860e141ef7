//! `oss-presign put` against `curl -T` on the same presigned PUT URL of a local
//! `oss-presign serve` (plain HTTP), interleaved (curl, put, curl, put, ...), as whole
//! processes: CPU seconds per GiB (user + system, from `/usr/bin/time`) and wall-clock
//! throughput, reported as per-pair ratios put / curl, medians. A second row runs `put` as a
//! multipart upload it presigns itself (`oss://`, `--part-size 16M --parallel 4`) against the
//! same curl single PUT.
//!
//! `cargo bench -p oss-cli --bench upload_vs_curl` (under a minute; `-- --mib N` for the
//! object size, at most 256, `-- --rounds N`; `-- --bin PATH` runs another build). The file,
//! the server's folder and the uploaded objects live in a temporary folder removed at the end.

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
    // (the credentials are for `put oss://`, which presigns; curl ignores them)
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
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
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
    let rounds: usize = arg("--rounds", 4usize).max(1);
    let bin: String = arg("--bin", env!("CARGO_BIN_EXE_oss-presign").to_owned());
    let bin = bin.as_str();
    let dir = tempfile::Builder::new()
        .prefix("upload-bench-")
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
    let source = dir.path().join("source.bin");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&source).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..mib {
            f.write_all(&block).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let source = source.to_str().unwrap_or_else(|| unreachable!()).to_owned();

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
            "--op",
            "put",
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

    let gib = mib as f64 / 1024.0;
    println!(
        "upload_vs_curl: {mib} MiB over plain HTTP to a local serve, {rounds} rounds, curl -T and put interleaved"
    );
    println!(
        "{:<28} {:>14} {:>14} {:>12} {:>16} {:>16}",
        "put", "put/curl cpu", "put/curl tput", "(min-max cpu)", "curl cpu s/GiB", "put cpu s/GiB"
    );
    let curl_args = vec!["-s", "-f", "-o", "/dev/null", "-T", &source, &url];
    let single = vec!["put", &source, &url, "--quiet"];
    let multipart = vec![
        "put",
        &source,
        "oss://bench/object-mp.bin",
        "--endpoint",
        &endpoint,
        "--region",
        "cn-hangzhou",
        "--multipart-threshold",
        "16M",
        "--part-size",
        "16M",
        "--parallel",
        "4",
        "--quiet",
    ];
    for (name, put_args) in [
        ("single PUT (same URL)", single),
        ("multipart 16M x4 (presigned)", multipart),
    ] {
        let (mut cpu_ratio, mut tput_ratio, mut curl_cpu, mut put_cpu) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // warm-up (page cache, server)
        timed(dir.path(), "curl", &curl_args, false);
        for round in 0..rounds {
            let mut pair = [(0.0, 0.0); 2];
            for step in 0..2 {
                let which = (round + step) % 2;
                pair[which] = if which == 0 {
                    timed(dir.path(), "curl", &curl_args, false)
                } else {
                    timed(dir.path(), bin, &put_args, false)
                };
            }
            let ((c_cpu, c_wall), (p_cpu, p_wall)) = (pair[0], pair[1]);
            cpu_ratio.push(p_cpu / c_cpu.max(1e-3));
            tput_ratio.push(c_wall / p_wall);
            curl_cpu.push(c_cpu / gib);
            put_cpu.push(p_cpu / gib);
        }
        let (lo, hi) = cpu_ratio
            .iter()
            .fold((f64::MAX, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
        println!(
            "{:<28} {:>14.2} {:>14.2} {:>12} {:>16.3} {:>16.3}",
            name,
            median(cpu_ratio.clone()),
            median(tput_ratio),
            format!("{lo:.2}-{hi:.2}"),
            median(curl_cpu),
            median(put_cpu)
        );
    }
    drop(served);
}
