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

#[path = "support/local_serve.rs"]
mod local_serve;

use local_serve::{against_curl, arg, bench_folder, presign, serve, write_repeated_block};

fn main() {
    let mib: u64 = arg("--mib", 256u64).clamp(1, 256);
    let rounds: usize = arg("--rounds", 5usize).max(1);
    let parallel: usize = arg("--parallel", 1usize).max(1);
    // `-- --bin PATH` measures another build (an earlier commit's binary) the same way.
    let bin: String = arg("--bin", env!("CARGO_BIN_EXE_oss-presign").to_owned());
    let bin = bin.as_str();
    let (dir, root) = bench_folder("download-bench-");
    write_repeated_block(&root.join("bench/object.bin"), mib);

    let (served, endpoint) = serve(bin, &root);
    let url = presign(bin, dir.path(), &endpoint, None);

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
        against_curl(
            dir.path(),
            bin,
            &curl_args,
            &get_args,
            to_pipe,
            false,
            rounds,
            gib,
            || {
                let _ = std::fs::remove_file(&file);
            },
        )
        .print_row(target, 8);
    }
    drop(served);
}
