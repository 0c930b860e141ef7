//! The typed request of `url` (one of `oss-client`'s operations, or a free-form request), with
//! the named flags OSS users presign most mapped onto its fields, and its object replaceable so
//! that `url --list` signs many objects with one request value ([`Prepared`]: the template
//! with the client, expiry and credentials provider it is signed with).

use clap::Args;
use oss_client::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, GetObjectRequest,
    HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest, PresignOptions, Presignable,
    PutObjectRequest, UploadPartRequest,
};

use crate::arg_text::excerpt;
use crate::exit_code::Failure;

/// Lowest `x-oss-traffic-limit` OSS accepts, in bit/s (100 KiB/s).
pub(crate) const TRAFFIC_LIMIT_MIN: u64 = 819_200;
/// Highest `x-oss-traffic-limit` OSS accepts, in bit/s (100 MiB/s).
pub(crate) const TRAFFIC_LIMIT_MAX: u64 = 838_860_800;

/// Everything `url` needs before it knows the object: one client, one request, one expiry.
pub(crate) struct Prepared {
    /// The clients (one per bucket that ossutil's sections send elsewhere).
    pub(crate) clients: crate::client_flags::ClientSet,
    pub(crate) template: RequestTemplate,
    pub(crate) options: PresignOptions,
}

/// Named request options (each maps to a field of the typed request).
#[derive(Debug, Default, Args)]
pub(crate) struct RequestFlags {
    /// Version of the object (query versionId), for --op get and head.
    #[arg(long, value_name = "ID")]
    version_id: Option<String>,
    /// Bandwidth limit for the transfer in bit/s, 819200 (100 KiB/s) to 838860800 (100 MiB/s)
    /// (signed header x-oss-traffic-limit), for --op get, put and upload-part.
    #[arg(long, value_name = "BITS_PER_SECOND")]
    traffic_limit: Option<String>,
    /// `requester` for a bucket where the requester pays (signed header x-oss-request-payer).
    #[arg(long, value_name = "PAYER")]
    request_payer: Option<String>,
    /// Content-Type of the response (query response-content-type), for --op get.
    #[arg(long, value_name = "TYPE")]
    response_content_type: Option<String>,
    /// Content-Disposition of the response, e.g. `attachment; filename="a.txt"`, for --op get.
    #[arg(long, value_name = "VALUE")]
    response_content_disposition: Option<String>,
    /// Cache-Control of the response, for --op get.
    #[arg(long, value_name = "VALUE")]
    response_cache_control: Option<String>,
    /// Content-Encoding of the response, for --op get.
    #[arg(long, value_name = "VALUE")]
    response_content_encoding: Option<String>,
    /// Content-Language of the response, for --op get.
    #[arg(long, value_name = "VALUE")]
    response_content_language: Option<String>,
    /// Expires header of the response, for --op get.
    #[arg(long, value_name = "VALUE")]
    response_expires: Option<String>,
    /// Image or video processing, e.g. `image/resize,w_100` (query x-oss-process), for --op get.
    #[arg(long, value_name = "PROCESS")]
    process: Option<String>,
    /// Content-Type the uploader must send (signed), for --op put and initiate-multipart.
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// Base64 MD5 of the body the uploader must send (signed Content-MD5), for --op put and
    /// upload-part.
    #[arg(long, value_name = "BASE64")]
    content_md5: Option<String>,
}

