//! PostObject: `POST /` on the bucket host with a `multipart/form-data` body (a browser form
//! upload). The form is read with fixed limits (fields small and few; the file streamed), the
//! V4 POST signature and policy are checked by `oss_sign_core::post_policy` before a byte of the
//! file is kept, and the object appears only complete: a directory-backed bucket gets a
//! temporary file created exclusively next to the object and renamed in on success.

use std::path::Path;

use bytes::{Buf, Bytes, BytesMut};
use http::request::Parts;
use http::Response;
use oss_sign_core::post_policy::{verify_post_form, PostForm, PostVerifyOptions};

use super::object_write::ObjectWrite;
use super::state::State;
use crate::body::{full, ResponseBody};
use crate::oss_error::{already_exists, escape_into, no_such_bucket, OssError};
use crate::query::decode_path;
use crate::request_body::RequestBody;
use crate::spool::SpoolWriter;
use crate::store::{content_type_for, StoredMeta};

/// Largest value of a non-file field (a policy of 64 KiB is about 88 KiB of base64).
const MAX_FIELD_BYTES: usize = 128 * 1024;
/// Most fields before the file.
const MAX_FIELDS: usize = 64;
/// Largest part header block.
const MAX_PART_HEADER_BYTES: usize = 8 * 1024;
/// Largest file PostObject accepts (OSS: 5 GB).
const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Answers a PostObject. On a refusal the handler drains the rest of the body (up to its
/// bound) before answering, so the client sees the error XML.
pub(crate) async fn respond(
    state: &State,
    parts: &Parts,
    body: &mut RequestBody,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    let bucket = post_bucket(state, parts)?;
    let boundary = boundary(parts)?;
    let mut reader = FormReader::new(body, &boundary);
    receive(state, &bucket, &mut reader, request_id).await
}

/// The bucket: the first label of a virtual host that names one, else the first path segment.
fn post_bucket(state: &State, req: &Parts) -> Result<String, OssError> {
    let host = req
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if let Some((first, _)) = host.split_once('.') {
        if first.parse::<u8>().is_err() && state.store.bucket_exists(first) {
            return Ok(first.to_string());
        }
    }
    let path = decode_path(req.uri.path())?;
    let path = path.trim_start_matches('/');
    let bucket = path.strip_suffix('/').unwrap_or(path);
    if bucket.is_empty() || bucket.contains('/') {
        return Err(OssError::new(
            400,
            "InvalidArgument",
            "PostObject goes to the bucket root: POST / on the bucket host, or POST /<bucket> on an IP endpoint.",
        ));
    }
    if !state.store.bucket_exists(bucket) {
        return Err(no_such_bucket(bucket));
    }
    Ok(bucket.to_string())
}

fn boundary(req: &Parts) -> Result<String, OssError> {
    let bad = || {
        OssError::new(
            400,
            "InvalidArgument",
            "Content-Type must be multipart/form-data with a boundary of 1-70 characters.",
        )
    };
    let ct = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad)?;
    let b = ct
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .ok_or_else(bad)?;
    if b.is_empty() || b.len() > 70 || b.bytes().any(|c| c < 0x20 || c == 0x7f) {
        return Err(bad());
    }
    Ok(b)
}

fn malformed(what: &str) -> OssError {
    OssError::new(
        400,
        "MalformedPOSTRequest",
        format!("The body of your POST request is not well-formed multipart/form-data: {what}."),
    )
}

/// One part's headers: its field name, and the file name when it is a file.
struct PartHead {
    name: String,
    filename: Option<String>,
}

