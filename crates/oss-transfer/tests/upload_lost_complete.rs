//! Multipart uploads whose CompleteMultipartUpload answer is lost, through a proxy on
//! 127.0.0.1 in front of a real `oss-testserver` (`common::complete_proxy`): the retried
//! Complete is told `NoSuchUpload`, and a HEAD of the object decides. The object is this file
//! (size and CRC-64): the upload succeeded, nothing sent again. Someone else aborted the upload
//! (another object, or none, at the key), or the HEAD carries no CRC-64: `UploadVanished`,
//! nothing uploaded again. A presigner that cannot presign a HEAD: the `NoSuchUpload` error
//! (without resume) or a new upload (with resume), as before.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::complete_proxy::{self, FirstComplete, Plan};
use common::{fast_retry, ObjectUrls};
use oss_testserver::{generated_bytes, RecordedRequest, ServerBuilder, TestServer};
use oss_transfer::{
    crc64, Crc64Check, UploadError, UploadErrorKind, UploadOperation, UploadOutcome,
    UploadPresignFuture, UploadPresigner, Uploader,
};

const BUCKET: &str = "lost";
const LEN: usize = 350_000;
/// 350,000 bytes in parts of 100 KiB.
const PARTS: usize = 4;

/// Hands out [`ObjectUrls`]' requests but refuses HeadObject, as a process given a fixed list of
/// URLs would.
#[derive(Debug)]
struct NoHead(ObjectUrls);

impl UploadPresigner for NoHead {
    fn presign_upload<'a>(&'a self, op: &'a UploadOperation) -> UploadPresignFuture<'a> {
        match op {
            UploadOperation::HeadObject => Box::pin(async {
                Err(UploadError::new(
                    UploadErrorKind::InvalidInput,
                    "no HeadObject URL was given",
                ))
            }),
            other => self.0.presign_upload(other),
        }
    }
}

/// A run: the server, what the upload returned, the file's bytes, the scratch folder.
struct Run {
    server: TestServer,
    result: Result<UploadOutcome, UploadError>,
    bytes: Vec<u8>,
    dir: tempfile::TempDir,
}

impl Run {
    /// Requests the server received with `method` whose target contains `needle`.
    fn requests(&self, method: &str, needle: &str) -> Vec<RecordedRequest> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.target.contains(needle))
            .collect()
    }

    fn statuses(&self, method: &str, needle: &str) -> Vec<u16> {
        self.requests(method, needle)
            .iter()
            .map(|r| r.status)
            .collect()
    }

    fn part_puts(&self) -> usize {
        self.requests("PUT", "partNumber=").len()
    }

    fn heads(&self) -> usize {
        self.requests("HEAD", "").len()
    }

    /// Asserts that the file went up once: one InitiateMultipartUpload, every part sent once.
    fn assert_sent_once(&self) {
        assert_eq!(self.statuses("POST", "?uploads"), vec![200]);
        assert_eq!(self.part_puts(), PARTS);
    }

    /// The error of a run that must end in `UploadVanished` saying `saying`.
    fn vanished(&self, saying: &str) -> &UploadError {
        let e = self.result.as_ref().unwrap_err();
        assert_eq!(e.kind(), UploadErrorKind::UploadVanished, "{e}");
        assert!(e.to_string().contains(saying), "{e}");
        e
    }
}

/// Uploads a `LEN`-byte file to `BUCKET/key` through a proxy acting by `plan`, with presigner
/// `wrap(urls)` (`urls` the proxy's object URLs) and `resume`.
async fn run(
    key: &str,
    plan: Plan,
    resume: bool,
    wrap: fn(ObjectUrls) -> Arc<dyn UploadPresigner>,
) -> Run {
    run_with(key, plan, resume, true, wrap).await
}

/// [`run`], comparing CRC-64s (`verify_crc64`) only when `verify`.
async fn run_with(
    key: &str,
    plan: Plan,
    resume: bool,
    verify: bool,
    wrap: fn(ObjectUrls) -> Arc<dyn UploadPresigner>,
) -> Run {
    let server = ServerBuilder::new().start().await.unwrap();
    server.store().create_bucket(BUCKET).unwrap();
    let proxy = complete_proxy::start(server.addr(), plan).await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated_bytes(LEN, 7);
    let path = dir.path().join("src");
    std::fs::write(&path, &bytes).unwrap();
    let uploader = Uploader::builder()
        .part_size(100 << 10)
        .parallelism(2)
        .multipart_threshold(100 << 10)
        .idle_timeout(Duration::from_secs(2))
        .resume(resume)
        .verify_crc64(verify)
        .retry(fast_retry(3, Duration::from_millis(20)))
        .build()
        .unwrap();
    let urls = ObjectUrls(format!("http://{proxy}/{BUCKET}/{key}"));
    let result = uploader.upload(wrap(urls)).from_file(&path).await;
    Run {
        server,
        result,
        bytes,
        dir,
    }
}

