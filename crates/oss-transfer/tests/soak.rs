//! Fault soak: many concurrent downloads of objects of random sizes from the local server
//! (HTTPS, V4 presigned URLs checked by the server), each with a random fault: dropped
//! connections, 5xx bursts, stalls past the idle timeout, the object replaced mid-download,
//! corrupted bytes, a wrong CRC header, or an expired URL.
//!
//! For every download, either the target file exists with exactly the bytes of one version of
//! the object and its CRC-64, or it does not exist and the error's kind says why (the kind the
//! fault calls for). No temporary or partial file is left behind.
//!
//! * `fault_soak_short` (24 downloads) runs with `cargo test`.
//! * `fault_soak` (200 downloads; `OSS_SOAK_DOWNLOADS` and `OSS_SOAK_SEED` override) is ignored
//!   by default and run by `cargo xtask soak`, which prints the figures recorded in
//!   `docs/reliability.md`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oss_sign_core::encoding::uri_encode;
use oss_sign_core::{v4, SignableRequest, SigningTime};
use oss_testserver::{
    generated_bytes, generated_crc64, Fault, FaultRule, ServerBuilder, TestServer, TlsIdentity,
};
use oss_transfer::{DownloadErrorKind, Downloader, PresignedGet, RetryPolicy};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const AK: &str = "LTAI-soak";
const SK: &str = "soak-secret-never-printed";
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
    let server = ServerBuilder::new()
        .tls(TlsIdentity::generate(&[]).expect("certificate"))
        .credential(AK, SK)
        .region(REGION)
        .start()
        .await
        .expect("server");
    let downloader = Arc::new(
        Downloader::builder()
            .add_root_certificate_der(server.tls().expect("tls").ca_certificate_der())
            .part_size(PART)
            .parallelism(3)
            .write_buffer(16 << 10)
            .idle_timeout(Duration::from_millis(300))
            .retry(
                RetryPolicy::default()
                    .max_attempts(4)
                    .base_delay(Duration::from_millis(5))
                    .max_delay(Duration::from_millis(40)),
            )
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
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let stray: Vec<&String> = left
        .iter()
        .filter(|name| !name.starts_with("object-") || !name.ends_with(".bin"))
        .collect();
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
    for (line, count) in &tally {
        println!("  {count:>5}  {line}");
    }
    assert!(
        problems.is_empty(),
        "{} downloads broke the rules:\n{}",
        problems.len(),
        problems.join("\n")
    );
    server.shutdown().await;
    tally
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_soak_short() {
    let tally = soak(24, 7).await;
    assert_eq!(tally["downloads"], 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run by `cargo xtask soak`"]
async fn fault_soak() {
    let downloads = std::env::var("OSS_SOAK_DOWNLOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed = std::env::var("OSS_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_128);
    let tally = soak(downloads, seed).await;
    assert_eq!(tally["downloads"], downloads);
}
