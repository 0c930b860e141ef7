//! The GetObject/HeadObject handler: signature check, faults, conditions, ranges, headers, and
//! the body streamed by a task (so faults can cut or pace it).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{request::Parts, Method, Request, Response, StatusCode};
use http_body_util::channel::{Channel, Sender};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use oss_sign_core::SigningTime;

use super::response::http_date;
use super::routing::{operation, resolve_target, Operation, Target};
use super::state::State;
use super::{list, multipart, object_write};
use crate::body::{full, ResponseBody};
use crate::cors;
use crate::fault::Fault;
use crate::oss_error::{no_such_bucket, OssError};
use crate::query::{param, query_pairs};
use crate::range::{self, RangeAnswer};
use crate::request_body::RequestBody;
use crate::request_log::RecordedRequest;
use crate::store::{Lookup, Object, ObjectInfo};

/// Answers one request and records it in the request log.
pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<ResponseBody> {
    let n = state.counter.fetch_add(1, Ordering::Relaxed);
    let request_id = format!("{:08X}{:016X}", state.id_prefix, n);
    let (parts, body) = req.into_parts();
    let mut body = RequestBody::new(body, state.body_idle_timeout);
    let mut record = RecordedRequest {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        version: format!("{:?}", parts.version),
        // Nothing is copied when the log keeps nothing.
        headers: if state.requests.enabled() {
            parts
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        status: 0,
        object: None,
    };
    let head = parts.method == Method::HEAD;
    let host_id = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut resp = match respond(&state, &parts, &mut body, &request_id, &mut record).await {
        Ok(r) => r,
        Err(e) => {
            // The error is sent only after the body is read (up to a bound), so the client sees
            // it instead of a connection broken while it was still sending.
            let expects_continue = parts
                .headers
                .get("expect")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            let reusable = body.drain(expects_continue).await;
            let mut resp = e.into_response(&request_id, &host_id, head);
            if !reusable && parts.version < http::Version::HTTP_2 {
                resp.headers_mut()
                    .insert("connection", http::HeaderValue::from_static("close"));
            }
            resp
        }
    };
    if parts.method != Method::OPTIONS {
        if let Some(bucket) = record.object.as_ref().map(|(b, _)| b.as_str()) {
            cors::annotate(&state.cors, bucket, &parts, &mut resp);
        }
    }
    record.status = resp.status().as_u16();
    state.requests.push(record);
    resp
}

/// Every request in the order OSS checks: bucket and key, query encoding, signature (a
/// preflight and a form upload carry none), operation, bucket; then the operation itself.
async fn respond(
    state: &State,
    parts: &Parts,
    body: &mut RequestBody,
    request_id: &str,
    record: &mut RecordedRequest,
) -> Result<Response<ResponseBody>, OssError> {
    let target = resolve_target(&state.store, parts)?;
    record.object = Some((target.bucket.clone(), target.key.clone()));
    let raw_query = parts.uri.query().unwrap_or("");
    let query = query_pairs(raw_query)?;
    let op = operation(parts, &target, &query);
    if op.as_ref().map_or(true, Operation::signed) {
        state
            .verifier
            .authorize(parts, &target.bucket, &target.key, raw_query)?;
    }
    let op = op?;
    if !state.store.bucket_exists(&target.bucket) {
        return Err(no_such_bucket(&target.bucket));
    }
    match op {
        Operation::GetObject => {
            get_object(state, parts, &target, raw_query, false, request_id).await
        }
        Operation::HeadObject => {
            get_object(state, parts, &target, raw_query, true, request_id).await
        }
        Operation::PutObject => {
            object_write::put_object(state, parts, body, &target, request_id).await
        }
        Operation::DeleteObject => object_write::delete_object(state, &target, request_id),
        Operation::InitiateMultipartUpload => {
            multipart::initiate(state, parts, &target, request_id)
        }
        Operation::UploadPart {
            part_number,
            upload_id,
        } => {
            multipart::upload_part(
                state,
                parts,
                body,
                &target,
                &upload_id,
                part_number,
                request_id,
            )
            .await
        }
        Operation::CompleteMultipartUpload { upload_id } => {
            multipart::complete(state, parts, body, &target, &upload_id, request_id).await
        }
        Operation::AbortMultipartUpload { upload_id } => {
            multipart::abort(state, &target, &upload_id, request_id)
        }
        Operation::ListParts { upload_id } => {
            multipart::list_parts(state, &target, &upload_id, &query, request_id)
        }
        Operation::ListObjectsV2 => list::list_objects_v2(state, &target, &query, request_id),
        Operation::Preflight => cors::preflight(&state.cors, &target.bucket, parts, request_id),
        // PostObject (browser form upload): the policy in the form is its signature.
        Operation::PostObject => super::post_object::respond(state, parts, body, request_id).await,
    }
}

/// GetObject / HeadObject: injected faults, object, conditions, range.
async fn get_object(
    state: &State,
    parts: &Parts,
    target: &Target,
    raw_query: &str,
    head: bool,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let range_header = header("range").map(str::to_string);
    let body_faults = apply_faults(state, target, range_header.as_deref()).await?;
    let object = find_object(state, target)?;
    let info = &object.info;

    if let Some(not_modified) = check_conditions(&header, info, request_id)? {
        return Ok(not_modified);
    }

    let standard =
        header("x-oss-range-behavior").is_some_and(|v| v.eq_ignore_ascii_case("standard"));
    let answer = if body_faults.ignore_range {
        RangeAnswer::Whole
    } else {
        range::resolve(range_header.as_deref(), info.size, standard)
    };
    let (status, start, len) = match answer {
        RangeAnswer::Whole => (StatusCode::OK, 0, info.size),
        RangeAnswer::Partial { start, end } => {
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeAnswer::Unsatisfiable => {
            let mut resp = OssError::new(
                416,
                "InvalidRange",
                "The requested range cannot be satisfied.",
            )
            .extra("RangeRequested", range_header.clone().unwrap_or_default())
            .extra("ActualObjectSize", info.size.to_string())
            .into_response(request_id, "127.0.0.1", head);
            if let Ok(v) = format!("bytes */{}", info.size).parse() {
                resp.headers_mut().insert("content-range", v);
            }
            return Ok(resp);
        }
    };
    let builder = object_headers(
        &object,
        request_id,
        raw_query,
        body_faults.wrong_crc,
        (status, start, len),
    );
    let body = if head || len == 0 {
        full(Bytes::new())
    } else {
        // an error sent through the channel aborts the connection mid-body
        let (tx, body) = Channel::new(4);
        tokio::spawn(produce_body(object.clone(), start, len, body_faults, tx));
        body.boxed()
    };
    builder.body(body).map_err(|e| {
        OssError::new(
            500,
            "InternalError",
            format!("cannot build the response: {e}"),
        )
    })
}

/// Applies the fault rules that match this request: those acting now (replace the object,
/// answer a status, delay the headers) here, those acting on the body returned.
async fn apply_faults(
    state: &State,
    target: &Target,
    range_header: Option<&str>,
) -> Result<BodyFaults, OssError> {
    let faults = state.faults.select(
        &target.bucket,
        &target.key,
        range::requested_start(range_header),
    );
    let mut body_faults = BodyFaults::default();
    for f in &faults {
        match f {
            Fault::ReplaceObject(data) => {
                let _ = state.store.put(&target.bucket, &target.key, data.clone());
            }
            Fault::Status(code) => return Err(OssError::for_status(*code)),
            Fault::DelayHeaders(d) => tokio::time::sleep(*d).await,
            Fault::DropAfter(n) => body_faults.drop_after = Some(*n),
            Fault::Throttle(bps) => body_faults.throttle = Some((*bps).max(1)),
            Fault::Stall { after, duration } => body_faults.stall = Some((*after, *duration)),
            Fault::CorruptByte(off) => body_faults.corrupt = Some(*off),
            Fault::WrongCrcHeader => body_faults.wrong_crc = true,
            Fault::IgnoreRange => body_faults.ignore_range = true,
        }
    }
    Ok(body_faults)
}

fn find_object(state: &State, target: &Target) -> Result<Arc<Object>, OssError> {
    match state.store.lookup(&target.bucket, &target.key) {
        Lookup::Found(o) => Ok(o),
        Lookup::NoSuchBucket => Err(no_such_bucket(&target.bucket)),
        Lookup::NoSuchKey => {
            Err(
                OssError::new(404, "NoSuchKey", "The specified key does not exist.")
                    .extra("Key", target.key.clone()),
            )
        }
        // Out of file descriptors or an I/O error: the server's problem, worth a retry.
        Lookup::Unavailable(why) => Err(OssError::new(
            503,
            "ServiceUnavailable",
            format!("The object cannot be read now, please try again ({why})."),
        )),
    }
}

/// The conditional headers, in the order RFC 7232 gives them: a failed precondition is an
/// error (412), a not-modified answer is `Some(304)`.
fn check_conditions<'a>(
    header: &impl Fn(&str) -> Option<&'a str>,
    info: &ObjectInfo,
    request_id: &str,
) -> Result<Option<Response<ResponseBody>>, OssError> {
    if let Some(m) = header("if-match") {
        if !etag_list_matches(m, &info.etag) {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            )
            .extra("Condition", "If-Match"));
        }
    } else if let Some(t) = header("if-unmodified-since").and_then(parse_http_date) {
        if info.last_modified > t {
            return Err(OssError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            )
            .extra("Condition", "If-Unmodified-Since"));
        }
    }
    let not_modified = if let Some(m) = header("if-none-match") {
        etag_list_matches(m, &info.etag)
    } else if let Some(t) = header("if-modified-since").and_then(parse_http_date) {
        info.last_modified <= t
    } else {
        false
    };
    if !not_modified {
        return Ok(None);
    }
    Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .header("etag", &info.etag)
        .header("x-oss-request-id", request_id)
        .body(full(Bytes::new()))
        .map(Some)
        .map_err(|_| OssError::for_status(500))
}

