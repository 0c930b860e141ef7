//! `oss-presign put` against `curl -T` on the same presigned PUT URL of a local
//! `oss-presign serve` (plain HTTP), interleaved (curl, put, curl, put, ...), as whole
//! processes: CPU seconds per GiB (user + system, from `/usr/bin/time`) and wall-clock
//! throughput, reported as per-pair ratios put / curl, medians. A second row runs `put` as a
//! multipart upload it presigns itself (`oss://`, `--part-size 16M --parallel 4`) against the
//! same curl single PUT.
//!
//! `cargo bench -p oss-cli --bench upload_vs_curl` (under a minute; `-- --mib N` for the
//! object size, at most 1024: the file and its stored copy take twice that on disk;
//! `-- --rounds N`; `-- --bin PATH` runs another build). The file,
//! the server's folder and the uploaded objects live in a temporary folder removed at the end.

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

#[path = "support/local_serve.rs"]
mod local_serve;

use local_serve::{against_curl, arg, bench_folder, presign, serve, write_repeated_block};

fn main() {
    let mib: u64 = arg("--mib", 256u64).clamp(1, 1024);
    let rounds: usize = arg("--rounds", 4usize).max(1);
    let bin: String = arg("--bin", env!("CARGO_BIN_EXE_oss-presign").to_owned());
    let bin = bin.as_str();
    let (dir, root) = bench_folder("upload-bench-");
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
        against_curl(
            dir.path(),
            bin,
            &curl_args,
            &put_args,
            false,
            true,
            rounds,
            gib,
            || {},
        )
        .print_row(name, 28);
    }
    drop(served);
}
