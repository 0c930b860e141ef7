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

#[path = "support/local_serve.rs"]
mod local_serve;

use local_serve::{arg, median, presign, serve, timed, write_repeated_block};

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
    let source = dir.path().join("source.bin");
    write_repeated_block(&source, mib);
    let source = source.to_str().unwrap_or_else(|| unreachable!()).to_owned();

    let (served, endpoint) = serve(bin, &root);
    let url = presign(bin, dir.path(), &endpoint, Some("put"));

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
        timed(dir.path(), "curl", &curl_args, false, true);
        for round in 0..rounds {
            let mut pair = [(0.0, 0.0); 2];
            for step in 0..2 {
                let which = (round + step) % 2;
                pair[which] = if which == 0 {
                    timed(dir.path(), "curl", &curl_args, false, true)
                } else {
                    timed(dir.path(), bin, &put_args, false, true)
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
