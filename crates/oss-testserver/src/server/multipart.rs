//! Multipart uploads: InitiateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload,
//! AbortMultipartUpload. Parts are spooled to anonymous temporary files (unlinked at once, held
//! open) and kept in memory with their ETag and CRC-64; Complete checks the part list the way
//! OSS does (ascending order, known parts with matching ETags, every part but the last at least
//! 100 KiB), joins the parts into a temporary file next to the target, computing the whole
//! object's CRC-64 as it copies, and renames it in like a PutObject. Uploads in progress do not
//! survive a restart; completed objects do.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use http::request::Parts;
use http::{Response, StatusCode};
use md5::{Digest as _, Md5};

use super::object_write::{check_length, check_md5, content_md5, header, upload_meta, ObjectWrite};
use super::response::{answer, finish};
use super::routing::Target;
use super::state::State;
use super::uploads::{Part, Upload};
use crate::body::ResponseBody;
use crate::oss_error::{push_element, OssError};
use crate::request_body::RequestBody;
use crate::spool::{create_temp, spool_body, SpoolTo, Spooled, MAX_OBJECT_BYTES};
use crate::xml_text::{elements, text};

/// Every part but the last must be at least this big (checked at Complete).
pub(crate) const MIN_PART_BYTES: u64 = 100 << 10;
/// The largest CompleteMultipartUpload document read (10,000 parts fit in about 1 MiB).
const MAX_COMPLETE_XML: usize = 2 << 20;
/// Uploads in progress at once, server-wide.
const MAX_UPLOADS: usize = 1000;
/// Parts held at once, server-wide: each holds an open file, and the process's descriptors
/// must not run out however many parts clients send.
const MAX_HELD_PARTS: usize = 20_000;

