//! PutObject and DeleteObject. An upload is streamed into a temporary file next to its target
//! and renamed in only when it is complete and its `Content-MD5` (if any) matches, so a reader
//! sees the old object or the new one, never a part of it.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use http::request::Parts;
use http::{Response, StatusCode};

use super::response::{answer, finish};
use super::routing::Target;
use super::state::State;
use crate::body::ResponseBody;
use crate::oss_error::{already_exists, OssError};
use crate::request_body::RequestBody;
use crate::spool::{entity_too_large, spool_body, SpoolTo, Spooled, MAX_OBJECT_BYTES};
use crate::store::write::Destination;
use crate::store::{content_type_for, ObjectInfo, StoredMeta};

/// One object being written, the way PutObject, CompleteMultipartUpload and PostObject all do
/// it: the destination resolved and `x-oss-forbid-overwrite` checked before a byte is spooled,
/// the body spooled next to the target, then committed (which checks the overwrite again).
pub(crate) struct ObjectWrite<'a> {
    state: &'a State,
    bucket: &'a str,
    key: &'a str,
    dest: Destination,
    folder: Option<PathBuf>,
    forbid_overwrite: bool,
}

impl<'a> ObjectWrite<'a> {
    /// Resolves where `bucket/key` goes; with `forbid_overwrite`, an existing object is refused
    /// at once with `exists(key)`.
    pub(crate) fn begin(
        state: &'a State,
        bucket: &'a str,
        key: &'a str,
        forbid_overwrite: bool,
        exists: fn(&str) -> OssError,
    ) -> Result<Self, OssError> {
        let store = &state.store;
        let dest = store.destination(bucket, key)?;
        if forbid_overwrite && store.exists(bucket, key) {
            return Err(exists(key));
        }
        let folder = store.spool_folder(&dest)?;
        Ok(Self {
            state,
            bucket,
            key,
            dest,
            folder,
            forbid_overwrite,
        })
    }

    /// The folder of the temporary file (`None`: an anonymous file).
    pub(crate) fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// Where the body spools to.
    pub(crate) fn spool_to(&self) -> SpoolTo<'_> {
        self.folder().map_or(SpoolTo::Anonymous, SpoolTo::Folder)
    }

    /// Renames the spooled body in as the object with `meta`.
    pub(crate) fn commit(self, spooled: Spooled, meta: StoredMeta) -> Result<ObjectInfo, OssError> {
        self.state.store.commit(
            self.bucket,
            self.key,
            &self.dest,
            spooled,
            meta,
            self.forbid_overwrite,
        )
    }
}

/// The headers of an upload: a header's value as text.
pub(crate) fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Content-Length` above the limit is refused before any byte is read.
pub(crate) fn check_length(parts: &Parts, max: u64) -> Result<(), OssError> {
    match header(parts, "content-length").map(str::parse::<u64>) {
        Some(Ok(len)) if len > max => Err(entity_too_large(max)),
        _ => Ok(()),
    }
}

/// The decoded `Content-Md5` header, if any; one that is not base64 of 16 bytes is
/// `400 InvalidDigest`.
pub(crate) fn content_md5(parts: &Parts) -> Result<Option<[u8; 16]>, OssError> {
    let Some(text) = header(parts, "content-md5") else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .map(Some)
        .ok_or_else(|| {
            OssError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
            .extra("ContentMd5", text.to_string())
        })
}

/// Compares the body's MD5 with the `Content-MD5` it was sent with.
pub(crate) fn check_md5(expected: Option<[u8; 16]>, actual: &[u8; 16]) -> Result<(), OssError> {
    match expected {
        Some(e) if &e != actual => Err(OssError::new(
            400,
            "InvalidDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
        .extra(
            "ExpectedDigest",
            base64::engine::general_purpose::STANDARD.encode(e),
        )
        .extra(
            "CalculatedDigest",
            base64::engine::general_purpose::STANDARD.encode(actual),
        )),
        _ => Ok(()),
    }
}

/// `Content-Type` (or the key's extension's type) and the `x-oss-meta-*` headers.
pub(crate) fn upload_meta(parts: &Parts, key: &str) -> StoredMeta {
    let content_type = header(parts, "content-type")
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| content_type_for(std::path::Path::new(key)));
    let user_meta = parts
        .headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("x-oss-meta-"))
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    StoredMeta {
        content_type,
        user_meta,
        ..StoredMeta::default()
    }
}

/// PutObject: `Content-MD5`, `x-oss-forbid-overwrite`, `Content-Type`, `x-oss-meta-*`; answers
/// `ETag` (the quoted upper-case hex MD5) and `x-oss-hash-crc64ecma`.
pub(crate) async fn put_object(
    state: &State,
    parts: &Parts,
    body: &mut RequestBody,
    target: &Target,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    check_length(parts, MAX_OBJECT_BYTES)?;
    let expected_md5 = content_md5(parts)?;
    let forbid_overwrite =
        header(parts, "x-oss-forbid-overwrite").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let write = ObjectWrite::begin(
        state,
        &target.bucket,
        &target.key,
        forbid_overwrite,
        already_exists,
    )?;
    let spooled = spool_body(body, write.spool_to(), MAX_OBJECT_BYTES).await?;
    check_md5(expected_md5, &spooled.md5)?;
    let mut meta = upload_meta(parts, &target.key);
    meta.etag = spooled.etag();
    let md5 = base64::engine::general_purpose::STANDARD.encode(spooled.md5);
    let info = write.commit(spooled, meta)?;
    let builder = answer(StatusCode::OK, request_id)
        .header("etag", &info.etag)
        .header("content-md5", md5)
        .header("x-oss-hash-crc64ecma", info.crc64.to_string());
    finish(builder, String::new())
}

/// DeleteObject: `204` whether or not the object existed, as OSS answers.
pub(crate) fn delete_object(
    state: &State,
    target: &Target,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    state.store.delete(&target.bucket, &target.key)?;
    finish(answer(StatusCode::NO_CONTENT, request_id), String::new())
}
