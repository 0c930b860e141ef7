//! Another local user and a careless one: planted symlinks under the helper files' names,
//! a damaged temporary file before a resume, two downloads into one target, replaced files'
//! permissions, leftovers of interrupted runs, and target names of 255 bytes.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use common::*;
use oss_testserver::{generated_bytes, Fault, FaultRule};
use oss_transfer::{Cancellation, DownloadErrorKind, Downloader};

/// Finding 2: symlinks planted under every predictable helper name (the checkpoint, the
/// checkpoint's old `.writing` file, the old fixed temp name) are never written through.
#[tokio::test]
async fn planted_symlinks_under_helper_names_are_never_written_through() {
    let (server, dir, info) = server_with_object("k", 5 * PART + 3, 5).await;
    let victims = tempfile::tempdir().unwrap();
    let names = [
        ".k.oss-checkpoint",
        ".k.oss-checkpoint.writing",
        ".k.oss-temp",
    ];
    for (i, name) in names.iter().enumerate() {
        let victim = victims.path().join(format!("victim{i}"));
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
    }
    for resume in [true, false] {
        let d = builder(&server).resume(resume).build().unwrap();
        let o = fetch(&d, &server, "k", dir.path().join("k")).await.unwrap();
        assert_eq!(o.crc64, info.crc64);
        for i in 0..names.len() {
            let victim = victims.path().join(format!("victim{i}"));
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        }
    }
    assert_eq!(
        std::fs::read(dir.path().join("k")).unwrap(),
        generated_bytes((5 * PART + 3) as usize, 5)
    );
}

/// Finding 2 (lock file): a symlink planted as the lock file is refused with a typed error,
/// not opened through.
#[tokio::test]
async fn a_planted_lock_symlink_is_refused() {
    let (server, dir) = server_with_bytes("k", &[1u8; 100]).await;
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join(".k.oss-lock")).unwrap();
    let err = builder(&server)
        .build()
        .unwrap()
        .download(get(&server, "k"))
        .to_file(dir.path().join("k"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::Io, "{err}");
    assert!(err.to_string().contains("locking the target"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!dir.path().join("k").exists());
}

/// Finding 6: bytes of a kept part overwritten on disk between runs are detected by
/// re-reading the kept parts; the damaged part is fetched again and the result is exact.
#[tokio::test]
async fn resume_rechecks_the_kept_parts_on_disk() {
    let parts = 8u64;
    let (server, dir, info) = server_with_object("k", parts * PART, 21).await;
    let d = interrupted_download(&server, "k", &dir.path().join("k"), 3).await;
    let temp = files_in(dir.path())
        .into_iter()
        .find(|f| f.ends_with(".oss-temp"))
        .expect("the temp file is kept for resuming");
    // damage part 1 on disk (the checkpoint still says it is done)
    {
        use std::os::unix::fs::FileExt as _;
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(dir.path().join(&temp))
            .unwrap();
        f.write_all_at(&[0u8; 1000], PART + 17).unwrap();
    }
    server.faults().clear();
    server.clear_requests();
    let o = fetch(&d, &server, "k", dir.path().join("k")).await.unwrap();
    assert_eq!(o.crc64, info.crc64);
    assert!(o.crc64_verified);
    assert_eq!(o.parts_fetched, parts - 2, "part 1 is fetched again");
    let got = ranges_for(&server, "k");
    assert!(
        got.contains(&format!("bytes={}-{}", PART, 2 * PART - 1)),
        "{got:?}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("k")).unwrap(),
        generated_bytes((parts * PART) as usize, 21)
    );
    assert_eq!(files_in(dir.path()), vec!["k".to_string()]);
}

/// Finding 7: a second download into the same target while the first runs is refused with
/// `InUse`; the first completes with exactly its own object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_download_into_the_same_target_is_refused() {
    let (server, dir, a) = server_with_object("a", 6 * PART, 1).await;
    server
        .store()
        .put_generated(BUCKET, "b", 6 * PART, 2)
        .unwrap();
    server
        .faults()
        .add(FaultRule::new(Fault::Throttle(1 << 20)).object(BUCKET, "a"));
    let target = dir.path().join("same.bin");
    let d = builder(&server).resume(true).build().unwrap();
    let first = {
        let d = d.clone();
        let get = get(&server, "a");
        let target = target.clone();
        tokio::spawn(async move { d.download(get).to_file(&target).await })
    };
    // wait until the first holds the lock
    let lock = dir.path().join(".same.bin.oss-lock");
    for _ in 0..2000 {
        if lock.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(lock.exists(), "the first download takes the lock");
    let err = fetch(&d, &server, "b", &target).await.unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::InUse, "{err}");
    assert!(err.to_string().contains("another download"), "{err}");
    let o = first.await.unwrap().unwrap();
    assert_eq!(o.crc64, a.crc64);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        generated_bytes((6 * PART) as usize, 1)
    );
    assert_eq!(files_in(dir.path()), vec!["same.bin".to_string()]);
}