/// The headers of a 200/206 answer: OSS's own, the object's, the `response-*` overrides of the
/// query, and `Content-Range` for a part.
fn object_headers(
    object: &Object,
    request_id: &str,
    raw_query: &str,
    wrong_crc: bool,
    (status, start, len): (StatusCode, u64, u64),
) -> http::response::Builder {
    let info = &object.info;
    // A big file's CRC is not known on its first answer (it is being hashed): no header then.
    let crc = object
        .crc64
        .map(|crc| if wrong_crc { crc ^ 1 } else { crc });
    let query = query_pairs(raw_query).unwrap_or_default();
    let override_of = |name: &str| param(&query, name).map(str::to_string);
    let mut builder = Response::builder()
        .status(status)
        .header("server", "AliyunOSS")
        .header("date", http_date(SystemTime::now()))
        .header("x-oss-request-id", request_id)
        .header("accept-ranges", "bytes")
        .header("etag", &info.etag)
        .header("last-modified", http_date(info.last_modified))
        .header("x-oss-object-type", "Normal")
        .header("x-oss-storage-class", "Standard")
        .header("content-length", len)
        .header(
            "content-type",
            override_of("response-content-type").unwrap_or_else(|| object.content_type.clone()),
        );
    if let Some(crc) = crc {
        builder = builder.header("x-oss-hash-crc64ecma", crc.to_string());
    }
    for (name, value) in &object.user_meta {
        builder = builder.header(name.as_str(), value.as_str());
    }
    for (q, h) in [
        ("response-content-disposition", "content-disposition"),
        ("response-cache-control", "cache-control"),
        ("response-content-language", "content-language"),
        ("response-content-encoding", "content-encoding"),
        ("response-expires", "expires"),
    ] {
        if let Some(v) = override_of(q) {
            builder = builder.header(h, v);
        }
    }
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            "content-range",
            format!("bytes {}-{}/{}", start, start + len - 1, info.size),
        );
    }
    builder
}

