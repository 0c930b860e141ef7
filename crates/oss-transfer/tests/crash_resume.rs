//! A download process is killed (SIGKILL) between parts; a second run continues from the
//! checkpoint, fetches only the missing parts, and the result passes the CRC check.
//!
//! The test re-runs its own test binary as the child process (the `crash_child` helper below,
//! which does nothing unless the parent sets its environment variables).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{builder, checkpoint_parts, ranges_for, server_with_object, BUCKET, PART};
use oss_testserver::{generated_bytes, Fault, FaultRule};
use oss_transfer::{Downloader, PresignedGet};

const ENV_URL: &str = "OSS_TRANSFER_CRASH_CHILD_URL";
const ENV_CA: &str = "OSS_TRANSFER_CRASH_CHILD_CA";
const ENV_TARGET: &str = "OSS_TRANSFER_CRASH_CHILD_TARGET";
const PARTS: u64 = 16;

fn child_downloader(ca_pem: &str) -> Downloader {
    Downloader::builder()
        .add_root_certificates_pem(ca_pem)
        .part_size(PART)
        .parallelism(2)
        .write_buffer(16 << 10)
        .resume(true)
        .build()
        .expect("downloader")
}

/// Helper run in the child process; without the parent's environment it returns at once.
#[tokio::test]
#[ignore = "helper process for resume_after_the_process_is_killed_between_parts"]
async fn crash_child() {
    let Some([url, ca, target]) = common::from_parent([ENV_URL, ENV_CA, ENV_TARGET]) else {
        return;
    };
    let ca = std::fs::read_to_string(ca).expect("ca file");
    let _ = child_downloader(&ca)
        .download(PresignedGet::new(&url).expect("url"))
        .to_file(target)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_the_process_is_killed_between_parts() {
    let (server, dir, info) = server_with_object("crash.bin", PARTS * PART, 77).await;
    // slow enough that the child is still busy when it is killed
    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(512 << 10)).object(BUCKET, "crash.bin"));
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.tls().unwrap().ca_certificate_pem()).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("crash.bin");
    let url = server.object_url(BUCKET, "crash.bin");

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--ignored", "--nocapture"])
        .env(ENV_URL, &url)
        .env(ENV_CA, &ca)
        .env(ENV_TARGET, &target)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let checkpoint = out_dir.join(".crash.bin.oss-checkpoint");
    let started = Instant::now();
    while checkpoint_parts(&checkpoint).len() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child never recorded 4 parts"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child exited early"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup runs in the child
    child.wait().unwrap();
    assert!(!target.exists());
    let done = checkpoint_parts(&checkpoint);
    assert!(done.len() >= 4 && (done.len() as u64) < PARTS, "{done:?}");
    let missing: Vec<u64> = (0..PARTS).filter(|p| !done.contains(p)).collect();

    server.faults().clear();
    server.clear_requests();
    let second = builder(&server)
        .parallelism(2)
        .resume(true)
        .build()
        .unwrap();
    let o = second
        .download(PresignedGet::new(&url).unwrap())
        .to_file(&target)
        .await
        .unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert!(o.crc64_verified);
    assert_eq!(o.parts_fetched, missing.len() as u64);
    let mut got = ranges_for(&server, "crash.bin");
    got.sort();
    let mut want: Vec<String> = missing
        .iter()
        .map(|p| format!("bytes={}-{}", p * PART, (p + 1) * PART - 1))
        .collect();
    want.sort();
    assert_eq!(got, want, "only the missing parts are fetched");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes((PARTS * PART) as usize, 77)
    );
    assert_eq!(common::files_in(&out_dir), vec!["crash.bin".to_string()]);
}