fn parse_part_head(block: &[u8]) -> Result<PartHead, OssError> {
    let text = std::str::from_utf8(block).map_err(|_| malformed("part headers are not UTF-8"))?;
    let mut name = None;
    let mut filename = None;
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let (h, v) = line
            .split_once(':')
            .ok_or_else(|| malformed("a part header has no ':'"))?;
        if h.trim().eq_ignore_ascii_case("content-disposition") {
            for param in v.split(';').skip(1) {
                if let Some((k, val)) = param.trim().split_once('=') {
                    let val = val.trim().trim_matches('"').to_string();
                    match k.trim().to_ascii_lowercase().as_str() {
                        "name" => name = Some(val),
                        "filename" => filename = Some(val),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(PartHead {
        name: name.ok_or_else(|| malformed("a part has no Content-Disposition name"))?,
        filename,
    })
}

/// Reads a multipart body incrementally; the buffer never holds more than one field's limit
/// plus a frame.
struct FormReader<'b> {
    body: &'b mut RequestBody,
    buf: BytesMut,
    /// `\r\n--boundary`.
    delimiter: Vec<u8>,
    ended: bool,
    /// Set once the closing delimiter was seen.
    finished: bool,
}

impl<'b> FormReader<'b> {
    fn new(body: &'b mut RequestBody, boundary: &str) -> Self {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Self {
            body,
            buf: BytesMut::new(),
            delimiter,
            ended: false,
            finished: false,
        }
    }

    /// Reads one more chunk into the buffer; false at the end of the body.
    async fn fill(&mut self) -> Result<bool, OssError> {
        while !self.ended {
            match self.body.chunk().await.map_err(|e| e.into_oss())? {
                None => self.ended = true,
                Some(data) if data.is_empty() => {}
                Some(data) => {
                    self.buf.extend_from_slice(&data);
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    fn find(&self, needle: &[u8], from: usize) -> Option<usize> {
        if self.buf.len() < needle.len() {
            return None;
        }
        (from..=self.buf.len() - needle.len()).find(|&i| self.buf[i..].starts_with(needle))
    }

    /// Skips the preamble and the first delimiter line.
    async fn start(&mut self) -> Result<(), OssError> {
        // The first delimiter may come without the leading CRLF.
        let first = self.delimiter[2..].to_vec();
        loop {
            if let Some(i) = self.find(&first, 0) {
                self.buf.advance(i + first.len());
                return self.after_delimiter().await;
            }
            if self.buf.len() > MAX_PART_HEADER_BYTES || !self.fill().await? {
                return Err(malformed("no opening boundary"));
            }
        }
    }

    /// After a delimiter: `--` ends the form, CRLF starts a part.
    async fn after_delimiter(&mut self) -> Result<(), OssError> {
        while self.buf.len() < 2 {
            if !self.fill().await? {
                return Err(malformed("the body ends inside a boundary"));
            }
        }
        if self.buf.starts_with(b"--") {
            self.finished = true;
            return Ok(());
        }
        if self.buf.starts_with(b"\r\n") {
            self.buf.advance(2);
            return Ok(());
        }
        Err(malformed(
            "a boundary is followed by something other than CRLF or --",
        ))
    }

    /// The next part's headers, or `None` after the closing delimiter.
    async fn next_part(&mut self) -> Result<Option<PartHead>, OssError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            if let Some(i) = self.find(b"\r\n\r\n", 0) {
                let head = parse_part_head(&self.buf[..i])?;
                self.buf.advance(i + 4);
                return Ok(Some(head));
            }
            if self.buf.len() > MAX_PART_HEADER_BYTES {
                return Err(malformed("part headers are longer than 8 KiB"));
            }
            if !self.fill().await? {
                return Err(malformed("the body ends inside part headers"));
            }
        }
    }

    /// Passes the part's content to `sink` chunk by chunk, up to the delimiter.
    async fn read_part(&mut self, sink: &mut impl AsyncSink) -> Result<(), OssError> {
        let n = self.delimiter.len();
        loop {
            if let Some(i) = self.find(&self.delimiter.clone(), 0) {
                let chunk = self.buf.split_to(i).freeze();
                sink.take(chunk).await?;
                self.buf.advance(n);
                return self.after_delimiter().await;
            }
            // Everything but a possible delimiter start can go.
            let keep = n.min(self.buf.len());
            let safe = self.buf.len() - keep;
            if safe > 0 {
                let chunk = self.buf.split_to(safe).freeze();
                sink.take(chunk).await?;
            }
            if !self.fill().await? {
                return Err(malformed("the body ends inside a part"));
            }
        }
    }
}

/// Where a part's bytes go.
trait AsyncSink {
    async fn take(&mut self, chunk: Bytes) -> Result<(), OssError>;
}

/// A field value, bounded.
struct FieldSink<'a>(&'a mut Vec<u8>);

impl AsyncSink for FieldSink<'_> {
    async fn take(&mut self, chunk: Bytes) -> Result<(), OssError> {
        if self.0.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(OssError::new(
                400,
                "InvalidArgument",
                format!("a form field is longer than {MAX_FIELD_BYTES} bytes"),
            ));
        }
        self.0.extend_from_slice(&chunk);
        Ok(())
    }
}

/// The file part, spooled as PutObject's body is (hashed, in an exclusively created temporary
/// file, removed unless committed).
struct FileSink<'a> {
    spool: &'a mut SpoolWriter,
    limit: u64,
    limit_error: &'a (dyn Fn(u64) -> OssError + Sync),
}

impl AsyncSink for FileSink<'_> {
    async fn take(&mut self, chunk: Bytes) -> Result<(), OssError> {
        let size = self.spool.size() + chunk.len() as u64;
        if size > self.limit {
            return Err((self.limit_error)(size));
        }
        self.spool.write(&chunk)
    }
}

/// The form's `Content-Type` (else the key's extension's type) and `x-oss-meta-*` fields
/// (names lower-cased, in form order): what PutObject stores from the same headers.
fn form_meta(fields: &[(String, String)], key: &str) -> StoredMeta {
    let content_type = fields
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("content-type") && !v.is_empty())
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| content_type_for(Path::new(key)));
    let user_meta = fields
        .iter()
        .filter_map(|(n, v)| {
            let name = n.to_ascii_lowercase();
            name.starts_with("x-oss-meta-").then(|| (name, v.clone()))
        })
        .collect();
    StoredMeta {
        content_type,
        user_meta,
        ..StoredMeta::default()
    }
}

