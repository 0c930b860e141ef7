//! Where a request points: the bucket (virtual-hosted from `Host`, or the first path segment) and
//! the key, and the reverse for [`TestServer::object_url`](crate::TestServer::object_url).

use std::net::IpAddr;

use http::Request;
use hyper::body::Incoming;

use crate::oss_error::OssError;
use crate::query::decode_path;
use crate::store::ObjectStore;

/// Where a request points after resolving Host and path.
pub(crate) struct Target {
    pub(crate) bucket: String,
    pub(crate) key: String,
}

pub(crate) fn resolve_target(
    store: &ObjectStore,
    req: &Request<Incoming>,
) -> Result<Target, OssError> {
    let host = req
        .uri()
        .authority()
        .map(|a| a.host().to_string())
        .or_else(|| {
            req.headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(|h| strip_port(h).to_string())
        })
        .unwrap_or_default();
    let raw_path = req.uri().path();
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
    if bucket.is_empty() || key.is_empty() {
        return Err(OssError::new(
            501,
            "NotImplemented",
            "oss-testserver only implements GetObject and HeadObject (a bucket and a key are required).",
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
