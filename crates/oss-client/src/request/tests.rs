//! Unit tests of the typed requests' parts.

use super::*;

fn as_strs<'a>(pairs: &'a [Pair<'_>]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .map(|(n, v)| (n.as_ref(), v.as_ref()))
        .collect()
}
fn q<'a>(parts: &'a PresignParts<'_>) -> Vec<(&'a str, &'a str)> {
    as_strs(&parts.query)
}
fn h<'a>(parts: &'a PresignParts<'_>) -> Vec<(&'a str, &'a str)> {
    as_strs(&parts.headers)
}

/// `get` with every response override, a version and a process set (the query fields this
/// module's and the inline parts' tests both check).
pub(super) fn with_query_fields(get: GetObjectRequest) -> GetObjectRequest {
    get.response_cache_control("no-cache")
        .response_content_disposition("attachment")
        .response_content_encoding("gzip")
        .response_content_language("zh-CN")
        .response_content_type("text/plain")
        .response_expires("0")
        .version_id("v")
        .process("image/resize,w_1")
}

#[test]
fn get_object_maps_every_field() {
    let req = with_query_fields(GetObjectRequest::new("b", "k"))
        .range("bytes=0-9")
        .range_behavior("standard")
        .if_match("e1")
        .if_none_match("e2")
        .if_modified_since("m1")
        .if_unmodified_since("m2")
        .accept_encoding("identity")
        .traffic_limit(819200)
        .request_payer("requester")
        .header("x-oss-meta-x", "1")
        .parameter("p", "");
    let parts = req.presign_parts();
    assert_eq!(parts.method, "GET");
    assert_eq!(
        q(&parts),
        [
            ("response-cache-control", "no-cache"),
            ("response-content-disposition", "attachment"),
            ("response-content-encoding", "gzip"),
            ("response-content-language", "zh-CN"),
            ("response-content-type", "text/plain"),
            ("response-expires", "0"),
            ("versionId", "v"),
            ("x-oss-process", "image/resize,w_1"),
            ("p", ""),
        ]
    );
    assert_eq!(
        h(&parts),
        [
            ("Range", "bytes=0-9"),
            ("x-oss-range-behavior", "standard"),
            ("If-Match", "e1"),
            ("If-None-Match", "e2"),
            ("If-Modified-Since", "m1"),
            ("If-Unmodified-Since", "m2"),
            ("Accept-Encoding", "identity"),
            ("x-oss-traffic-limit", "819200"),
            ("x-oss-request-payer", "requester"),
            ("x-oss-meta-x", "1"),
        ]
    );
}

#[test]
fn put_object_maps_fields_and_metadata() {
    let req = PutObjectRequest::new("b", "k")
        .content_type("text/plain")
        .content_md5("md5")
        .content_length(5)
        .acl("private")
        .storage_class("IA")
        .tagging("a=1")
        .forbid_overwrite(false)
        .metadata("author", "alice");
    let parts = req.presign_parts();
    assert_eq!(parts.method, "PUT");
    assert!(parts.query.is_empty());
    assert_eq!(
        h(&parts),
        [
            ("Content-Type", "text/plain"),
            ("Content-MD5", "md5"),
            ("Content-Length", "5"),
            ("x-oss-object-acl", "private"),
            ("x-oss-storage-class", "IA"),
            ("x-oss-tagging", "a=1"),
            ("x-oss-forbid-overwrite", "false"),
            ("x-oss-meta-author", "alice"),
        ]
    );
}

#[test]
fn multipart_requests_carry_their_sub_resources() {
    let init = InitiateMultipartUploadRequest::new("b", "k").encoding_type("url");
    assert_eq!(
        q(&init.presign_parts()),
        [("uploads", ""), ("encoding-type", "url")]
    );
    let part = UploadPartRequest::new("b", "k", 7, "U");
    let parts = part.presign_parts();
    assert_eq!(
        (parts.method.as_ref(), q(&parts)),
        ("PUT", vec![("partNumber", "7"), ("uploadId", "U")])
    );
    let done = CompleteMultipartUploadRequest::new("b", "k", "U");
    let parts = done.presign_parts();
    assert_eq!(
        (parts.method.as_ref(), q(&parts)),
        ("POST", vec![("uploadId", "U")])
    );
    assert!(parts.headers.is_empty());
    let abort = AbortMultipartUploadRequest::new("b", "k", "U").request_payer("requester");
    let parts = abort.presign_parts();
    assert_eq!(
        (parts.method.as_ref(), q(&parts)),
        ("DELETE", vec![("uploadId", "U")])
    );
    assert_eq!(h(&parts), [("x-oss-request-payer", "requester")]);
    let head = HeadObjectRequest::new("b", "k").if_match("e");
    assert_eq!(h(&head.presign_parts()), [("If-Match", "e")]);
}

#[test]
fn value_setters_reach_their_headers() {
    let part = UploadPartRequest::new("b", "k", 1, "U")
        .content_md5("bWQ1")
        .content_length(5)
        .traffic_limit(8);
    assert_eq!(
        h(&part.presign_parts()),
        [
            ("Content-MD5", "bWQ1"),
            ("Content-Length", "5"),
            ("x-oss-traffic-limit", "8"),
        ]
    );
    let done = CompleteMultipartUploadRequest::new("b", "k", "U")
        .complete_all(true)
        .forbid_overwrite(false);
    assert_eq!(
        h(&done.presign_parts()),
        [
            ("x-oss-complete-all", "yes"),
            ("x-oss-forbid-overwrite", "false")
        ]
    );
    let init = InitiateMultipartUploadRequest::new("b", "k").forbid_overwrite(true);
    assert_eq!(
        h(&init.presign_parts()),
        [("x-oss-forbid-overwrite", "true")]
    );
}

#[test]
fn an_initiate_from_a_put_carries_every_shared_object_header() {
    let put = PutObjectRequest::new("b", "k")
        .content_type("text/plain")
        .cache_control("no-cache")
        .content_disposition("inline")
        .content_encoding("gzip")
        .expires("Wed, 21 Oct 2015 07:28:00 GMT")
        .storage_class("IA")
        .tagging("a=1")
        .forbid_overwrite(true)
        .server_side_encryption("KMS")
        .server_side_data_encryption("SM4")
        .server_side_encryption_key_id("key-1")
        .request_payer("requester")
        .metadata("author", "alice")
        .content_md5("md5")
        .content_length(5)
        .acl("private")
        .callback("cb")
        .callback_var("cv")
        .traffic_limit(819_200)
        .header("x-oss-meta-extra", "1");
    let init = InitiateMultipartUploadRequest::from(&put);
    assert_eq!((init.bucket.as_str(), init.key.as_str()), ("b", "k"));
    assert_eq!(init.encoding_type, None);
    let single_put_only = [
        "Content-MD5",
        "Content-Length",
        "x-oss-object-acl",
        "x-oss-callback",
        "x-oss-callback-var",
        "x-oss-traffic-limit",
    ];
    let put_parts = put.presign_parts();
    let shared: Vec<_> = h(&put_parts)
        .into_iter()
        .filter(|(name, _)| !single_put_only.contains(name))
        .collect();
    assert_eq!(shared.len(), 14, "{shared:?}");
    let init_parts = init.presign_parts();
    assert_eq!(h(&init_parts), shared);
}