impl RequestFlags {
    /// `--content-type`, which `--op post-policy` pins in the policy.
    pub(crate) fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

/// One typed request of `oss-client`.
#[derive(Debug, Clone)]
pub(crate) enum RequestTemplate {
    Free(ObjectRequest),
    Get(GetObjectRequest),
    Put(PutObjectRequest),
    Head(HeadObjectRequest),
    InitiateMultipart(InitiateMultipartUploadRequest),
    UploadPart(UploadPartRequest),
    CompleteMultipart(CompleteMultipartUploadRequest),
    AbortMultipart(AbortMultipartUploadRequest),
}

/// Runs `$body` with `$r` bound to the request inside a typed variant (every one but `Free`),
/// and `$other` for a free-form request matching `$free`.
macro_rules! typed {
    ($self:expr, $r:ident => $body:expr, $free:pat => $other:expr) => {
        match $self {
            $free => $other,
            RequestTemplate::Get($r) => $body,
            RequestTemplate::Put($r) => $body,
            RequestTemplate::Head($r) => $body,
            RequestTemplate::InitiateMultipart($r) => $body,
            RequestTemplate::UploadPart($r) => $body,
            RequestTemplate::CompleteMultipart($r) => $body,
            RequestTemplate::AbortMultipart($r) => $body,
        }
    };
}

/// Runs `$body` with `$r` bound to the request inside any variant.
macro_rules! each {
    ($self:expr, $r:ident => $body:expr) => {
        typed!($self, $r => $body, RequestTemplate::Free($r) => $body)
    };
}

/// Runs `$body` with `$r` bound to the request when it is one of the `$variant`s; for any
/// other operation `$op` it returns the usage error that `$flag` is only for `$allowed`.
macro_rules! only_for {
    ($self:expr, $op:expr, $flag:literal for $allowed:literal, [$($variant:ident),+], $r:ident => $body:expr) => {
        match $self {
            $(RequestTemplate::$variant($r) => $body,)+
            _ => return Err(not_for($flag, $allowed, $op)),
        }
    };
}

/// One flag that only a GET takes: its name, its value in `$flags` and the field of the
/// request it fills (both named `$field`).
macro_rules! get_flag {
    ($flags:ident, $name:literal, $field:ident) => {
        ($name, &$flags.$field, |r| &mut r.$field)
    };
}

fn not_for(flag: &str, allowed: &str, op: &str) -> Failure {
    Failure::usage(format!(
        "{flag} is for {allowed}, not {op}; give --op explicitly, or use --query/--header for other requests"
    ))
}

/// A text field of a GET request, as one of the flags that only a GET takes fills it.
type GetField = fn(&mut GetObjectRequest) -> &mut Option<String>;

fn set(field: &mut Option<String>, value: &Option<String>) {
    if let Some(value) = value {
        *field = Some(value.clone());
    }
}

impl RequestTemplate {
    /// The name used in messages (`--op get`, `a DELETE request`).
    pub(crate) fn describe(&self) -> String {
        match self {
            RequestTemplate::Free(r) => {
                format!("a free-form {} request", r.method.to_ascii_uppercase())
            }
            RequestTemplate::Get(_) => "--op get".into(),
            RequestTemplate::Put(_) => "--op put".into(),
            RequestTemplate::Head(_) => "--op head".into(),
            RequestTemplate::InitiateMultipart(_) => "--op initiate-multipart".into(),
            RequestTemplate::UploadPart(_) => "--op upload-part".into(),
            RequestTemplate::CompleteMultipart(_) => "--op complete-multipart".into(),
            RequestTemplate::AbortMultipart(_) => "--op abort-multipart".into(),
        }
    }

    /// The request, for the client.
    pub(crate) fn presignable(&self) -> &(dyn Presignable + Sync) {
        each!(self, r => r as &(dyn Presignable + Sync))
    }

    /// Points the request at another object, reusing the strings' buffers.
    pub(crate) fn set_object(&mut self, bucket: &str, key: &str) {
        each!(self, r => {
            r.bucket.clear();
            r.bucket.push_str(bucket);
            r.key.clear();
            r.key.push_str(key);
        })
    }

    /// Adds the `--header` and `--query` values.
    pub(crate) fn add_extras(&mut self, headers: &[(String, String)], query: &[(String, String)]) {
        each!(self, r => {
            r.headers.extend(headers.iter().cloned());
            r.parameters.extend(query.iter().cloned());
        })
    }

    /// Maps the named flags onto the request's fields; a flag the operation does not have is a
    /// usage error that names the operations that do.
    pub(crate) fn apply(&mut self, flags: &RequestFlags) -> Result<(), Failure> {
        let op = self.describe();
        if flags.version_id.is_some() {
            only_for!(self, &op, "--version-id" for "--op get and head", [Get, Head], r => {
                set(&mut r.version_id, &flags.version_id)
            });
        }
        if let Some(text) = &flags.traffic_limit {
            let limit = parse_traffic_limit(text)?;
            only_for!(self, &op, "--traffic-limit" for "--op get, put and upload-part",
                [Get, Put, UploadPart], r => r.traffic_limit = Some(limit));
        }
        if let Some(text) = &flags.request_payer {
            if !text.eq_ignore_ascii_case("requester") {
                return Err(Failure::usage(format!(
                    "--request-payer {} is not allowed; the only payer OSS knows is `requester`",
                    excerpt(text)
                )));
            }
            let payer = Some("requester".to_string());
            typed!(self, r => set(&mut r.request_payer, &payer), RequestTemplate::Free(_) => {
                return Err(not_for(
                    "--request-payer",
                    "the typed operations (--op ...)",
                    &op,
                ))
            })
        }
        // The flags that only a GET takes, each with the field of the request it fills.
        let response: [(&str, &Option<String>, GetField); 7] = [
            get_flag!(flags, "--response-content-type", response_content_type),
            get_flag!(
                flags,
                "--response-content-disposition",
                response_content_disposition
            ),
            get_flag!(flags, "--response-cache-control", response_cache_control),
            get_flag!(
                flags,
                "--response-content-encoding",
                response_content_encoding
            ),
            get_flag!(
                flags,
                "--response-content-language",
                response_content_language
            ),
            get_flag!(flags, "--response-expires", response_expires),
            get_flag!(flags, "--process", process),
        ];
        if let Some((flag, _, _)) = response.iter().find(|(_, v, _)| v.is_some()) {
            let RequestTemplate::Get(r) = self else {
                return Err(not_for(flag, "--op get (downloads)", &op));
            };
            for (_, value, field) in &response {
                set(field(r), value);
            }
        }
        if flags.content_type.is_some() {
            only_for!(self, &op, "--content-type" for "--op put and initiate-multipart",
                [Put, InitiateMultipart], r => set(&mut r.content_type, &flags.content_type));
        }
        if let Some(md5) = &flags.content_md5 {
            check_content_md5(md5)?;
            only_for!(self, &op, "--content-md5" for "--op put and upload-part",
                [Put, UploadPart], r => set(&mut r.content_md5, &flags.content_md5));
        }
        Ok(())
    }
}

/// `--traffic-limit`: whole bit/s within OSS's range.
fn parse_traffic_limit(text: &str) -> Result<u64, Failure> {
    let range = format!(
        "a whole number of bit/s from {TRAFFIC_LIMIT_MIN} (100 KiB/s) to {TRAFFIC_LIMIT_MAX} (100 MiB/s)"
    );
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| Failure::usage(format!("--traffic-limit {} is not {range}", excerpt(text))))?;
    if !(TRAFFIC_LIMIT_MIN..=TRAFFIC_LIMIT_MAX).contains(&value) {
        return Err(Failure::usage(format!(
            "--traffic-limit {value} is out of range; OSS accepts {range}"
        )));
    }
    Ok(value)
}

