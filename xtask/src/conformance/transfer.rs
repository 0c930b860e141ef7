//! Suite `transfer` (`conformance/transfer/*.json`, one download scenario per file, format in
//! that folder's README): each case runs on a fresh local HTTPS server (`oss-testserver`) with
//! its faults, and the download through `oss-transfer` must end as the case says: the exact
//! bytes and CRC-64, or the error kind (status, OSS code, attempts, expiry) with no file left.

use super::case::{json_files, CaseOutcome, Status};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use oss_sign_core::encoding::uri_encode;
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};
use oss_testserver::{generated_bytes, Fault, FaultRule, ServerBuilder, TlsIdentity};
use oss_transfer::{DownloadError, DownloadOutcome, Downloader, PresignedGet, RetryPolicy};
use serde::Deserialize;

const BUCKET: &str = "conformance";
const AK: &str = "LTAI-conformance";
const SK: &str = "conformance-secret";
const REGION: &str = "cn-hangzhou";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    object: ObjectSpec,
    #[serde(default)]
    downloader: DownloaderSpec,
    signing: String,
    #[serde(default)]
    url: UrlSpec,
    faults: Vec<FaultSpec>,
    output: String,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectSpec {
    key: String,
    size: u64,
    seed: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DownloaderSpec {
    part_size: Option<u64>,
    parallelism: Option<usize>,
    max_attempts: Option<u32>,
    idle_timeout_millis: Option<u64>,
    resume: Option<bool>,
    verify_crc64: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UrlSpec {
    key: Option<String>,
    expires_seconds: Option<u32>,
    signed_seconds_ago: Option<i64>,
    #[serde(default)]
    query: BTreeMap<String, String>,
    tamper: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    kind: String,
    status: Option<u16>,
    bytes: Option<u64>,
    bytes_per_second: Option<u64>,
    after: Option<u64>,
    millis: Option<u64>,
    size: Option<u64>,
    seed: Option<u64>,
    offset: Option<u64>,
    range_start: Option<u64>,
    skip: Option<u64>,
    times: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcome: String,
    size: Option<u64>,
    crc64: Option<String>,
    requests: Option<u32>,
    retries: Option<u32>,
    bytes_fetched: Option<u64>,
    range_requested: Option<String>,
    kind: Option<String>,
    status: Option<u16>,
    oss_code: Option<String>,
    oss_ec: Option<String>,
    attempts: Option<u32>,
    expires_at_offset_seconds: Option<i64>,
}

/// Files left in a directory (to prove no partial or temporary file remains).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn fault(spec: &FaultSpec) -> Result<FaultRule, String> {
    let need = |v: Option<u64>, what: &str| v.ok_or(format!("fault {} needs {what}", spec.kind));
    let f = match spec.kind.as_str() {
        "status" => Fault::Status(spec.status.ok_or("status fault needs status")?),
        "drop_after" => Fault::DropAfter(need(spec.bytes, "bytes")?),
        "throttle" => Fault::Throttle(need(spec.bytes_per_second, "bytes_per_second")?),
        "stall" => Fault::Stall {
            after: need(spec.after, "after")?,
            duration: Duration::from_millis(need(spec.millis, "millis")?),
        },
        "delay_headers" => Fault::DelayHeaders(Duration::from_millis(need(spec.millis, "millis")?)),
        "replace_object" => Fault::ReplaceObject(
            generated_bytes(need(spec.size, "size")? as usize, need(spec.seed, "seed")?).into(),
        ),
        "corrupt_byte" => Fault::CorruptByte(need(spec.offset, "offset")?),
        "wrong_crc_header" => Fault::WrongCrcHeader,
        "ignore_range" => Fault::IgnoreRange,
        other => return Err(format!("unknown fault kind {other}")),
    };
    let mut rule = FaultRule::new(f);
    if let Some(s) = spec.range_start {
        rule = rule.range_start(s);
    }
    if let Some(s) = spec.skip {
        rule = rule.skip(s);
    }
    if let Some(t) = spec.times {
        rule = rule.times(t);
    }
    Ok(rule)
}

async fn run_case(case: &Case) -> Result<(), String> {
    let signed_server = case.signing != "none";
    let mut sb = ServerBuilder::new().tls(TlsIdentity::generate(&[]).map_err(|e| e.to_string())?);
    if signed_server {
        sb = sb.credential(AK, SK).region(REGION);
    }
    let server = sb.start().await.map_err(|e| e.to_string())?;
    let o = &case.object;
    server
        .store()
        .put_generated(BUCKET, &o.key, o.size, o.seed)
        .map_err(|e| e.to_string())?;
    let request_key = case.url.key.clone().unwrap_or_else(|| o.key.clone());
    let now = SigningTime::try_from(SystemTime::now()).map_err(|e| e.to_string())?;
    let signed_at = now
        .checked_add_seconds(-case.url.signed_seconds_ago.unwrap_or(0))
        .ok_or("bad signed_seconds_ago")?;
    let expires = case.url.expires_seconds.unwrap_or(600);
    let query: Vec<(&str, &str)> = case
        .url
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path = format!(
        "{}/{}/{}",
        server.endpoint(),
        BUCKET,
        uri_encode(&request_key, true)
    );
    let mut user_query = String::new();
    for (n, v) in &query {
        user_query.push_str(&format!(
            "{}={}&",
            uri_encode(n, false),
            uri_encode(v, false)
        ));
    }
    let req = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(&request_key)
        .query(&query);
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut url = match case.signing.as_str() {
        "none" | "unsigned" => format!("{path}?{}", user_query.trim_end_matches('&')),
        "v4" => {
            let key = v4::SigningKey::derive(SK, signed_at, REGION, "oss");
            let p = v4::presign(
                &req,
                &v4::PresignParams::new(AK, REGION, signed_at, expires),
                &key,
            )
            .map_err(|e| e.to_string())?;
            format!("{path}?{user_query}{}", p.encoded_query())
        }
        "v1" => {
            let p = v1::presign(
                &req,
                &v1::PresignParams::new(AK, SK, signed_at.unix_seconds() + i64::from(expires)),
            )
            .map_err(|e| e.to_string())?;
            format!("{path}?{}", p.url_query())
        }
        "v4-header" => {
            let key = v4::SigningKey::derive(SK, signed_at, REGION, "oss");
            let s = v4::sign_headers(&req, &v4::HeaderParams::new(AK, REGION, signed_at), &key)
                .map_err(|e| e.to_string())?;
            headers = s
                .headers_to_add()
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect();
            format!("{path}?{}", user_query.trim_end_matches('&'))
        }
        other => return Err(format!("unknown signing {other}")),
    };
    match case.url.tamper.as_deref() {
        None => {}
        Some("key") => {
            let other = format!("{request_key}-tampered");
            server
                .store()
                .put_generated(BUCKET, &other, o.size, o.seed)
                .map_err(|e| e.to_string())?;
            url = url.replacen(
                &format!("/{}?", uri_encode(&request_key, true)),
                &format!("/{}?", uri_encode(&other, true)),
                1,
            );
        }
        Some("signature") => {
            let at = url
                .rfind("x-oss-signature=")
                .ok_or("no V4 signature to tamper with")?
                + 16;
            let c = if &url[at..at + 1] == "0" { "1" } else { "0" };
            url.replace_range(at..at + 1, c);
        }
        Some(other) => return Err(format!("unknown tamper {other}")),
    }
    for f in &case.faults {
        server.faults().add(fault(f)?);
    }
    let d = &case.downloader;
    let downloader = Downloader::builder()
        .add_root_certificate_der(server.tls().ok_or("no tls")?.ca_certificate_der())
        .part_size(d.part_size.unwrap_or(65536))
        .parallelism(d.parallelism.unwrap_or(3))
        .idle_timeout(Duration::from_millis(d.idle_timeout_millis.unwrap_or(5000)))
        .resume(d.resume.unwrap_or(false))
        .verify_crc64(d.verify_crc64.unwrap_or(true))
        .write_buffer(16 << 10)
        .retry(
            RetryPolicy::default()
                .max_attempts(d.max_attempts.unwrap_or(4))
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(50)),
        )
        .build()
        .map_err(|e| e.to_string())?;
    let mut get = PresignedGet::new(&url).map_err(|e| e.to_string())?;
    for (n, v) in &headers {
        get = get.header(n, v).map_err(|e| e.to_string())?;
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let target = dir.path().join("download.bin");
    let (result, bytes): (Result<DownloadOutcome, DownloadError>, Vec<u8>) =
        match case.output.as_str() {
            "file" => {
                let r = downloader.download(get).to_file(&target).await;
                let b = std::fs::read(&target).unwrap_or_default();
                (r, b)
            }
            "writer" => {
                let mut buf = Vec::new();
                let r = downloader.download(get).to_writer(&mut buf).await;
                (r, buf)
            }
            other => return Err(format!("unknown output {other}")),
        };
    let e = &case.expect;
    let requests = server.requests();
    let check = |cond: bool, what: String| if cond { Ok(()) } else { Err(what) };
    match (e.outcome.as_str(), result) {
        ("ok", Ok(out)) => {
            let want_size = e.size.ok_or("expect.size missing")?;
            let want_crc: u64 = e
                .crc64
                .as_deref()
                .ok_or("expect.crc64 missing")?
                .parse()
                .map_err(|_| "bad crc64")?;
            check(
                out.size == want_size,
                format!("size {} != {want_size}", out.size),
            )?;
            check(
                out.crc64 == want_crc,
                format!("crc64 {} != {want_crc}", out.crc64),
            )?;
            check(
                bytes == generated_bytes(o.size as usize, o.seed),
                "written bytes differ from the object".into(),
            )?;
            check(
                oss_transfer::crc64::checksum(&bytes) == want_crc,
                "CRC of the written bytes differs".into(),
            )?;
            if let Some(n) = e.requests {
                check(
                    out.requests == n,
                    format!("requests {} != {n}", out.requests),
                )?;
                check(
                    requests.len() as u32 == n,
                    format!("server saw {} requests, want {n}", requests.len()),
                )?;
            }
            if let Some(n) = e.retries {
                check(out.retries == n, format!("retries {} != {n}", out.retries))?;
            }
            if let Some(n) = e.bytes_fetched {
                check(
                    out.bytes_fetched == n,
                    format!("bytes_fetched {} != {n}", out.bytes_fetched),
                )?;
            }
            if let Some(r) = &e.range_requested {
                check(
                    requests
                        .iter()
                        .any(|q| q.header("range") == Some(r.as_str())),
                    format!(
                        "no request with Range {r}: {:?}",
                        requests
                            .iter()
                            .map(|q| q.header("range"))
                            .collect::<Vec<_>>()
                    ),
                )?;
            }
            if case.output == "file" {
                let left = files_in(dir.path());
                check(
                    left == vec!["download.bin".to_string()],
                    format!("files left: {left:?}"),
                )?;
            }
        }
        ("error", Err(err)) => {
            let kind = format!("{:?}", err.kind());
            let want = e.kind.as_deref().ok_or("expect.kind missing")?;
            check(kind == want, format!("error kind {kind} != {want}: {err}"))?;
            // (what, what the error says, what the case expects if it says anything)
            let oss = err.oss_error();
            for (what, got, want) in [
                (
                    "status",
                    err.status().map(|s| s.to_string()),
                    e.status.map(|s| s.to_string()),
                ),
                ("oss code", oss.map(|o| o.code.clone()), e.oss_code.clone()),
                ("oss EC", oss.map(|o| o.ec.clone()), e.oss_ec.clone()),
                (
                    "attempts",
                    Some(err.attempts().to_string()),
                    e.attempts.map(|n| n.to_string()),
                ),
                (
                    "requests seen by the server",
                    Some(requests.len().to_string()),
                    e.requests.map(|n| n.to_string()),
                ),
            ] {
                if let Some(want) = want {
                    check(
                        got.as_deref() == Some(want.as_str()),
                        format!("{what} {got:?} != {want}"),
                    )?;
                }
            }
            if let Some(off) = e.expires_at_offset_seconds {
                let want =
                    SystemTime::UNIX_EPOCH + Duration::from_secs((now.unix_seconds() + off) as u64);
                check(
                    err.expires_at() == Some(want),
                    format!("expires_at {:?} != {want:?}", err.expires_at()),
                )?;
            }
            let left = files_in(dir.path());
            check(
                left.is_empty(),
                format!("files left after an error: {left:?}"),
            )?;
        }
        (want, got) => {
            return Err(format!(
                "expected {want}, got {}",
                match got {
                    Ok(o) => format!("success {o:?}"),
                    Err(e) => format!("error {e}"),
                }
            ))
        }
    }
    Ok(())
}

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
    let mut outcomes = Vec::new();
    for path in json_files(dir)? {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let status = match serde_json::from_str::<Case>(&text) {
            Err(e) => Status::Failed(format!("cannot parse the case: {e}")),
            Ok(case) if case.description.trim().is_empty() => {
                Status::Failed("the case has an empty description".into())
            }
            Ok(case) => match runtime.block_on(run_case(&case)) {
                Ok(()) => Status::Passed,
                Err(problem) => Status::Failed(problem),
            },
        };
        outcomes.push(CaseOutcome::new(name, status));
    }
    Ok(outcomes)
}
