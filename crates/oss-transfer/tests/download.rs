//! Downloads against the local HTTPS test server: sizes, modes, faults, integrity, resume.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use oss_testserver::ObjectInfo;
use oss_testserver::{generated_bytes, Fault, FaultRule};
use oss_transfer::{Cancellation, DownloadErrorKind, DownloadOutcome, Downloader, HttpVersion};

/// Downloads `k` to `target`, which must succeed with the CRC-64 of the object `info`.
async fn fetch_checked(
    d: &Downloader,
    server: &oss_testserver::TestServer,
    target: impl AsRef<std::path::Path>,
    info: &ObjectInfo,
) -> DownloadOutcome {
    let o = fetch(d, server, "k", target).await.unwrap();
    assert_eq!(o.crc64, info.crc64);
    o
}

#[tokio::test]
async fn whole_objects_of_awkward_sizes_in_parallel_and_single_stream() {
    let server = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    let sizes = [0u64, 1, PART - 1, PART, PART + 1, 5 * PART + 123];
    for (i, &size) in sizes.iter().enumerate() {
        let key = format!("obj-{size}");
        let info = server
            .store()
            .put_generated(BUCKET, &key, size, i as u64)
            .unwrap();
        for parallelism in [1usize, 3] {
            let d = builder(&server).parallelism(parallelism).build().unwrap();
            let target = dir.path().join(format!("{key}-{parallelism}"));
            let o = fetch(&d, &server, &key, &target).await.unwrap();
            assert_eq!(o.size, size);
            assert_eq!(o.crc64, info.crc64);
            assert!(o.crc64_verified);
            assert_eq!(o.etag.as_deref(), Some(info.etag.as_str()));
            let got = std::fs::read(&target).unwrap();
            assert_eq!(
                got,
                generated_bytes(size as usize, i as u64),
                "size {size} p {parallelism}"
            );
        }
    }
    // only the targets remain: no temporary files
    assert!(files_in(dir.path()).iter().all(|f| f.starts_with("obj-")));
}

#[tokio::test]
async fn single_stream_uses_one_request_and_parallel_uses_one_per_part() {
    let (server, dir, _) = server_with_object("k", 4 * PART, 9).await;
    let d = builder(&server).parallelism(1).build().unwrap();
    let o = fetch(&d, &server, "k", dir.path().join("a")).await.unwrap();
    assert_eq!(o.requests, 1);
    assert_eq!(ranges_for(&server, "k"), vec!["bytes=0-".to_string()]);
    server.clear_requests();
    let d = builder(&server).parallelism(3).build().unwrap();
    let o = fetch(&d, &server, "k", dir.path().join("b")).await.unwrap();
    assert_eq!(o.requests, 4);
    let mut r = ranges_for(&server, "k");
    r.sort();
    let mut want: Vec<String> = (0..4)
        .map(|i| format!("bytes={}-{}", i * PART, (i + 1) * PART - 1))
        .collect();
    want.sort();
    assert_eq!(r, want);
    // every part after the first is pinned to the ETag
    let info = server.store().info(BUCKET, "k").unwrap();
    let pinned = server
        .requests()
        .iter()
        .filter(|r| r.header("if-match") == Some(info.etag.as_str()))
        .count();
    assert_eq!(pinned, 3);
}

#[tokio::test]
async fn writer_output_is_in_order_for_parallel_parts() {
    let server = https_server().await;
    let size = 7 * PART + 5;
    server.store().put_generated(BUCKET, "w", size, 3).unwrap();
    for version in [HttpVersion::Http1, HttpVersion::Auto, HttpVersion::Http2] {
        let d = builder(&server)
            .parallelism(4)
            .http_version(version)
            .build()
            .unwrap();
        let mut out = Vec::new();
        let o = d
            .download(get(&server, "w"))
            .to_writer(&mut out)
            .await
            .unwrap();
        assert!(o.crc64_verified);
        assert_eq!(out, generated_bytes(size as usize, 3), "{version:?}");
    }
}

/// A `std::io::Write` that keeps what it got and counts the vectored calls.
#[derive(Clone, Default)]
struct Collect(std::sync::Arc<std::sync::Mutex<(Vec<u8>, usize)>>);