fn no_such_upload(upload_id: &str) -> OssError {
    OssError::new(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
    .extra("UploadId", upload_id.to_string())
}

fn iso8601(t: SystemTime) -> String {
    oss_sign_core::SigningTime::try_from(t)
        .map(|t| {
            let s = t.to_rfc3339();
            format!("{}.000Z", s.trim_end_matches('Z'))
        })
        .unwrap_or_default()
}

/// InitiateMultipartUpload: a new upload id; `Content-Type` and `x-oss-meta-*` are kept for the
/// object Complete makes.
pub(crate) fn initiate(
    state: &State,
    parts: &Parts,
    target: &Target,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    state.store.destination(&target.bucket, &target.key)?;
    let upload_id = format!("{:032X}", rand::random::<u128>());
    {
        let mut uploads = state.uploads.lock();
        if uploads.len() >= MAX_UPLOADS {
            return Err(OssError::new(
                503,
                "ServiceUnavailable",
                format!("Too many multipart uploads in progress (at most {MAX_UPLOADS}); complete or abort some."),
            ));
        }
        uploads.insert(
            upload_id.clone(),
            Upload {
                bucket: target.bucket.clone(),
                key: target.key.clone(),
                meta: upload_meta(parts, &target.key),
                parts: BTreeMap::new(),
            },
        );
    }
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>");
    push_element(&mut x, "Bucket", &target.bucket);
    push_element(&mut x, "Key", &target.key);
    push_element(&mut x, "UploadId", &upload_id);
    x.push_str("</InitiateMultipartUploadResult>\n");
    finish(answer(StatusCode::OK, request_id), x)
}

fn check_upload(state: &State, target: &Target, upload_id: &str) -> Result<(), OssError> {
    match state.uploads.lock().get(upload_id) {
        Some(u) if u.bucket == target.bucket && u.key == target.key => Ok(()),
        _ => Err(no_such_upload(upload_id)),
    }
}

/// UploadPart: the part is spooled, checked against `Content-MD5`, and replaces an earlier part
/// of the same number.
pub(crate) async fn upload_part(
    state: &State,
    parts: &Parts,
    body: &mut RequestBody,
    target: &Target,
    upload_id: &str,
    part_number: u32,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    check_upload(state, target, upload_id)?;
    check_length(parts, MAX_OBJECT_BYTES)?;
    let held: usize = state.uploads.lock().values().map(|u| u.parts.len()).sum();
    if held >= MAX_HELD_PARTS {
        return Err(OssError::new(
            503,
            "ServiceUnavailable",
            format!("Too many parts held by uploads in progress (at most {MAX_HELD_PARTS}); complete or abort some."),
        ));
    }
    let expected = content_md5(parts)?;
    let mut spooled = spool_body(body, SpoolTo::Anonymous, MAX_OBJECT_BYTES).await?;
    check_md5(expected, &spooled.md5)?;
    let etag = spooled.etag();
    let crc = spooled.crc64;
    let file = spooled
        .file
        .try_clone()
        .map_err(|e| OssError::new(500, "InternalError", e.to_string()))?;
    spooled.keep();
    {
        let mut uploads = state.uploads.lock();
        // Aborted while the part was arriving: its file is dropped with it.
        let upload = uploads
            .get_mut(upload_id)
            .ok_or_else(|| no_such_upload(upload_id))?;
        upload.parts.insert(
            part_number,
            Part {
                file: Arc::new(file),
                size: spooled.size,
                etag: etag.clone(),
                md5: spooled.md5,
                last_modified: SystemTime::now(),
            },
        );
    }
    let builder = answer(StatusCode::OK, request_id)
        .header("etag", etag)
        .header("x-oss-hash-crc64ecma", crc.to_string());
    finish(builder, String::new())
}

/// ListParts: the uploaded parts in number order (`max-parts`, `part-number-marker`).
pub(crate) fn list_parts(
    state: &State,
    target: &Target,
    upload_id: &str,
    query: &[(String, String)],
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    check_upload(state, target, upload_id)?;
    let param = |n: &str| crate::query::param(query, n);
    let max_parts = param("max-parts")
        .map(|v| v.parse::<usize>().ok().filter(|m| (1..=1000).contains(m)))
        .unwrap_or(Some(1000))
        .ok_or_else(|| {
            OssError::new(
                400,
                "InvalidArgument",
                "max-parts must be an integer from 1 to 1000.",
            )
            .extra("ArgumentName", "max-parts")
        })?;
    let marker = param("part-number-marker")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    let uploads = state.uploads.lock();
    let upload = uploads
        .get(upload_id)
        .ok_or_else(|| no_such_upload(upload_id))?;
    let after: Vec<(&u32, &Part)> = upload.parts.range(marker.saturating_add(1)..).collect();
    let page = &after[..after.len().min(max_parts)];
    let truncated = after.len() > page.len();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult>");
    push_element(&mut x, "Bucket", &target.bucket);
    push_element(&mut x, "Key", &target.key);
    push_element(&mut x, "UploadId", upload_id);
    push_element(&mut x, "PartNumberMarker", &marker.to_string());
    let next = page.last().map_or(marker, |(n, _)| **n);
    push_element(&mut x, "NextPartNumberMarker", &next.to_string());
    push_element(&mut x, "MaxParts", &max_parts.to_string());
    push_element(
        &mut x,
        "IsTruncated",
        if truncated { "true" } else { "false" },
    );
    for (n, p) in page {
        x.push_str("<Part>");
        push_element(&mut x, "PartNumber", &n.to_string());
        push_element(&mut x, "LastModified", &iso8601(p.last_modified));
        push_element(&mut x, "ETag", &p.etag);
        push_element(&mut x, "Size", &p.size.to_string());
        x.push_str("</Part>");
    }
    x.push_str("</ListPartsResult>\n");
    finish(answer(StatusCode::OK, request_id), x)
}

/// The part list of a CompleteMultipartUpload document, in document order.
fn parse_complete(doc: &str) -> Result<Vec<(u32, String)>, OssError> {
    let malformed = |why: String| {
        OssError::new(
            400,
            "MalformedXML",
            format!("The XML you provided was not well-formed or did not validate against our published schema: {why}"),
        )
    };
    let root = elements(doc, "CompleteMultipartUpload").map_err(|e| malformed(e.0))?;
    let [root] = root.as_slice() else {
        return Err(malformed(
            "one <CompleteMultipartUpload> element is required".into(),
        ));
    };
    let mut list = Vec::new();
    for part in elements(root, "Part").map_err(|e| malformed(e.0))? {
        let number = text(part, "PartNumber")
            .map_err(|e| malformed(e.0))?
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(|| malformed("each <Part> needs a numeric <PartNumber>".into()))?;
        let etag = text(part, "ETag")
            .map_err(|e| malformed(e.0))?
            .ok_or_else(|| malformed("each <Part> needs an <ETag>".into()))?;
        list.push((number, etag));
    }
    if list.is_empty() {
        return Err(malformed("at least one <Part> is required".into()));
    }
    Ok(list)
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim()
        .trim_matches('"')
        .eq_ignore_ascii_case(b.trim().trim_matches('"'))
}

/// CompleteMultipartUpload: the listed parts (or all, with `x-oss-complete-all: yes`) joined
/// into the object.
pub(crate) async fn complete(
    state: &State,
    parts: &Parts,
    body: &mut RequestBody,
    target: &Target,
    upload_id: &str,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    check_upload(state, target, upload_id)?;
    let complete_all =
        header(parts, "x-oss-complete-all").is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    let doc = body
        .read_all(MAX_COMPLETE_XML, || {
            OssError::new(
                400,
                "InvalidArgument",
                format!(
                    "The CompleteMultipartUpload document is larger than {MAX_COMPLETE_XML} bytes."
                ),
            )
        })
        .await?;
    let forbid_overwrite =
        header(parts, "x-oss-forbid-overwrite").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    // Choose and check the parts while holding the lock, then copy without it.
    let (chosen, meta) = {
        let uploads = state.uploads.lock();
        let upload = uploads
            .get(upload_id)
            .ok_or_else(|| no_such_upload(upload_id))?;
        let list: Vec<(u32, String)> = if complete_all {
            if !doc.is_empty() {
                return Err(OssError::new(
                    400,
                    "InvalidArgument",
                    "With x-oss-complete-all: yes the request body must be empty.",
                ));
            }
            upload
                .parts
                .iter()
                .map(|(n, p)| (*n, p.etag.clone()))
                .collect()
        } else {
            let doc = std::str::from_utf8(&doc).map_err(|_| {
                OssError::new(400, "MalformedXML", "The XML you provided is not UTF-8.")
            })?;
            parse_complete(doc)?
        };
        if list.is_empty() {
            return Err(OssError::new(
                400,
                "InvalidPart",
                "One or more of the specified parts could not be found: the upload has no parts.",
            ));
        }
        let mut chosen = Vec::with_capacity(list.len());
        let mut previous = 0u32;
        for (i, (number, etag)) in list.iter().enumerate() {
            if *number <= previous {
                return Err(OssError::new(
                    400,
                    "InvalidPartOrder",
                    "The list of parts was not in ascending order. Parts list must be specified in order by part number.",
                ));
            }
            previous = *number;
            let part = upload
                .parts
                .get(number)
                .filter(|p| same_etag(&p.etag, etag));
            let Some(part) = part else {
                return Err(OssError::new(
                    400,
                    "InvalidPart",
                    "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
                )
                .extra("PartNumber", number.to_string())
                .extra("ETag", etag.clone()));
            };
            if i + 1 < list.len() && part.size < MIN_PART_BYTES {
                return Err(OssError::new(
                    400,
                    "EntityTooSmall",
                    format!("Your proposed upload is smaller than the minimum allowed size: every part but the last must be at least {MIN_PART_BYTES} bytes."),
                )
                .extra("PartNumber", number.to_string())
                .extra("ProposedSize", part.size.to_string())
                .extra("MinSizeAllowed", MIN_PART_BYTES.to_string()));
            }
            chosen.push((part.file.clone(), part.size, part.md5));
        }
        (chosen, upload.meta.clone())
    };
    let write = ObjectWrite::begin(
        state,
        &target.bucket,
        &target.key,
        forbid_overwrite,
        already_exists_unnamed,
    )?;
    let folder = write.folder().map(Path::to_path_buf);
    let count = chosen.len();
    let spooled = tokio::task::spawn_blocking(move || join_parts(folder, &chosen))
        .await
        .map_err(|e| OssError::new(500, "InternalError", e.to_string()))?
        .map_err(|e| OssError::new(500, "InternalError", format!("cannot join the parts: {e}")))?;
    let mut meta = meta;
    meta.etag = multipart_etag(&spooled.md5, count);
    let info = write.commit(spooled, meta)?;
    state.uploads.lock().remove(upload_id);
    let mut x =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>");
    push_element(
        &mut x,
        "Location",
        &format!("/{}/{}", target.bucket, target.key),
    );
    push_element(&mut x, "Bucket", &target.bucket);
    push_element(&mut x, "Key", &target.key);
    push_element(&mut x, "ETag", &info.etag);
    x.push_str("</CompleteMultipartUploadResult>\n");
    let builder = answer(StatusCode::OK, request_id)
        .header("etag", &info.etag)
        .header("x-oss-hash-crc64ecma", info.crc64.to_string());
    finish(builder, x)
}

/// `409 FileAlreadyExists` as Complete answers it before joining the parts: unlike PutObject's
/// (`already_exists`), without a `Key` element.
fn already_exists_unnamed(_key: &str) -> OssError {
    OssError::new(
        409,
        "FileAlreadyExists",
        "The object you specified already exists and can not be overwritten.",
    )
}

/// The ETag of a multipart object: the MD5 of the parts' MD5s, `-` and the part count.
/// `md5_of_md5s` is what [`join_parts`] left in `Spooled::md5`.
fn multipart_etag(md5_of_md5s: &[u8; 16], parts: usize) -> String {
    format!("\"{}-{parts}\"", hex::encode_upper(md5_of_md5s))
}

/// Copies the parts into one temporary file (in `folder`, or anonymous), computing the
/// object's CRC-64 over the joined bytes and the MD5 of the parts' MD5s.
fn join_parts(
    folder: Option<std::path::PathBuf>,
    parts: &[(Arc<File>, u64, [u8; 16])],
) -> std::io::Result<Spooled> {
    use std::os::unix::fs::FileExt as _;
    let (file, path) = match &folder {
        Some(dir) => {
            let (f, p) = create_temp(dir)?;
            (f, Some(p))
        }
        None => {
            let (f, p) = create_temp(&std::env::temp_dir())?;
            let _ = std::fs::remove_file(&p);
            (f, None)
        }
    };
    let mut spooled = Spooled {
        file,
        path,
        size: 0,
        md5: [0; 16],
        crc64: 0,
    };
    let mut crc = crc64fast::Digest::new();
    let mut md5s = Md5::new();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, spooled.file.try_clone()?);
    let mut buf = vec![0u8; 1 << 20];
    for (file, size, md5) in parts {
        md5s.update(md5);
        let mut offset = 0u64;
        while offset < *size {
            let want = ((*size - offset) as usize).min(buf.len());
            let n = file.read_at(&mut buf[..want], offset)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "a part file is shorter than recorded",
                ));
            }
            crc.write(&buf[..n]);
            out.write_all(&buf[..n])?;
            offset += n as u64;
        }
        spooled.size += size;
    }
    out.flush()?;
    drop(out);
    spooled.crc64 = crc.sum64();
    spooled.md5 = md5s.finalize().into();
    Ok(spooled)
}

/// AbortMultipartUpload: forgets the upload and its parts (`204`).
pub(crate) fn abort(
    state: &State,
    target: &Target,
    upload_id: &str,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    check_upload(state, target, upload_id)?;
    state.uploads.lock().remove(upload_id);
    finish(answer(StatusCode::NO_CONTENT, request_id), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_documents_parse_in_order() {
        let doc = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"A\"</ETag></Part>\
                   <Part><PartNumber>3</PartNumber><ETag>&quot;B&quot;</ETag></Part></CompleteMultipartUpload>";
        assert_eq!(
            parse_complete(doc).unwrap(),
            vec![(1, "\"A\"".to_string()), (3, "\"B\"".to_string())]
        );
        for bad in [
            "<CompleteMultipartUpload></CompleteMultipartUpload>",
            "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
            "<Other/>",
        ] {
            assert_eq!(
                parse_complete(bad).unwrap_err().code,
                "MalformedXML",
                "{bad}"
            );
        }
    }

    #[test]
    fn etags_compare_without_quotes_or_case() {
        assert!(same_etag("\"ABC\"", "abc"));
        assert!(!same_etag("\"ABC\"", "\"ABD\""));
    }
}
