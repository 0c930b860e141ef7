//! Loopback throughput and memory benchmark of oss-transfer against `curl -o`.
//!
//! Starts an in-process oss-testserver (HTTPS, generated certificate; on its own tokio runtime
//! and threads) serving a generated object (not held in memory), then in one run:
//!
//! 1. `curl -o` on the URL (trusting the generated CA), timed;
//! 2. oss-transfer single stream (parallelism 1) to a file, timed;
//! 3. oss-transfer with the default part size and parallelism;
//! 4. with every response throttled to `--throttle` bytes/s (per connection): one stream
//!    against `--parts` parallel parts on a smaller object;
//!
//! and reports the peak resident set size of the process (`VmHWM`, server included).
//!
//! ```text
//! cargo run --release -p oss-transfer --example loopback_bench -- --size 1GiB
//! cargo run --release -p oss-transfer --example loopback_bench -- --size 256MiB --skip-curl
//! ```
//!
//! Flags: `--size N[KiB|MiB|GiB]` (default 1GiB), `--plain` (HTTP instead of HTTPS),
//! `--skip-curl`, `--repeat N` (curl / single-stream rounds, default 3), `--part-size` and
//! `--parallelism` (for the parallel run; default the crate defaults), `--throttle
//! BYTES_PER_SEC` (default 16MiB), `--throttled-size` (default 128MiB), `--parts N` (default
//! 4), `--dir PATH` (where files are written; default a temp dir).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oss_testserver::{Fault, FaultRule, ServerBuilder, TlsIdentity};
use oss_transfer::{Downloader, DownloaderBuilder, PresignedGet};

struct Args {
    size: u64,
    plain: bool,
    skip_curl: bool,
    throttle: u64,
    throttled_size: u64,
    parts: usize,
    dir: Option<PathBuf>,
    repeat: usize,
    part_size: Option<u64>,
    parallelism: Option<usize>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("GiB") {
        (n, 1u64 << 30)
    } else if let Some(n) = s.strip_suffix("MiB") {
        (n, 1 << 20)
    } else if let Some(n) = s.strip_suffix("KiB") {
        (n, 1 << 10)
    } else {
        (s, 1)
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("bad size {s:?}: use e.g. 1GiB, 256MiB or a byte count"))
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        size: 1 << 30,
        plain: false,
        skip_curl: false,
        throttle: 16 << 20,
        throttled_size: 128 << 20,
        parts: 4,
        dir: None,
        repeat: 3,
        part_size: None,
        parallelism: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => a.size = parse_size(&value()?)?,
            "--plain" => a.plain = true,
            "--skip-curl" => a.skip_curl = true,
            "--throttle" => a.throttle = parse_size(&value()?)?,
            "--throttled-size" => a.throttled_size = parse_size(&value()?)?,
            "--parts" => {
                a.parts = value()?
                    .parse()
                    .map_err(|_| "--parts needs a number".to_string())?
            }
            "--dir" => a.dir = Some(PathBuf::from(value()?)),
            "--repeat" => {
                a.repeat = value()?
                    .parse::<usize>()
                    .map_err(|_| "--repeat needs a number".to_string())?
                    .max(1)
            }
            "--part-size" => a.part_size = Some(parse_size(&value()?)?),
            "--parallelism" => {
                a.parallelism = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--parallelism needs a number".to_string())?,
                )
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

async fn timed_download(
    builder: DownloaderBuilder,
    url: &str,
    target: &Path,
) -> Result<Duration, String> {
    let d = builder.build().map_err(|e| e.to_string())?;
    let get = PresignedGet::new(url).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let o = d
        .download(get)
        .to_file(target)
        .await
        .map_err(|e| e.to_string())?;
    let el = t.elapsed();
    if !o.crc64_verified {
        return Err("CRC was not verified".into());
    }
    let _ = std::fs::remove_file(target);
    Ok(el)
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = args.dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let mut sb = ServerBuilder::new();
    let tls = if args.plain {
        None
    } else {
        Some(TlsIdentity::generate(&[]).map_err(|e| e.to_string())?)
    };
    if let Some(t) = &tls {
        sb = sb.tls(t.clone());
    }
    // The server gets its own runtime and threads, so it does not share the downloader's
    // worker threads (curl, a separate process, does not either).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-server")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let server = server_rt
        .spawn(async move { sb.start().await })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    server
        .store()
        .put_generated("bench", "object.bin", args.size, 42)
        .map_err(|e| e.to_string())?;
    server
        .store()
        .put_generated("bench", "throttled.bin", args.throttled_size, 43)
        .map_err(|e| e.to_string())?;
    let url = server.object_url("bench", "object.bin");
    let base = || {
        let b = Downloader::builder();
        match &tls {
            Some(t) => b.add_root_certificate_der(t.ca_certificate_der()),
            None => b,
        }
    };
    println!(
        "object {} bytes over {} on {}",
        args.size,
        if args.plain { "HTTP" } else { "HTTPS" },
        server.endpoint()
    );
    let baseline_rss = peak_rss_kib();

    let mut ratios = Vec::new();
    for round in 1..=args.repeat {
        let mut curl_rate = None;
        if !args.skip_curl {
            let out = dir.join("curl.out");
            let mut cmd = std::process::Command::new("curl");
            cmd.args(["-s", "-S", "-f", "-o"]).arg(&out);
            if let Some(t) = &tls {
                let ca = dir.join("ca.pem");
                std::fs::write(&ca, t.ca_certificate_pem()).map_err(|e| e.to_string())?;
                cmd.arg("--cacert").arg(&ca);
            }
            cmd.arg(&url);
            let t = Instant::now();
            let status = tokio::task::spawn_blocking(move || cmd.status())
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("cannot run curl: {e}"))?;
            let el = t.elapsed();
            if !status.success() {
                return Err(format!("curl failed: {status}"));
            }
            let _ = std::fs::remove_file(&out);
            let r = mib_s(args.size, el);
            curl_rate = Some(r);
            println!(
                "[{round}] curl -o                   {:>8.1} MiB/s  ({:.2} s)",
                r,
                el.as_secs_f64()
            );
        }
        let el = timed_download(base().parallelism(1), &url, &dir.join("single.bin")).await?;
        let single = mib_s(args.size, el);
        print!(
            "[{round}] oss-transfer 1 stream   {:>8.1} MiB/s  ({:.2} s)",
            single,
            el.as_secs_f64()
        );
        match curl_rate {
            Some(c) => {
                println!("  = {:.2}x curl", single / c);
                ratios.push(single / c);
            }
            None => println!(),
        }
    }
    if !ratios.is_empty() {
        ratios.sort_by(|a, b| a.total_cmp(b));
        println!(
            "single stream / curl: median {:.2}x, min {:.2}x, max {:.2}x over {} rounds",
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            ratios.len()
        );
    }