async fn receive(
    state: &State,
    bucket: &str,
    reader: &mut FormReader<'_>,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    reader.start().await?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let file_name = loop {
        let Some(head) = reader.next_part().await? else {
            return Err(OssError::new(
                400,
                "InvalidArgument",
                "The form has no file field: the file must be the last field, named file.",
            ));
        };
        if head.name.eq_ignore_ascii_case("file") {
            break head.filename.unwrap_or_default();
        }
        if fields.len() >= MAX_FIELDS {
            return Err(OssError::new(
                400,
                "InvalidArgument",
                format!("the form has more than {MAX_FIELDS} fields before the file"),
            ));
        }
        let mut value = Vec::new();
        reader.read_part(&mut FieldSink(&mut value)).await?;
        let value =
            String::from_utf8(value).map_err(|_| malformed("a field value is not UTF-8"))?;
        fields.push((head.name, value));
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };

    // The signature and the policy, before any byte of the file is kept.
    let mut limit = MAX_FILE_BYTES;
    let mut policy = None;
    if !state.verifier.credentials.is_empty() {
        let view: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let secrets = |ak: &str| {
            state
                .verifier
                .credentials
                .iter()
                .find(|(id, _)| id == ak)
                .map(|(_, s)| s.clone())
        };
        let now = state.verifier.clock.now().ok_or_else(|| {
            OssError::new(500, "InternalError", "the server clock is out of range")
        })?;
        if field("policy").is_none() {
            return Err(OssError::new(403, "AccessDenied", "Access denied: the form carries no policy and signature, and the bucket is not public-read-write."));
        }
        let verified = verify_post_form(
            &PostForm::new(bucket, &view),
            &secrets,
            now,
            &PostVerifyOptions::new().region(state.verifier.region.clone()),
        )
        .map_err(|e| {
            OssError::new(
                e.kind().http_status(),
                e.kind().oss_code(),
                e.message().to_string(),
            )
        })?;
        if let Some(max) = verified.policy().max_file_size() {
            limit = limit.min(max);
        }
        policy = Some(verified);
    }
    let key = field("key")
        .ok_or_else(|| {
            OssError::new(
                400,
                "InvalidArgument",
                "The form has no key field: the object key is required.",
            )
        })?
        .replace("${filename}", &file_name);
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(OssError::new(
            400,
            "InvalidObjectName",
            "The object key must be 1-1023 bytes and not start with '/' or '\\'.",
        ));
    }
    let status = match field("success_action_status") {
        None => 204,
        Some("200") => 200,
        Some("201") => 201,
        // OSS answers 204 for any other value.
        Some(_) => 204,
    };

    // Where the object goes and its metadata, exactly as PutObject stores them.
    let write = ObjectWrite::begin(state, bucket, &key, false, already_exists)?;
    let mut spool = SpoolWriter::new(write.spool_to(), limit)?;
    let mut meta = form_meta(&fields, &key);
    let policy_ref = policy.as_ref();
    let limit_error = move |size: u64| match policy_ref {
        Some(p) if p.policy().max_file_size().is_some_and(|m| size > m) => {
            let e = p.policy().check_file_size(size).unwrap_err();
            OssError::new(
                e.kind().http_status(),
                e.kind().oss_code(),
                e.message().to_string(),
            )
        }
        _ => OssError::new(
            400,
            "EntityTooLarge",
            format!("Your proposed upload exceeds the maximum allowed size ({size} bytes so far)"),
        ),
    };
    let mut sink = FileSink {
        spool: &mut spool,
        limit,
        limit_error: &limit_error,
    };
    reader.read_part(&mut sink).await?;
    let size = spool.size();
    if let Some(p) = &policy {
        p.policy().check_file_size(size).map_err(|e| {
            OssError::new(
                e.kind().http_status(),
                e.kind().oss_code(),
                e.message().to_string(),
            )
        })?;
    }
    let spooled = spool.finish()?;
    meta.etag = spooled.etag();
    let info = write.commit(spooled, meta)?;
    debug_assert_eq!(info.size, size);
    let mut builder = Response::builder()
        .status(status)
        .header("server", "AliyunOSS")
        .header("x-oss-request-id", request_id)
        .header("etag", &info.etag)
        .header("x-oss-hash-crc64ecma", info.crc64.to_string());
    let body = if status == 201 {
        let mut x =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>\n<Bucket>");
        escape_into(&mut x, bucket);
        x.push_str("</Bucket>\n<Location>");
        escape_into(&mut x, &format!("/{bucket}/{key}"));
        x.push_str("</Location>\n<Key>");
        escape_into(&mut x, &key);
        x.push_str("</Key>\n<ETag>");
        escape_into(&mut x, &info.etag);
        x.push_str("</ETag>\n</PostResponse>\n");
        builder = builder.header("content-type", "application/xml");
        Bytes::from(x)
    } else {
        Bytes::new()
    };
    builder
        .header("content-length", body.len())
        .body(full(body))
        .map_err(|e| {
            OssError::new(
                500,
                "InternalError",
                format!("cannot build the response: {e}"),
            )
        })
}