fn with_head(urls: ObjectUrls) -> Arc<dyn UploadPresigner> {
    Arc::new(urls)
}

fn without_head(urls: ObjectUrls) -> Arc<dyn UploadPresigner> {
    Arc::new(NoHead(urls))
}

fn plan(first_complete: FirstComplete) -> Plan {
    Plan {
        first_complete,
        strip_head_crc: false,
    }
}

#[tokio::test]
async fn a_lost_complete_answer_is_confirmed_by_a_head_and_nothing_is_sent_again() {
    // without verify_crc64 too: the HEAD's CRC-64 is the only evidence, so it is compared
    for (resume, verify) in [(false, true), (true, true), (false, false)] {
        let r = run_with(
            "done.bin",
            plan(FirstComplete::AnswerLost),
            resume,
            verify,
            with_head,
        )
        .await;
        let o = r.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let info = r.server.store().info(BUCKET, "done.bin").unwrap();
        assert_eq!(o.size, LEN as u64);
        assert_eq!(o.crc64, crc64::checksum(&r.bytes));
        assert_eq!(o.crc64, info.crc64);
        assert_eq!(o.crc64_check, Crc64Check::Verified);
        assert_eq!(o.etag.as_deref(), Some(info.etag.as_str()));
        assert_eq!(
            (o.parts_total, o.parts_uploaded),
            (PARTS as u64, PARTS as u64)
        );
        assert_eq!(
            common::read_back(&r.server, BUCKET, "done.bin").await,
            r.bytes
        );
        // one Complete succeeded, its retry was told NoSuchUpload; one HEAD; every part once
        assert_eq!(
            r.statuses("POST", "uploadId="),
            vec![200, 404],
            "resume {resume}"
        );
        r.assert_sent_once();
        assert_eq!(r.heads(), 1);
        assert!(r.requests("DELETE", "").is_empty(), "nothing aborted");
        assert_eq!(o.retries, 1);
        assert_eq!(common::files_in(r.dir.path()), vec!["src".to_string()]);
    }
}

#[tokio::test]
async fn an_upload_aborted_by_someone_else_with_another_object_there_is_upload_vanished() {
    // the same size, other bytes: only the CRC-64 tells them apart
    let other = generated_bytes(LEN, 8);
    let r = run(
        "taken.bin",
        plan(FirstComplete::AbortedBySomeoneElse(Some(other.clone()))),
        true,
        with_head,
    )
    .await;
    let e = r.vanished("not this file");
    let text = e.to_string();
    assert!(
        text.contains("vanished") && text.contains("CRC-64"),
        "{text}"
    );
    assert!(!text.contains('?'), "no query in {text}");
    assert_eq!(
        std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<UploadError>())
            .map(UploadError::kind),
        Some(UploadErrorKind::NotFound)
    );
    // the other object is left alone, nothing uploaded again, no checkpoint left
    assert_eq!(
        common::read_back(&r.server, BUCKET, "taken.bin").await,
        other
    );
    assert_eq!(r.statuses("POST", "uploadId="), vec![404]);
    r.assert_sent_once();
    assert_eq!(r.heads(), 1);
    assert_eq!(
        r.statuses("DELETE", "uploadId="),
        vec![204],
        "only the other party's abort"
    );
    assert_eq!(common::files_in(r.dir.path()), vec!["src".to_string()]);
}

#[tokio::test]
async fn an_upload_aborted_by_someone_else_with_no_object_there_is_upload_vanished() {
    let r = run(
        "gone.bin",
        plan(FirstComplete::AbortedBySomeoneElse(None)),
        false,
        with_head,
    )
    .await;
    r.vanished("finds no object");
    assert!(r.server.store().info(BUCKET, "gone.bin").is_none());
    r.assert_sent_once();
    assert_eq!(r.statuses("HEAD", ""), vec![404]);
}

