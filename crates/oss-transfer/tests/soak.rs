//! Fault soak: many concurrent downloads of objects of random sizes from the local server
//! (HTTPS, V4 presigned URLs checked by the server), each with a random fault: dropped
//! connections, 5xx bursts, stalls past the idle timeout, the object replaced mid-download,
//! corrupted bytes, a wrong CRC header, or an expired URL.
//!
//! For every download, either the target file exists with exactly the bytes of one version of
//! the object and its CRC-64, or it does not exist and the error's kind says why (the kind the
//! fault calls for). No temporary or partial file is left behind.
//!
//! The interruption soak runs downloads in real child processes (this test binary re-run as
//! `soak_child`, which wires SIGINT and SIGTERM to a `Cancellation` as `oss-presign get` does),
//! sends SIGINT or SIGTERM half way, damages the files on disk between runs (overwritten bytes
//! in kept parts, a truncated or deleted temp file, a flipped checkpoint byte, a planted stale
//! temp file), then finishes each download in a second run: every file must be exactly the
//! object, and nothing but the targets may be left.
//!
//! * `fault_soak_short` (24 downloads) and `interrupt_soak_short` (8) run with `cargo test`.
//! * `fault_soak` and `interrupt_soak_long` (200 downloads each; `OSS_SOAK_DOWNLOADS` and
//!   `OSS_SOAK_SEED` override) are ignored by default and run by `cargo xtask soak`, which
//!   prints the figures recorded in `docs/reliability.md`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oss_sign_core::encoding::uri_encode;
use oss_sign_core::{v4, SignableRequest, SigningTime};
use oss_testserver::{generated_bytes, generated_crc64, Fault, FaultRule, TestServer};
use oss_transfer::{DownloadErrorKind, Downloader, PresignedGet};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const AK: &str = "LTAI-soak";
const SK: &str = "soak-secret-never-printed";
/// The region the URLs are signed for: the test server's default (`common::signing_server`).
const REGION: &str = "cn-hangzhou";
const BUCKET: &str = "soak";
const PART: u64 = 64 << 10;

/// The fault planned for one download, and what it may legitimately end in.
#[derive(Debug, Clone)]
enum Plan {
    None,
    /// Connections drop after some bytes, `times` times: retried and resumed.
    Drops {
        after: u64,
        times: u64,
    },
    /// 500 or 503 for the first `times` requests: retried.
    ServerErrors {
        status: u16,
        times: u64,
    },
    /// The body stalls past the idle timeout once: retried.
    Stall {
        after: u64,
    },
    /// The object is replaced after `skip` requests: an error, or the new version whole.
    Replaced {
        skip: u64,
    },
    /// One byte of the body is flipped: an integrity error.
    Corrupt {
        offset: u64,
    },
    /// The CRC header is wrong: an integrity error.
    WrongCrc,
    /// The URL expired an hour ago: refused as expired.
    Expired,
    /// Every request fails with 503: retries run out.
    AlwaysFailing,
}

