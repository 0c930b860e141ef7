//! Where a request points: the bucket (virtual-hosted from `Host`, or the first path segment) and
//! the key, the reverse for [`TestServer::object_url`](crate::TestServer::object_url), and which
//! OSS operation the method, key and query name ([`operation`]).

use std::net::IpAddr;

use http::{request::Parts, Method};

use crate::oss_error::OssError;
use crate::query::{decode_path, param};
use crate::store::ObjectStore;

/// The OSS operations the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operation {
    GetObject,
    HeadObject,
    PutObject,
    DeleteObject,
    InitiateMultipartUpload,
    UploadPart {
        part_number: u32,
        upload_id: String,
    },
    CompleteMultipartUpload {
        upload_id: String,
    },
    AbortMultipartUpload {
        upload_id: String,
    },
    ListParts {
        upload_id: String,
    },
    ListObjectsV2,
    /// A CORS preflight `OPTIONS` (never signed: browsers send no credentials with it).
    Preflight,
    /// `POST /` with a `multipart/form-data` body: a browser form upload, authenticated by
    /// its policy fields rather than by a signature on the request.
    PostObject,
}

impl Operation {
    /// Whether the request's own signature is checked (a preflight carries none, a form upload
    /// is checked against its policy).
    pub(crate) fn signed(&self) -> bool {
        !matches!(self, Operation::Preflight | Operation::PostObject)
    }
}

/// The operation a request names, from its method, whether it has a key, and its query.
pub(crate) fn operation(
    parts: &Parts,
    target: &Target,
    query: &[(String, String)],
) -> Result<Operation, OssError> {
    let upload_id = param(query, "uploadId").map(str::to_string);
    let object = !target.key.is_empty();
    let op = match (&parts.method, object, upload_id) {
        (&Method::OPTIONS, _, _) => Operation::Preflight,
        (&Method::POST, false, _) if is_form(parts) => Operation::PostObject,
        (&Method::GET, false, _) if param(query, "list-type") == Some("2") => {
            Operation::ListObjectsV2
        }
        (_, false, _) => {
            return Err(OssError::new(
                501,
                "NotImplemented",
                "oss-testserver answers ListObjectsV2 (GET /?list-type=2) and PostObject on a                  bucket; other bucket operations are not implemented.",
            ))
        }
        (&Method::GET, true, Some(upload_id)) => Operation::ListParts { upload_id },
        (&Method::GET, true, None) => Operation::GetObject,
        (&Method::HEAD, true, _) => Operation::HeadObject,
        (&Method::PUT, true, Some(upload_id)) => {
            let part_number = param(query, "partNumber")
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| {
                    OssError::new(
                        400,
                        "InvalidArgument",
                        "Part number must be an integer between 1 and 10000, inclusive.",
                    )
                    .extra("ArgumentName", "partNumber")
                    .extra(
                        "ArgumentValue",
                        param(query, "partNumber").unwrap_or("").to_string(),
                    )
                })?;
            Operation::UploadPart {
                part_number,
                upload_id,
            }
        }
        (&Method::PUT, true, None) => Operation::PutObject,
        (&Method::POST, true, Some(upload_id)) => Operation::CompleteMultipartUpload { upload_id },
        (&Method::POST, true, None) if param(query, "uploads").is_some() => {
            Operation::InitiateMultipartUpload
        }
        (&Method::DELETE, true, Some(upload_id)) => Operation::AbortMultipartUpload { upload_id },
        (&Method::DELETE, true, None) => Operation::DeleteObject,
        _ => {
            return Err(OssError::new(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            ))
        }
    };
    Ok(op)
}

fn is_form(parts: &Parts) -> bool {
    parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Where a request points after resolving Host and path.
pub(crate) struct Target {
    pub(crate) bucket: String,
    pub(crate) key: String,
}

/// The bucket and key of a request; the key is empty for a bucket-level request.
pub(crate) fn resolve_target(store: &ObjectStore, req: &Parts) -> Result<Target, OssError> {
    let host = req
        .uri
        .authority()
        .map(|a| a.host().to_string())
        .or_else(|| {
            req.headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| strip_port(h).to_string())
        })
        .unwrap_or_default();
    let raw_path = req.uri.path();
    let path = decode_path(raw_path)?;
    let host_is_ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok();
    let virtual_bucket = if host_is_ip || host == "localhost" {
        None
    } else {
        host.split_once('.')
            .map(|(first, _)| first)
            .filter(|b| store.bucket_exists(b))
            .map(str::to_string)
    };
    let path = path.strip_prefix('/').unwrap_or(&path).to_string();
    let (bucket, key) = match virtual_bucket {
        Some(b) => (b, path),
        None => match path.split_once('/') {
            Some((b, k)) => (b.to_string(), k.to_string()),
            None => (path, String::new()),
        },
    };
    if bucket.is_empty() {
        return Err(OssError::new(
            501,
            "NotImplemented",
            "oss-testserver does not implement service-level operations (a bucket is required).",
        ));
    }
    Ok(Target { bucket, key })
}

/// Percent-encodes an object key for a URL path: unreserved characters and `/` stay literal.
pub(crate) fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map(|(h, _)| &h[1..]).unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_stripping() {
        assert_eq!(strip_port("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(strip_port("[::1]:8080"), "::1");
        assert_eq!(strip_port("bucket.example.com"), "bucket.example.com");
    }
}