#[tokio::test]
async fn a_head_without_a_crc64_does_not_claim_success() {
    let r = run(
        "nocrc.bin",
        Plan {
            first_complete: FirstComplete::AnswerLost,
            strip_head_crc: true,
        },
        true,
        with_head,
    )
    .await;
    r.vanished("could not be confirmed");
    // the server did store it, but without a CRC-64 the uploader cannot know that
    assert_eq!(
        r.server.store().info(BUCKET, "nocrc.bin").unwrap().crc64,
        crc64::checksum(&r.bytes)
    );
    r.assert_sent_once();
}

#[tokio::test]
async fn a_presigner_without_head_keeps_the_no_such_upload_error_or_uploads_again_with_resume() {
    let r = run(
        "nohead.bin",
        plan(FirstComplete::AnswerLost),
        false,
        without_head,
    )
    .await;
    let e = r.result.as_ref().unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::NotFound, "{e}");
    assert_eq!(e.oss_error().map(|o| o.code.as_str()), Some("NoSuchUpload"));
    assert_eq!(r.heads(), 0);
    assert_eq!(r.statuses("POST", "uploadId="), vec![200, 404]);

    // with resume: the recorded upload is gone, so the file is uploaded once more
    let r = run(
        "nohead.bin",
        plan(FirstComplete::AnswerLost),
        true,
        without_head,
    )
    .await;
    let o = r.result.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.crc64_check, Crc64Check::Verified);
    assert_eq!(r.heads(), 0);
    assert_eq!(r.statuses("POST", "?uploads"), vec![200, 200]);
    assert_eq!(r.part_puts(), 2 * PARTS);
    assert_eq!(
        common::read_back(&r.server, BUCKET, "nohead.bin").await,
        r.bytes
    );
}

#[tokio::test]
async fn a_run_that_ended_waiting_for_the_complete_answer_is_confirmed_by_the_next_run() {
    let server = ServerBuilder::new().start().await.unwrap();
    server.store().create_bucket(BUCKET).unwrap();
    let proxy = complete_proxy::start(server.addr(), plan(FirstComplete::AnswerLost)).await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated_bytes(LEN, 11);
    let path = dir.path().join("src");
    std::fs::write(&path, &bytes).unwrap();
    let uploader = |attempts| {
        Uploader::builder()
            .part_size(100 << 10)
            .multipart_threshold(100 << 10)
            .idle_timeout(Duration::from_secs(2))
            .resume(true)
            .retry(fast_retry(attempts, Duration::from_millis(20)))
            .build()
            .unwrap()
    };
    let urls = || Arc::new(ObjectUrls(format!("http://{proxy}/{BUCKET}/later.bin")));
    // one attempt: the run ends with the Complete's answer lost, its checkpoint kept
    let e = uploader(1)
        .upload(urls())
        .from_file(&path)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), UploadErrorKind::Network, "{e}");
    assert!(server.store().info(BUCKET, "later.bin").is_some());
    assert_eq!(
        common::files_in(dir.path()),
        vec![".src.upload.oss-checkpoint".to_string(), "src".to_string()]
    );
    // the next run: every part kept, its first Complete told NoSuchUpload, the HEAD confirms
    let o = uploader(3)
        .upload(urls())
        .from_file(&path)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.crc64_check, Crc64Check::Verified);
    assert_eq!(o.crc64, crc64::checksum(&bytes));
    assert_eq!((o.parts_total, o.parts_uploaded), (PARTS as u64, 0));
    let requests = server.requests();
    let count = |method: &str, needle: &str| {
        requests
            .iter()
            .filter(|r| r.method == method && r.target.contains(needle))
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(count("POST", "uploadId="), vec![200, 404]);
    assert_eq!(count("POST", "?uploads"), vec![200]);
    assert_eq!(count("PUT", "partNumber=").len(), PARTS);
    assert_eq!(count("HEAD", ""), vec![200]);
    assert_eq!(common::read_back(&server, BUCKET, "later.bin").await, bytes);
    assert_eq!(common::files_in(dir.path()), vec!["src".to_string()]);
}

#[tokio::test]
async fn without_verify_crc64_a_head_without_a_crc64_still_does_not_claim_success() {
    let r = run_with(
        "nocrc-noverify.bin",
        Plan {
            first_complete: FirstComplete::AnswerLost,
            strip_head_crc: true,
        },
        false,
        false,
        with_head,
    )
    .await;
    r.vanished("could not be confirmed");
}