/// `--content-md5`: the Base64 form of 16 bytes (24 characters ending in `==`).
fn check_content_md5(text: &str) -> Result<(), Failure> {
    let b = text.as_bytes();
    let ok = b.len() == 24
        && b[22..] == *b"=="
        && b[..22]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/');
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "--content-md5 {} is not the Base64 of an MD5 digest (24 characters ending in ==, e.g. XrY7u+Ae7tCTyyK7j1rNww==; `openssl md5 -binary FILE | base64`)",
            excerpt(text)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> RequestFlags {
        RequestFlags::default()
    }

    #[test]
    fn objects_are_replaced_in_place() {
        let mut t = RequestTemplate::Get(GetObjectRequest::new("a", "b"));
        t.set_object("examplebucket", "dir/k ?#");
        let parts = t.presignable().presign_parts();
        assert_eq!((parts.bucket, parts.key), ("examplebucket", "dir/k ?#"));
    }

    #[test]
    fn flags_reach_their_fields() {
        let mut t = RequestTemplate::Get(GetObjectRequest::new("b", "k"));
        let f = RequestFlags {
            version_id: Some("CAEQ".into()),
            traffic_limit: Some("819200".into()),
            request_payer: Some("Requester".into()),
            response_content_disposition: Some("attachment".into()),
            process: Some("image/resize,w_100".into()),
            ..flags()
        };
        t.apply(&f).expect("applies");
        let RequestTemplate::Get(r) = &t else {
            unreachable!()
        };
        assert_eq!(r.version_id.as_deref(), Some("CAEQ"));
        assert_eq!(r.traffic_limit, Some(819_200));
        assert_eq!(r.request_payer.as_deref(), Some("requester"));
        assert_eq!(
            r.response_content_disposition.as_deref(),
            Some("attachment")
        );
        assert_eq!(r.process.as_deref(), Some("image/resize,w_100"));
    }

    #[test]
    fn flags_of_other_operations_are_refused() {
        let put = || RequestTemplate::Put(PutObjectRequest::new("b", "k"));
        for f in [
            RequestFlags {
                version_id: Some("v".into()),
                ..flags()
            },
            RequestFlags {
                process: Some("p".into()),
                ..flags()
            },
            RequestFlags {
                response_content_type: Some("t".into()),
                ..flags()
            },
        ] {
            let err = put().apply(&f).unwrap_err();
            assert!(err.message.contains("--op get"), "{}", err.message);
        }
        let mut get = RequestTemplate::Get(GetObjectRequest::new("b", "k"));
        let err = get
            .apply(&RequestFlags {
                content_type: Some("text/plain".into()),
                ..flags()
            })
            .unwrap_err();
        assert!(err.message.contains("--op put"), "{}", err.message);
    }

    #[test]
    fn values_are_checked() {
        assert!(parse_traffic_limit("819200").is_ok());
        assert!(parse_traffic_limit("838860800").is_ok());
        for bad in ["819199", "838860801", "1M", "", "-1"] {
            assert!(parse_traffic_limit(bad).is_err(), "{bad}");
        }
        assert!(check_content_md5("XrY7u+Ae7tCTyyK7j1rNww==").is_ok());
        for bad in [
            "XrY7u+Ae7tCTyyK7j1rNww",
            "5eb63bbbe01eeed093cb22bb8f5acdc3",
            "XrY7u+Ae7tCTyyK7j1rNw!==",
        ] {
            assert!(check_content_md5(bad).is_err(), "{bad}");
        }
        let mut get = RequestTemplate::Get(GetObjectRequest::new("b", "k"));
        assert!(get
            .apply(&RequestFlags {
                request_payer: Some("bucket-owner".into()),
                ..flags()
            })
            .is_err());
    }
}