impl std::io::Write for Collect {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Short writes on purpose: the writer must finish every batch itself.
        let n = buf.len().min(100_000);
        self.0.lock().unwrap().0.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        self.0.lock().unwrap().1 += 1;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        self.write(first)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_writer_gets_every_byte_in_order() {
    let server = https_server().await;
    let size = 5 * PART + 7;
    server.store().put_generated(BUCKET, "b", size, 4).unwrap();
    let d = builder(&server).parallelism(3).build().unwrap();
    let out = Collect::default();
    let o = d
        .download(get(&server, "b"))
        .to_blocking_writer(out.clone())
        .await
        .unwrap();
    assert!(o.crc64_verified);
    let (bytes, vectored) = out.0.lock().unwrap().clone();
    assert_eq!(bytes, generated_bytes(size as usize, 4));
    assert!(vectored > 0);
}

#[tokio::test]
async fn retries_5xx_then_succeeds() {
    let (server, dir, _) = server_with_object("k", 3 * PART, 1).await;
    server.faults().add(
        FaultRule::new(Fault::Status(503))
            .object(BUCKET, "k")
            .times(2),
    );
    server.faults().add(
        FaultRule::new(Fault::Status(500))
            .object(BUCKET, "k")
            .range_start(PART)
            .times(1),
    );
    let d = builder(&server).build().unwrap();
    let o = fetch(&d, &server, "k", dir.path().join("k")).await.unwrap();
    assert_eq!(o.retries, 3);
    assert!(o.crc64_verified);
}

#[tokio::test]
async fn gives_up_after_bounded_attempts_and_leaves_no_file() {
    let (server, dir, _) = server_with_object("k", 2 * PART, 1).await;
    server
        .faults()
        .add(FaultRule::new(Fault::Status(500)).object(BUCKET, "k"));
    let d = builder(&server).build().unwrap();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::HttpStatus);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.attempts(), 4);
    assert_eq!(err.oss_error().unwrap().code, "InternalError");
    assert!(err.request_id().is_some());
    assert_eq!(server.requests().len(), 4);
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn status_403_and_404_are_not_retried() {
    let server = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    let d = builder(&server).build().unwrap();
    let err = fetch(&d, &server, "missing", dir.path().join("m"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::NotFound);
    assert_eq!(err.oss_error().unwrap().code, "NoSuchBucket");
    server.store().create_bucket(BUCKET).unwrap();
    let err = fetch(&d, &server, "missing", dir.path().join("m"))
        .await
        .unwrap_err();
    assert_eq!(err.oss_error().unwrap().code, "NoSuchKey");
    server.store().put(BUCKET, "k", b"x".to_vec()).unwrap();
    server
        .faults()
        .add(FaultRule::new(Fault::Status(403)).object(BUCKET, "k"));
    server.clear_requests();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::AccessDenied);
    assert_eq!(server.requests().len(), 1);
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn dropped_connection_resumes_from_the_byte_reached() {
    let (server, dir, info) = server_with_object("k", 4 * PART, 2).await;
    // the part at 2*PART loses its connection after 1000 bytes, once
    fault_once_at(&server, Fault::DropAfter(1000), 2 * PART);
    let d = builder(&server).build().unwrap();
    let target = dir.path().join("k");
    let o = fetch_checked(&d, &server, &target, &info).await;
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes(4 * PART as usize, 2)
    );
    let ranges = ranges_for(&server, "k");
    let resumed = format!("bytes={}-{}", 2 * PART + 1000, 3 * PART - 1);
    assert!(ranges.contains(&resumed), "{ranges:?}");
    assert_eq!(o.bytes_fetched, 4 * PART);
}

#[tokio::test]
async fn single_stream_survives_repeated_drops() {
    let (server, dir, info) = server_with_object("k", 6 * PART, 4).await;
    server
        .faults()
        .add(FaultRule::new(Fault::DropAfter(PART + 17)).times(5));
    let d = builder(&server).parallelism(1).build().unwrap();
    let o = fetch_checked(&d, &server, dir.path().join("k"), &info).await;
    assert_eq!(o.retries, 5);
    assert_eq!(o.bytes_fetched, 6 * PART);
}

#[tokio::test]
async fn throttled_stalled_and_slow_headers_still_complete() {
    let (server, dir, info) = server_with_object("k", 3 * PART, 5).await;
    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(2 << 20)).object(BUCKET, "k"));
    fault_once_at(
        &server,
        Fault::Stall {
            after: 100,
            duration: Duration::from_millis(300),
        },
        PART,
    );
    fault_once_at(
        &server,
        Fault::DelayHeaders(Duration::from_millis(200)),
        2 * PART,
    );
    let d = builder(&server).build().unwrap();
    let o = fetch_checked(&d, &server, dir.path().join("k"), &info).await;
    assert_eq!(o.retries, 0);
}

