//! `oss-presign put` as a multipart upload (4 parts at once) against a single PUT when every
//! connection is throttled: both go through a TCP proxy on 127.0.0.1 that passes at most
//! `--mib-per-s` MiB/s upstream per connection (as a per-connection bandwidth limit would),
//! to a local `oss-presign serve` over plain HTTP. Reports the wall-clock ratio single /
//! multipart (issue 14's goal: at least 3x).
//!
//! `cargo bench -p oss-cli --bench upload_throttled` (about 15 s after the build; `-- --mib N`
//! file size, default 16, at most 256; `-- --mib-per-s N`, default 2; `-- --rounds N`).

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

#[path = "support/local_serve.rs"]
mod local_serve;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use local_serve::{arg, bench_folder, serve, AK, SK};

/// A proxy thread pair per connection: client -> server paced at `rate` bytes per second.
fn proxy(target: std::net::SocketAddr, rate: u64) -> std::net::SocketAddr {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = std::net::TcpStream::connect(target) else {
                continue;
            };
            let (mut c_read, mut s_write) = (
                client.try_clone().unwrap_or_else(|e| panic!("{e}")),
                server.try_clone().unwrap_or_else(|e| panic!("{e}")),
            );
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 16 << 10];
                let started = Instant::now();
                let mut sent = 0u64;
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n as u64;
                    let due = Duration::from_secs_f64(sent as f64 / rate as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
                let _ = s_write.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    addr
}

fn timed(bin: &str, home: &std::path::Path, args: &[&str]) -> f64 {
    let started = Instant::now();
    let status = Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{bin}: {e}"));
    assert!(status.success(), "put {args:?} failed: {status}");
    started.elapsed().as_secs_f64()
}

fn main() {
    let mib: u64 = arg("--mib", 16u64).clamp(1, 256);
    let rate_mib: u64 = arg("--mib-per-s", 2u64).max(1);
    let rounds: usize = arg("--rounds", 1usize).max(1);
    let bin = env!("CARGO_BIN_EXE_oss-presign");
    let (dir, root) = bench_folder("upload-throttled-");
    let source = dir.path().join("source.bin");
    let bytes = oss_testserver::generated_bytes((mib << 20) as usize, 0);
    std::fs::write(&source, &bytes).unwrap_or_else(|e| panic!("{e}"));
    drop(bytes);
    let source = source.to_str().unwrap_or_else(|| unreachable!()).to_owned();

    let (served, endpoint) = serve(bin, &root);
    let target: std::net::SocketAddr = endpoint
        .trim_start_matches("http://")
        .parse()
        .unwrap_or_else(|e| panic!("endpoint {endpoint:?}: {e}"));
    let via = format!("http://{}", proxy(target, rate_mib << 20));
    let part = format!("{}", (mib << 20).div_ceil(4).max(100 << 10));
    let common = [
        "--endpoint",
        via.as_str(),
        "--region",
        "cn-hangzhou",
        "--quiet",
    ];
    let mut single_args = vec!["put", source.as_str(), "oss://bench/single.bin"];
    single_args.extend_from_slice(&common);
    single_args.extend_from_slice(&["--multipart-threshold", "5G"]);
    let mut multi_args = vec!["put", source.as_str(), "oss://bench/multi.bin"];
    multi_args.extend_from_slice(&common);
    multi_args.extend_from_slice(&[
        "--multipart-threshold",
        "100K",
        "--part-size",
        part.as_str(),
        "--parallel",
        "4",
    ]);
    println!("upload_throttled: {mib} MiB, {rate_mib} MiB/s per connection, {rounds} round(s)");
    let mut ratios = Vec::new();
    for _ in 0..rounds {
        let single = timed(bin, dir.path(), &single_args);
        let multi = timed(bin, dir.path(), &multi_args);
        println!("single PUT {single:.2} s, multipart 4 x {part} bytes {multi:.2} s, single/multipart {:.2}", single / multi);
        ratios.push(single / multi);
    }
    ratios.sort_by(f64::total_cmp);
    println!("median single/multipart: {:.2}", ratios[ratios.len() / 2]);
    drop(served);
}