    let parallelism = args
        .parallelism
        .unwrap_or(oss_transfer::DEFAULT_PARALLELISM);
    let part_size = args.part_size.unwrap_or(oss_transfer::DEFAULT_PART_SIZE);
    let el = timed_download(
        base().parallelism(parallelism).part_size(part_size),
        &url,
        &dir.join("parallel.bin"),
    )
    .await?;
    println!(
        "oss-transfer {}x{} KiB parts   {:>8.1} MiB/s  ({:.2} s)",
        parallelism,
        part_size >> 10,
        mib_s(args.size, el),
        el.as_secs_f64()
    );

    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(args.throttle)).object("bench", "throttled.bin"));
    let turl = server.object_url("bench", "throttled.bin");
    let part = (args.throttled_size / (2 * args.parts as u64)).max(64 << 10);
    let el1 = timed_download(base().parallelism(1), &turl, &dir.join("t1.bin")).await?;
    let eln = timed_download(
        base().parallelism(args.parts).part_size(part),
        &turl,
        &dir.join("tn.bin"),
    )
    .await?;
    let (r1, rn) = (
        mib_s(args.throttled_size, el1),
        mib_s(args.throttled_size, eln),
    );
    println!(
        "throttled {} MiB/s per connection, {} MiB: 1 stream {:.1} MiB/s, {} parts {:.1} MiB/s = {:.2}x",
        args.throttle >> 20,
        args.throttled_size >> 20,
        r1,
        args.parts,
        rn,
        rn / r1
    );
    println!(
        "peak RSS (VmHWM, process incl. server): {} KiB = {:.1} MiB (after setup: {:.1} MiB)",
        peak_rss_kib(),
        peak_rss_kib() as f64 / 1024.0,
        baseline_rss as f64 / 1024.0
    );
    server.shutdown().await;
    server_rt.shutdown_background();
    Ok(())
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run()) {
        eprintln!("loopback_bench: {e}");
        std::process::exit(1);
    }
}