#[tokio::test]
async fn stall_longer_than_the_idle_timeout_is_retried() {
    let (server, dir, info) = server_with_object("k", 2 * PART, 6).await;
    fault_once_at(
        &server,
        Fault::Stall {
            after: 10,
            duration: Duration::from_secs(3),
        },
        PART,
    );
    fault_once_at(&server, Fault::DelayHeaders(Duration::from_secs(3)), 0);
    let d = builder(&server)
        .idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let o = fetch_checked(&d, &server, dir.path().join("k"), &info).await;
    assert_eq!(o.retries, 2);
}

#[tokio::test]
async fn object_changed_mid_download_is_an_error_and_leaves_no_file() {
    let (server, dir, _) = server_with_object("k", 4 * PART, 7).await;
    let replacement = generated_bytes(4 * PART as usize, 8);
    server.faults().add(
        FaultRule::new(Fault::ReplaceObject(replacement.into()))
            .object(BUCKET, "k")
            .skip(1)
            .times(1),
    );
    for parallelism in [3usize] {
        let d = builder(&server).parallelism(parallelism).build().unwrap();
        let target = dir.path().join("k");
        let err = fetch(&d, &server, "k", &target).await.unwrap_err();
        assert_eq!(err.kind(), DownloadErrorKind::ObjectChanged, "{err}");
        assert_eq!(err.status(), Some(412));
        assert!(files_in(dir.path()).is_empty());
    }
}

#[tokio::test]
async fn single_stream_resume_detects_a_changed_object() {
    let (server, dir, _) = server_with_object("k", 4 * PART, 7).await;
    // the first response breaks; before the resume request the object is replaced
    server.faults().add(
        FaultRule::new(Fault::DropAfter(PART + 5))
            .object(BUCKET, "k")
            .times(1),
    );
    server.faults().add(
        FaultRule::new(Fault::ReplaceObject(
            generated_bytes(4 * PART as usize, 9).into(),
        ))
        .object(BUCKET, "k")
        .skip(1)
        .times(1),
    );
    let d = builder(&server).parallelism(1).build().unwrap();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::ObjectChanged);
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn corrupted_bytes_and_wrong_crc_header_fail_integrity() {
    let (server, dir, _) = server_with_object("k", 3 * PART, 1).await;
    fault_once_at(&server, Fault::CorruptByte(PART + 3), PART);
    let d = builder(&server).build().unwrap();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Integrity, "{err}");
    assert!(err.to_string().contains("CRC-64"));
    assert!(files_in(dir.path()).is_empty());

    server.faults().clear();
    server
        .faults()
        .add(FaultRule::new(Fault::WrongCrcHeader).object(BUCKET, "k"));
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Integrity);
    // with verification off the same download succeeds (and says it did not verify)
    let d = builder(&server).verify_crc64(false).build().unwrap();
    let o = fetch(&d, &server, "k", dir.path().join("k")).await.unwrap();
    assert!(!o.crc64_verified);
}

#[tokio::test]
async fn ignored_range_on_a_later_part_is_a_protocol_error() {
    let (server, dir, _) = server_with_object("k", 3 * PART, 1).await;
    server
        .faults()
        .add(FaultRule::new(Fault::IgnoreRange).range_start(2 * PART));
    let d = builder(&server).build().unwrap();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Protocol, "{err}");
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn progress_is_monotonic_and_ends_at_the_total() {
    let server = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    let size = 6 * PART;
    server.store().put_generated(BUCKET, "k", size, 1).unwrap();
    type Seen = Arc<Mutex<Vec<(u64, Option<u64>)>>>;
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let d = builder(&server).build().unwrap();
    d.download(get(&server, "k"))
        .progress(move |p| s2.lock().unwrap().push((p.bytes_done, p.total)))
        .to_file(dir.path().join("k"))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty());
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(*seen.last().unwrap(), (size, Some(size)));
}