impl Plan {
    fn name(&self) -> &'static str {
        match self {
            Plan::None => "none",
            Plan::Drops { .. } => "dropped connections",
            Plan::ServerErrors { .. } => "5xx burst",
            Plan::Stall { .. } => "stall past idle timeout",
            Plan::Replaced { .. } => "object replaced",
            Plan::Corrupt { .. } => "corrupted byte",
            Plan::WrongCrc => "wrong CRC header",
            Plan::Expired => "expired URL",
            Plan::AlwaysFailing => "always 503",
        }
    }

    fn random(rng: &mut StdRng, size: u64) -> Plan {
        let inside = |rng: &mut StdRng| rng.gen_range(0..size.max(1));
        match rng.gen_range(0..10) {
            0 | 1 => Plan::None,
            2 => Plan::Drops {
                after: inside(rng),
                times: rng.gen_range(1..=2),
            },
            3 => Plan::ServerErrors {
                status: if rng.gen_bool(0.5) { 500 } else { 503 },
                times: rng.gen_range(1..=2),
            },
            4 => Plan::Stall { after: inside(rng) },
            5 => Plan::Replaced {
                skip: rng.gen_range(0..=2),
            },
            6 if size > 0 => Plan::Corrupt {
                offset: inside(rng),
            },
            7 => Plan::WrongCrc,
            8 => Plan::Expired,
            9 => Plan::AlwaysFailing,
            _ => Plan::None,
        }
    }

    fn rules(&self, key: &str, replacement: &[u8]) -> Vec<FaultRule> {
        let on = |fault: Fault| FaultRule::new(fault).object(BUCKET, key);
        match self {
            Plan::None | Plan::Expired => Vec::new(),
            Plan::Drops { after, times } => vec![on(Fault::DropAfter(*after)).times(*times)],
            Plan::ServerErrors { status, times } => vec![on(Fault::Status(*status)).times(*times)],
            Plan::Stall { after } => vec![on(Fault::Stall {
                after: *after,
                duration: Duration::from_millis(700),
            })
            .times(1)],
            Plan::Replaced { skip } => vec![on(Fault::ReplaceObject(replacement.to_vec().into()))
                .skip(*skip)
                .times(1)],
            Plan::Corrupt { offset } => vec![on(Fault::CorruptByte(*offset))],
            Plan::WrongCrc => vec![on(Fault::WrongCrcHeader)],
            Plan::AlwaysFailing => vec![on(Fault::Status(503))],
        }
    }

    /// The error kinds this plan may end in (an empty list: it must succeed).
    fn allowed_errors(&self) -> &'static [DownloadErrorKind] {
        match self {
            Plan::None | Plan::Drops { .. } | Plan::ServerErrors { .. } | Plan::Stall { .. } => &[],
            Plan::Replaced { .. } => &[DownloadErrorKind::ObjectChanged],
            Plan::Corrupt { .. } | Plan::WrongCrc => &[DownloadErrorKind::Integrity],
            Plan::Expired => &[DownloadErrorKind::Expired],
            Plan::AlwaysFailing => &[DownloadErrorKind::HttpStatus],
        }
    }

    /// Whether a success is impossible.
    fn must_fail(&self) -> bool {
        match self {
            Plan::Corrupt { .. } | Plan::WrongCrc | Plan::Expired | Plan::AlwaysFailing => true,
            Plan::Replaced { .. } => false,
            _ => false,
        }
    }
}

fn presign(server: &TestServer, key: &str, at: SystemTime, expires: u32) -> String {
    let at = SigningTime::try_from(at).expect("time");
    let signing_key = v4::SigningKey::derive(SK, at, REGION, "oss");
    let request = SignableRequest::new("GET").bucket(BUCKET).key(key);
    let presigned = v4::presign(
        &request,
        &v4::PresignParams::new(AK, REGION, at, expires),
        &signing_key,
    )
    .expect("presign");
    format!(
        "{}/{BUCKET}/{}?{}",
        server.endpoint(),
        uri_encode(key, true),
        presigned.url_query()
    )
}

/// What happened to one download.
#[derive(Debug)]
struct Record {
    plan: &'static str,
    outcome: String,
    problem: Option<String>,
}

