//! `get oss://BUCKET/KEY` presigns its own URL, and presigns again when a slow download
//! outlasts `--expires`: a real child process against an in-process test server whose answers
//! are throttled, so the first URL expires part way.

mod common;

use std::collections::BTreeSet;

use common::*;
use oss_testserver::{generated_bytes, Fault, FaultRule, ServerBuilder};

const BUCKET: &str = "photos";
const KEY: &str = "slow.bin";
const SIZE: u64 = 16 * (64 << 10);

/// The `x-oss-signature` of a request target, if any.
fn signature_of(target: &str) -> Option<String> {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("x-oss-signature="))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_that_outlasts_its_url_is_presigned_again() {
    let server = ServerBuilder::new()
        .credential(AK, SK)
        .region("cn-hangzhou")
        .start()
        .await
        .expect("server starts");
    server
        .store()
        .put_generated(BUCKET, KEY, SIZE, 9)
        .expect("object");
    // 1 MiB in 64 KiB parts at 128 KiB/s per answer, two at a time: about 4 s; the URL
    // lasts 1 s.
    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(128 << 10)).object(BUCKET, KEY));
    let home = tempfile::tempdir().expect("home");
    let dir = tempfile::tempdir().expect("out");
    let endpoint = server.endpoint();
    let get = |target: &std::path::Path, source: &[&str]| {
        let mut command = oss_presign(&home);
        with_credentials(&mut command)
            .args(["get", "--quiet", "--part-size", "64K", "--parallel", "2"])
            .args(["--endpoint", &endpoint, "--region", "cn-hangzhou", "-o"])
            .arg(target)
            .args(source);
        let output = run(&mut command);
        assert_no_secret(&output, SK);
        output
    };

    // The same download through a given URL of 1 s fails once it has expired (exit 10), and
    // leaves nothing under the target name: what the re-presigning below is needed for.
    let url = {
        let mut command = oss_presign(&home);
        with_credentials(&mut command).args([
            "url",
            "--endpoint",
            &endpoint,
            "--region",
            "cn-hangzhou",
            "--expires",
            "1",
            "--output",
            "url",
            &format!("oss://{BUCKET}/{KEY}"),
        ]);
        let output = run(&mut command);
        assert_eq!(code(&output), 0, "{}", both(&output));
        stdout(&output).trim_end().to_owned()
    };
    let given = dir.path().join("given.bin");
    let output = get(&given, &[&url]);
    assert_eq!(code(&output), 10, "{}", both(&output));
    assert!(!given.exists());

    let before = server.requests().len();
    let target = dir.path().join("slow.bin");
    let output = get(
        &target,
        &[&format!("oss://{BUCKET}/{KEY}"), "--expires", "1"],
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(
        std::fs::read(&target).expect("downloaded"),
        generated_bytes(SIZE as usize, 9)
    );
    // The parts were fetched with more than one URL: the download presigned again.
    let signatures: BTreeSet<String> = server.requests()[before..]
        .iter()
        .filter(|r| r.method == "GET" && (200..300).contains(&r.status))
        .filter_map(|r| signature_of(&r.target))
        .collect();
    assert!(
        signatures.len() >= 2,
        "one URL served the whole download: {signatures:?}"
    );
}