/// Finding 9: replacing an existing 0600 file keeps 0600 (it used to become 0644).
#[tokio::test]
async fn replacing_a_file_keeps_its_mode() {
    let (server, dir) = server_with_bytes("k", &[9u8; 1000]).await;
    let target = dir.path().join("secret.txt");
    for mode in [0o600, 0o640] {
        std::fs::write(&target, b"old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        builder(&server)
            .build()
            .unwrap()
            .download(get(&server, "k"))
            .to_file(&target)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), vec![9u8; 1000]);
        let now = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(now, mode);
    }
}

/// Findings 5 and 10: cancelling a plain download removes its temporary file; a plain run
/// after an interrupted resumable run removes the old temp file and checkpoint; stale temp
/// files of earlier runs are cleaned by the next run.
#[tokio::test]
async fn interrupted_runs_leave_nothing_after_the_next_plain_run() {
    let parts = 6u64;
    let (server, dir, _) = server_with_object("k", parts * PART, 3).await;
    let target = dir.path().join("k");

    // plain run cancelled half way: nothing left
    stall_once(&server, "k", 2 * PART);
    let plain = builder(&server).parallelism(1).build().unwrap();
    let cancel = Cancellation::new();
    let c = cancel.clone();
    let dir_path = dir.path().to_path_buf();
    let watcher = tokio::spawn(async move {
        // cancel once the temp file exists and some bytes arrived
        loop {
            let has_temp = files_in(&dir_path).iter().any(|f| f.ends_with(".oss-temp"));
            if has_temp {
                tokio::time::sleep(Duration::from_millis(50)).await;
                c.cancel();
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    let err = plain
        .download(get(&server, "k"))
        .cancellation(cancel)
        .to_file(&target)
        .await
        .unwrap_err();
    watcher.await.unwrap();
    assert_eq!(err.kind(), DownloadErrorKind::Cancelled);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());

    // resumable run cancelled: temp + checkpoint kept
    server.faults().clear();
    interrupted_download(&server, "k", &target, 2).await;
    assert_eq!(files_in(dir.path()).len(), 2, "{:?}", files_in(dir.path()));
    // a stale temp file of a killed plain run (random name, the user's own)
    std::fs::write(dir.path().join(".k.0123456789abcdef.oss-temp"), b"stale").unwrap();
    // somebody else's file that merely looks alike is not ours to delete
    std::fs::write(dir.path().join(".k.not-random.oss-temp"), b"keep").unwrap();

    server.faults().clear();
    fetch(&plain, &server, "k", &target).await.unwrap();
    assert_eq!(
        files_in(dir.path()),
        vec![".k.not-random.oss-temp".to_string(), "k".to_string()]
    );
}

/// Finding 13: a 255-byte target name works (helper names stay within NAME_MAX); 256 bytes
/// is a typed error, not an OS failure half way.
#[tokio::test]
async fn target_names_up_to_255_bytes_work() {
    let (server, dir, _) = server_with_object("k", 3 * PART, 8).await;
    for (name, resume) in [
        ("n".repeat(229), false),
        ("l".repeat(255), true),
        (format!("{}.bin", "é".repeat(125)), true),
    ] {
        let target = dir.path().join(&name);
        let d = builder(&server).resume(resume).build().unwrap();
        let o = fetch(&d, &server, "k", &target).await.unwrap();
        assert_eq!(o.size, 3 * PART);
        assert!(target.exists());
        std::fs::remove_file(&target).unwrap();
    }
    let err = Downloader::builder()
        .build()
        .unwrap()
        .download(get(&server, "k"))
        .to_file(dir.path().join("m".repeat(256)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), DownloadErrorKind::InvalidInput, "{err}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}