async fn soak(downloads: usize, seed: u64) -> BTreeMap<String, usize> {
    let server = common::signing_server(AK, SK).await;
    let downloader = Arc::new(
        // The shared test settings (64 KiB parts, 3 at a time), with a shorter idle timeout
        // so stalls fail fast, and a lower retry cap.
        common::builder(&server)
            .idle_timeout(Duration::from_millis(300))
            .retry(common::fast_retry(4, Duration::from_millis(40)))
            .build()
            .expect("downloader"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tasks = Vec::new();
    for index in 0..downloads {
        let size = match rng.gen_range(0..10) {
            0 => rng.gen_range(0..=2),
            1..=6 => rng.gen_range(1..PART * 3),
            _ => rng.gen_range(PART * 3..PART * 12),
        };
        let key = format!("object-{index:04}.bin");
        let object_seed = rng.gen::<u64>();
        server
            .store()
            .put_generated(BUCKET, &key, size, object_seed)
            .expect("object");
        let plan = Plan::random(&mut rng, size);
        let replacement = generated_bytes((size as usize / 2) + 1, object_seed ^ 1);
        for rule in plan.rules(&key, &replacement) {
            server.faults().add(rule);
        }
        let url = match plan {
            Plan::Expired => presign(
                &server,
                &key,
                SystemTime::now() - Duration::from_secs(3600),
                60,
            ),
            _ => presign(&server, &key, SystemTime::now(), 600),
        };
        let target = dir.path().join(&key);
        let downloader = Arc::clone(&downloader);
        tasks.push(tokio::spawn(async move {
            let get = PresignedGet::new(&url).expect("url");
            let result = downloader.download(get).to_file(&target).await;
            let original = (
                generated_bytes(size as usize, object_seed),
                generated_crc64(size, object_seed),
            );
            check(&plan, &target, result, original, &replacement)
        }));
    }
    let mut records = Vec::new();
    for task in tasks {
        records.push(task.await.expect("download task"));
    }
    let applied = server.faults().applied_count();

    // Nothing but complete targets is left in the folder.
    let expected_files: Vec<String> = records
        .iter()
        .filter(|r| r.outcome == "ok")
        .map(|r| r.plan.to_string())
        .collect();
    let left = common::files_in(dir.path());
    let stray = stray_files(&left);
    assert!(
        stray.is_empty(),
        "temporary or partial files left behind: {stray:?}"
    );
    assert_eq!(left.len(), expected_files.len(), "files left: {left:?}");

    let problems: Vec<String> = records.iter().filter_map(|r| r.problem.clone()).collect();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for record in &records {
        *tally
            .entry(format!("{} -> {}", record.plan, record.outcome))
            .or_default() += 1;
    }
    tally.insert("faults injected (server count)".into(), applied as usize);
    tally.insert("downloads".into(), records.len());
    println!(
        "soak: seed {seed}, {} downloads, {applied} faults injected",
        records.len()
    );
    print_tally(&tally);
    assert_no_problems(&problems, "downloads broke the rules");
    server.shutdown().await;
    tally
}

/// The names in `left` that are not complete targets (`object-*.bin`): temporary, partial or
/// planted files.
fn stray_files(left: &[String]) -> Vec<&String> {
    left.iter()
        .filter(|name| !name.starts_with("object-") || !name.ends_with(".bin"))
        .collect()
}

/// Prints a soak's tally, one counted line each.
fn print_tally(tally: &BTreeMap<String, usize>) {
    for (line, count) in tally {
        println!("  {count:>5}  {line}");
    }
}

/// Fails with every problem listed, headed "N `what`".
fn assert_no_problems(problems: &[String], what: &str) {
    assert!(
        problems.is_empty(),
        "{} {what}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn check(
    plan: &Plan,
    target: &Path,
    result: Result<oss_transfer::DownloadOutcome, oss_transfer::DownloadError>,
    (original, original_crc): (Vec<u8>, u64),
    replacement: &[u8],
) -> Record {
    let name = plan.name();
    match result {
        Ok(outcome) => {
            let problem = match std::fs::read(target) {
                Err(e) => Some(format!("{name}: success but the target is unreadable: {e}")),
                Ok(bytes) if plan.must_fail() => Some(format!(
                    "{name}: must fail, but succeeded with {} bytes",
                    bytes.len()
                )),
                Ok(bytes) if bytes == original => (outcome.crc64 != original_crc)
                    .then(|| format!("{name}: bytes right but CRC {:x} != {original_crc:x}", outcome.crc64)),
                Ok(bytes) if matches!(plan, Plan::Replaced { .. }) && bytes == replacement => None,
                Ok(bytes) => Some(format!(
                    "{name}: the file holds {} bytes that are not one version of the object (mixed or corrupt)",
                    bytes.len()
                )),
            };
            Record {
                plan: name,
                outcome: "ok".into(),
                problem,
            }
        }
        Err(error) => {
            let kind = error.kind();
            let mut problem = None;
            if target.exists() {
                problem = Some(format!("{name}: failed ({error}) but the target exists"));
            } else if !plan.allowed_errors().contains(&kind) {
                problem = Some(format!("{name}: unexpected error kind {kind:?}: {error}"));
            } else if error.to_string().trim().is_empty() {
                problem = Some(format!("{name}: the error says nothing"));
            } else if error.to_string().contains(SK) || format!("{error:?}").contains(SK) {
                problem = Some(format!("{name}: the error shows the secret"));
            }
            Record {
                plan: name,
                outcome: format!("{kind:?}"),
                problem,
            }
        }
    }
}

/// Downloads and seed of the long soaks: `OSS_SOAK_DOWNLOADS` (default 200) and
/// `OSS_SOAK_SEED`.
fn long_soak_size() -> (usize, u64) {
    (
        common::env_number("OSS_SOAK_DOWNLOADS", 200),
        common::env_number("OSS_SOAK_SEED", 20_261_128),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_short() {
    let tally = soak(24, 7).await;
    assert_eq!(tally["downloads"], 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn fault_soak() {
    let (downloads, seed) = long_soak_size();
    let tally = soak(downloads, seed).await;
    assert_eq!(tally["downloads"], downloads);
}

// ---------------------------------------------------------------------------------------------
// Interruption soak: downloads in real child processes interrupted by SIGINT or SIGTERM half
// way, the files on disk damaged between runs, then a second run that must produce exactly
// the object and leave nothing else behind.

const CHILD_URL: &str = "OSS_SOAK_CHILD_URL";
const CHILD_CA: &str = "OSS_SOAK_CHILD_CA";
const CHILD_TARGET: &str = "OSS_SOAK_CHILD_TARGET";
const CHILD_RESUME: &str = "OSS_SOAK_CHILD_RESUME";
const CHILD_PARALLEL: &str = "OSS_SOAK_CHILD_PARALLEL";
const CHILD_RESULT: &str = "soak-child-result: ";

fn interrupt_downloader(ca_pem: &str, resume: bool, parallelism: usize) -> Downloader {
    Downloader::builder()
        .add_root_certificates_pem(ca_pem)
        .part_size(PART)
        .parallelism(parallelism)
        .write_buffer(16 << 10)
        .resume(resume)
        .retry(common::fast_retry(4, Duration::from_millis(40)))
        .build()
        .expect("downloader")
}

/// The child process: one download, cancelled on SIGINT or SIGTERM (as `oss-presign get`
/// does); prints its outcome. Without the parent's environment it returns at once.
#[tokio::test(flavor = "current_thread")]
#[ignore = "helper process for the interruption soak"]
async fn soak_child() {
    use tokio::signal::unix::{signal, SignalKind};
    let Some([url, ca, target, resume, parallel]) = common::from_parent([
        CHILD_URL,
        CHILD_CA,
        CHILD_TARGET,
        CHILD_RESUME,
        CHILD_PARALLEL,
    ]) else {
        return;
    };
    let ca = std::fs::read_to_string(ca).expect("ca file");
    let d = interrupt_downloader(&ca, resume == "1", parallel.parse().expect("parallel"));
    let cancel = oss_transfer::Cancellation::new();
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
        c.cancel();
    });
    let result = d
        .download(PresignedGet::new(&url).expect("url"))
        .cancellation(cancel)
        .to_file(&target)
        .await;
    match result {
        Ok(_) => println!("{CHILD_RESULT}ok"),
        Err(e) => println!("{CHILD_RESULT}{:?}", e.kind()),
    }
}

/// Helper files of `key` in `dir` (anything but the target that starts with `.key.`).
fn helpers_of(dir: &Path, key: &str) -> Vec<String> {
    let prefix = format!(".{key}.");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    v.sort();
    v
}

/// What is done to the files on disk between the interrupted run and the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    None,
    /// Random bytes overwritten somewhere in the kept temporary file.
    TempBytes,
    /// The kept temporary file truncated.
    TempTruncated,
    /// The kept temporary file deleted.
    TempDeleted,
    /// One byte of the checkpoint flipped.
    CheckpointByte,
    /// A stale random temp file planted (as a killed run would leave).
    StaleTemp,
}

impl Damage {
    fn name(self) -> &'static str {
        match self {
            Damage::None => "no damage",
            Damage::TempBytes => "temp bytes overwritten",
            Damage::TempTruncated => "temp truncated",
            Damage::TempDeleted => "temp deleted",
            Damage::CheckpointByte => "checkpoint byte flipped",
            Damage::StaleTemp => "stale temp planted",
        }
    }
}

struct Interrupted {
    key: String,
    size: u64,
    seed: u64,
    resume: bool,
    parallel: usize,
    signal: &'static str,
}

async fn interrupt_soak(downloads: usize, seed: u64) -> BTreeMap<String, usize> {
    let server = common::signing_server(AK, SK).await;
    let ca_pem = server.tls().expect("tls").ca_certificate_pem();
    let work = tempfile::tempdir().expect("temp dir");
    let ca = work.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).expect("ca");
    let dir = work.path().join("shared");
    std::fs::create_dir(&dir).expect("dir");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems: Vec<String> = Vec::new();
    let count = |tally: &mut BTreeMap<String, usize>, k: String| *tally.entry(k).or_default() += 1;
    const BATCH: usize = 8;
    let mut index = 0;
    while index < downloads {
        let batch: Vec<Interrupted> = (index..downloads.min(index + BATCH))
            .map(|i| Interrupted {
                key: format!("object-{i:04}.bin"),
                size: match rng.gen_range(0..10) {
                    0 => rng.gen_range(1..PART),
                    _ => rng.gen_range(PART * 2..PART * 12),
                },
                seed: rng.gen(),
                resume: rng.gen_bool(0.6),
                parallel: rng.gen_range(1..=3),
                signal: if rng.gen_bool(0.5) { "INT" } else { "TERM" },
            })
            .collect();
        index += batch.len();
        for d in &batch {
            server
                .store()
                .put_generated(BUCKET, &d.key, d.size, d.seed)
                .expect("object");
            server
                .faults()
                .add(FaultRule::new(Fault::Throttle(192 << 10)).object(BUCKET, &d.key));
        }
        // start every child of the batch
        let mut children = Vec::new();
        for d in &batch {
            let url = presign(&server, &d.key, SystemTime::now(), 600);
            let child = std::process::Command::new(std::env::current_exe().expect("exe"))
                .args(["--exact", "soak_child", "--ignored", "--nocapture"])
                .env(CHILD_URL, &url)
                .env(CHILD_CA, &ca)
                .env(CHILD_TARGET, dir.join(&d.key))
                .env(CHILD_RESUME, if d.resume { "1" } else { "0" })
                .env(CHILD_PARALLEL, d.parallel.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("child starts");
            children.push(child);
        }
        // half way: the checkpoint lists a part (resume), or the temp file exists for a while
        let started = std::time::Instant::now();
        let mut signalled = vec![false; batch.len()];
        let mut temp_seen: Vec<Option<std::time::Instant>> = vec![None; batch.len()];
        let wait_after_temp: Vec<Duration> = batch
            .iter()
            .map(|_| Duration::from_millis(rng.gen_range(20..300)))
            .collect();
        let parts_before_signal: Vec<usize> = batch
            .iter()
            .map(|d| {
                rng.gen_range(1..=3)
                    .min(d.size.div_ceil(PART).max(2) as usize - 1)
            })
            .collect();
        loop {
            let mut pending = false;
            for (i, d) in batch.iter().enumerate() {
                if signalled[i] || children[i].try_wait().expect("wait").is_some() {
                    continue;
                }
                pending = true;
                let helpers = helpers_of(&dir, &d.key);
                let ready = if d.resume {
                    let cp = dir.join(format!(".{}.oss-checkpoint", d.key));
                    common::checkpoint_parts(&cp).len() >= parts_before_signal[i]
                } else if helpers.iter().any(|h| h.ends_with(".oss-temp")) {
                    let seen = *temp_seen[i].get_or_insert_with(std::time::Instant::now);
                    seen.elapsed() >= wait_after_temp[i]
                } else {
                    false
                };
                if ready {
                    let status = std::process::Command::new("kill")
                        .args([&format!("-{}", d.signal), &children[i].id().to_string()])
                        .status()
                        .expect("kill runs");
                    assert!(status.success());
                    signalled[i] = true;
                }
            }
            if !pending {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "children never made progress"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut results = Vec::new();
        for child in children {
            let output = tokio::task::spawn_blocking(move || child.wait_with_output())
                .await
                .expect("join")
                .expect("child output");
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            let result = text
                .lines()
                .find_map(|l| l.strip_prefix(CHILD_RESULT))
                .map(str::to_string);
            results.push((output.status, result));
        }
        server.faults().clear();
        // check what each interrupted run left, damage it, and finish it
        let mut finishing = Vec::new();
        for (i, d) in batch.iter().enumerate() {
            let (status, result) = &results[i];
            let target = dir.join(&d.key);
            let original = generated_bytes(d.size as usize, d.seed);
            let helpers = helpers_of(&dir, &d.key);
            let label = format!(
                "{} ({}, {} connection(s))",
                d.key,
                if d.resume { "resume" } else { "plain" },
                d.parallel
            );
            match result.as_deref() {
                Some("ok") => {
                    count(&mut tally, "finished before the signal".into());
                    if std::fs::read(&target).ok().as_deref() != Some(&original[..]) {
                        problems.push(format!("{label}: finished but the file is not the object"));
                    }
                    if !helpers.is_empty() {
                        problems.push(format!("{label}: finished but left {helpers:?}"));
                    }
                    continue;
                }
                Some("Cancelled") => {
                    count(&mut tally, format!("interrupted by SIG{}", d.signal));
                }
                other => {
                    problems.push(format!("{label}: child ended with {other:?} ({status})"));
                    continue;
                }
            }
            if target.exists() {
                problems.push(format!("{label}: cancelled but the target exists"));
            }
            let expected_left = if d.resume { 2 } else { 0 };
            if helpers.len() != expected_left {
                problems.push(format!("{label}: cancelled and left {helpers:?}"));
            }
            let checkpoint = dir.join(format!(".{}.oss-checkpoint", d.key));
            let kept = common::checkpoint_parts(&checkpoint);
            let temp = helpers
                .iter()
                .find(|h| h.ends_with(".oss-temp"))
                .map(|h| dir.join(h));
            let damage = match (d.resume, &temp, rng.gen_range(0..10)) {
                (true, Some(_), 0..=3) => Damage::TempBytes,
                (true, Some(_), 4) => Damage::TempTruncated,
                (true, Some(_), 5) => Damage::TempDeleted,
                (true, Some(_), 6) => Damage::CheckpointByte,
                (_, _, 7..=9) => Damage::StaleTemp,
                _ => Damage::None,
            };
            let mut hit_kept_part = false;
            match (damage, &temp) {
                (Damage::TempBytes, Some(t)) => {
                    use std::os::unix::fs::FileExt as _;
                    let len = rng.gen_range(1..=4096u64).min(d.size);
                    // mostly inside a part the checkpoint says is done (the dangerous case)
                    let at = match kept.get(rng.gen_range(0..kept.len().max(1))) {
                        Some(&p) if rng.gen_bool(0.75) => {
                            let (s, e) = (p * PART, ((p + 1) * PART).min(d.size));
                            rng.gen_range(s..e).min(d.size - len)
                        }
                        _ => rng.gen_range(0..=d.size - len),
                    };
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(t)
                        .expect("temp");
                    let junk: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                    f.write_all_at(&junk, at).expect("overwrite");
                    let changed = original[at as usize..(at + len) as usize] != junk[..];
                    hit_kept_part = changed
                        && kept.iter().any(|p| {
                            let (s, e) = (p * PART, ((p + 1) * PART).min(d.size));
                            at < e && s < at + len
                        });
                }
                (Damage::TempTruncated, Some(t)) => {
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(t)
                        .expect("temp");
                    f.set_len(d.size / 2).expect("truncate");
                }
                (Damage::TempDeleted, Some(t)) => std::fs::remove_file(t).expect("delete"),
                (Damage::CheckpointByte, _) => {
                    let mut bytes = std::fs::read(&checkpoint).expect("checkpoint");
                    let at = rng.gen_range(0..bytes.len());
                    bytes[at] ^= 0x20;
                    std::fs::write(&checkpoint, bytes).expect("rewrite");
                }
                (Damage::StaleTemp, _) => {
                    let stale = dir.join(format!(".{}.{:016x}.oss-temp", d.key, rng.gen::<u64>()));
                    std::fs::write(stale, b"left by a killed run").expect("plant");
                }
                _ => {}
            }
            count(&mut tally, format!("between runs: {}", damage.name()));
            if hit_kept_part {
                count(
                    &mut tally,
                    "between runs: a kept part's bytes changed".into(),
                );
            }
            let missing = (d.size.div_ceil(PART) as usize).saturating_sub(kept.len()) as u64;
            let downloader = interrupt_downloader(ca_pem, d.resume, d.parallel);
            let url = presign(&server, &d.key, SystemTime::now(), 600);
            let label2 = label.clone();
            finishing.push(tokio::spawn(async move {
                let o = downloader
                    .download(PresignedGet::new(&url).expect("url"))
                    .to_file(&target)
                    .await;
                let mut problems = Vec::new();
                match o {
                    Err(e) => problems.push(format!("{label2}: the second run failed: {e}")),
                    Ok(o) => {
                        if std::fs::read(&target).ok().as_deref() != Some(&original[..]) {
                            problems.push(format!("{label2}: CORRUPT: the file is not the object"));
                        }
                        if hit_kept_part && o.parts_fetched <= missing {
                            problems.push(format!(
                                "{label2}: a damaged kept part was trusted ({} fetched, {missing} missing)",
                                o.parts_fetched
                            ));
                        }
                    }
                }
                problems
            }));
        }
        for f in finishing {
            problems.extend(f.await.expect("join"));
        }
    }
    // Nothing but complete targets is left in the shared folder.
    let left = common::files_in(&dir);
    let stray = stray_files(&left);
    let corrupt = problems.iter().filter(|p| p.contains("CORRUPT")).count();
    tally.insert("downloads".into(), downloads);
    tally.insert(
        "complete targets at the end".into(),
        left.len() - stray.len(),
    );
    tally.insert("corrupt files".into(), corrupt);
    tally.insert("stray files".into(), stray.len());
    println!("interrupt soak: seed {seed}, {downloads} downloads");
    print_tally(&tally);
    assert!(stray.is_empty(), "stray files: {stray:?}");
    assert_eq!(left.len(), downloads, "every download ends complete");
    assert_no_problems(&problems, "problems");
    server.shutdown().await;
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_soak_short() {
    let tally = interrupt_soak(8, 11).await;
    assert_eq!(tally["corrupt files"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn interrupt_soak_long() {
    let (downloads, seed) = long_soak_size();
    let tally = interrupt_soak(downloads, seed).await;
    assert_eq!(tally["corrupt files"], 0);
    assert_eq!(tally["stray files"], 0);
}