#[derive(Debug, Default, Clone)]
struct BodyFaults {
    drop_after: Option<u64>,
    throttle: Option<u64>,
    stall: Option<(u64, Duration)>,
    corrupt: Option<u64>,
    wrong_crc: bool,
    ignore_range: bool,
}

async fn produce_body(
    object: Arc<Object>,
    start: u64,
    len: u64,
    mut faults: BodyFaults,
    mut tx: Sender<Bytes, std::io::Error>,
) {
    let chunk = match faults.throttle {
        Some(bps) => (bps / 20).clamp(1024, 64 << 10) as usize,
        None => 256 << 10,
    };
    let began = tokio::time::Instant::now();
    let mut sent = 0u64;
    while sent < len {
        if faults.drop_after.is_some_and(|d| sent >= d) {
            // Let the connection flush what was sent, then break it.
            tokio::time::sleep(Duration::from_millis(20)).await;
            abort(
                tx,
                std::io::ErrorKind::ConnectionAborted,
                "fault injection: connection dropped",
            );
            return;
        }
        if let Some((after, d)) = faults.stall {
            if sent >= after {
                tokio::time::sleep(d).await;
                faults.stall = None;
            }
        }
        let mut want = (chunk as u64).min(len - sent);
        if let Some(d) = faults.drop_after {
            want = want.min(d - sent);
        }
        if let Some((after, _)) = faults.stall {
            if after > sent {
                want = want.min(after - sent);
            }
        }
        let data = match object.content.read_at(start + sent, want as usize).await {
            Ok(d) if !d.is_empty() => d,
            Ok(_) => {
                abort(
                    tx,
                    std::io::ErrorKind::UnexpectedEof,
                    "object shorter than announced",
                );
                return;
            }
            Err(e) => {
                tx.abort(e);
                return;
            }
        };
        let pos = start + sent;
        let data = match faults.corrupt {
            Some(off) if off >= pos && off < pos + data.len() as u64 => {
                let mut m = BytesMut::from(&data[..]);
                let i = (off - pos) as usize;
                m[i] ^= 0xFF;
                m.freeze()
            }
            _ => data,
        };
        let n = data.len() as u64;
        if let Some(bps) = faults.throttle {
            let due = Duration::from_secs_f64((sent + n) as f64 / bps as f64);
            tokio::time::sleep_until(began + due).await;
        }
        if tx.send_data(data).await.is_err() {
            return;
        }
        sent += n;
    }
}

/// Breaks the body being sent with an error of `kind` (the connection is cut mid-body).
fn abort(tx: Sender<Bytes, std::io::Error>, kind: std::io::ErrorKind, message: &'static str) {
    tx.abort(std::io::Error::new(kind, message));
}

fn etag_list_matches(header: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    header.split(',').map(str::trim).any(|t| {
        t == "*"
            || t.trim_start_matches("W/")
                .trim_matches('"')
                .eq_ignore_ascii_case(bare)
    })
}

fn parse_http_date(s: &str) -> Option<SystemTime> {
    SigningTime::parse_http_date(s).ok().map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matching_handles_quotes_lists_and_star() {
        assert!(etag_list_matches("\"ABC\"", "\"ABC\""));
        assert!(etag_list_matches("abc", "\"ABC\""));
        assert!(etag_list_matches("\"x\", \"ABC\"", "\"ABC\""));
        assert!(etag_list_matches("*", "\"ABC\""));
        assert!(!etag_list_matches("\"ABD\"", "\"ABC\""));
    }
}