#[tokio::test]
async fn cancellation_stops_and_with_resume_the_next_run_fetches_only_missing_parts() {
    let parts = 8u64;
    let (server, dir, info) = server_with_object("k", parts * PART, 11).await;
    let target = dir.path().join("k");
    // cancelled once the checkpoint records three finished parts: work is left to do
    let d = interrupted_download(&server, "k", &target, 3).await;
    assert!(!target.exists());
    let left = files_in(dir.path());
    assert!(
        left.iter().any(|f| f.ends_with(".oss-checkpoint")),
        "{left:?}"
    );
    assert!(left.iter().any(|f| f.ends_with(".oss-temp")), "{left:?}");

    server.faults().clear();
    server.clear_requests();
    let o = fetch_checked(&d, &server, &target, &info).await;
    assert!(o.crc64_verified);
    assert_eq!(o.parts_fetched, parts - 3);
    assert_eq!(
        ranges_for(&server, "k"),
        vec![format!("bytes={}-{}", 3 * PART, parts * PART - 1)]
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes((parts * PART) as usize, 11)
    );
    assert_eq!(files_in(dir.path()), vec!["k".to_string()]);
}

/// A cancellation that lands while the download commits (the temporary file renamed to the
/// target, then the checkpoint removed) must not leave the disk disagreeing with the result:
/// either `Ok` with the object under the target and no helper files, or `Cancelled` with no
/// target. A thread spins on the target's name and cancels the instant it appears, which is
/// inside the commit if the commit has any await point after the rename.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_during_the_commit_agrees_with_what_is_on_disk() {
    let server = https_server().await;
    let parts = 3u64;
    server
        .store()
        .put_generated(BUCKET, "k", parts * PART, 5)
        .unwrap();
    let d = resuming(&server);
    let rounds = 30;
    let mut ok = 0;
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("k");
        let cancel = Cancellation::new();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (cancel, stop, target) = (cancel.clone(), stop.clone(), target.clone());
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if target.exists() {
                        cancel.cancel();
                        return;
                    }
                    std::hint::spin_loop();
                }
            })
        };
        let result = d
            .download(get(&server, "k"))
            .cancellation(cancel)
            .to_file(&target)
            .await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        watcher.join().unwrap();
        let left = files_in(dir.path());
        match result {
            Ok(o) => {
                ok += 1;
                assert_eq!(o.size, parts * PART);
                assert_eq!(
                    std::fs::read(&target).unwrap(),
                    generated_bytes((parts * PART) as usize, 5)
                );
                assert_eq!(left, vec!["k".to_string()], "round {round}");
            }
            Err(e) => {
                assert_eq!(e.kind(), DownloadErrorKind::Cancelled, "round {round}");
                assert!(!target.exists(), "round {round}: cancelled but {left:?}");
            }
        }
    }
    // the watcher only cancels once the target exists, so every round has committed
    assert_eq!(ok, rounds);
}

#[tokio::test]
async fn a_checkpoint_for_another_object_version_is_discarded() {
    let (server, dir, _) = server_with_object("k", 4 * PART, 1).await;
    server
        .faults()
        .add(FaultRule::new(Fault::Status(500)).range_start(3 * PART));
    let d = builder(&server)
        .resume(true)
        .retry(oss_transfer::RetryPolicy::none())
        .build()
        .unwrap();
    let target = dir.path().join("k");
    let err = fetch(&d, &server, "k", &target).await.unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::HttpStatus);
    assert!(files_in(dir.path())
        .iter()
        .any(|f| f.ends_with(".oss-checkpoint")));
    // the object changes between runs: the checkpoint must not be used
    server.faults().clear();
    let info = server
        .store()
        .put_generated(BUCKET, "k", 4 * PART, 2)
        .unwrap();
    let o = fetch_checked(&d, &server, &target, &info).await;
    assert_eq!(o.parts_fetched, 4);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes(4 * PART as usize, 2)
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_network_error() {
    let (server, dir) = server_with_bytes("k", b"x").await;
    let other = oss_testserver::TlsIdentity::generate(&[]).unwrap();
    let d = oss_transfer::Downloader::builder()
        .add_root_certificate_der(other.ca_certificate_der())
        .retry(oss_transfer::RetryPolicy::none())
        .build()
        .unwrap();
    let err = fetch(&d, &server, "k", dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Network);
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn connections_are_reused_across_parts_and_downloads() {
    let (server, dir, _) = server_with_object("k", 12 * PART, 1).await;
    let d = builder(&server).parallelism(2).build().unwrap();
    for i in 0..3 {
        d.download(get(&server, "k"))
            .to_file(dir.path().join(format!("k{i}")))
            .await
            .unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 36);
    assert!(requests.iter().all(|r| r.version == "HTTP/1.1"));
    // 36 requests over HTTP/1.1 with two parts in flight: a handful of pooled connections
    assert!(
        server.connections_accepted() <= 4,
        "{} connections",
        server.connections_accepted()
    );
}
