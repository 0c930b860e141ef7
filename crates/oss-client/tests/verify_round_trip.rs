//! Every URL and header signature the client writes is accepted by the independent verifier
//! of `oss-sign-core` (the one the test server uses), and a tampered request is refused.

use oss_client::{
    AbortMultipartUploadRequest, Client, CompleteMultipartUploadRequest, Config, FixedClock,
    GetObjectRequest, HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest,
    PresignOptions, Presignable, PutObjectRequest, SignatureVersion, SigningTime,
    UploadPartRequest,
};
use oss_credentials::Credentials;
use oss_sign_core::verify::{verify_authorization, verify_presigned, StaticSecret, VerifyRequest};

const ID: &str = "STS.example";
const SECRET: &str = "example-secret";

fn now() -> SigningTime {
    SigningTime::parse_rfc3339("2024-11-12T09:27:56Z").expect("time")
}

/// A client of each signature version, without and with the STS `token`.
fn every_client(token: &str) -> Vec<(SignatureVersion, Client)> {
    let mut clients = Vec::new();
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        for token in [None, Some(token)] {
            clients.push((version, client(version, token)));
        }
    }
    clients
}

fn client(version: SignatureVersion, token: Option<&str>) -> Client {
    let mut credentials = Credentials::new(ID, SECRET).expect("creds");
    if let Some(token) = token {
        credentials = credentials.with_security_token(token);
    }
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .signature_version(version)
            .additional_headers(["Content-Disposition"])
            .credentials(credentials)
            .clock(FixedClock::new(now()))
            .build()
            .expect("config"),
    )
}

/// Method, URL and signed headers of one presigned request.
type Presigned = (String, String, Vec<(String, String)>);

/// Presigns one request with the given client.
type MakeRequest = Box<dyn Fn(&Client) -> Presigned>;

fn requests() -> Vec<MakeRequest> {
    fn presigned<R: Presignable>(client: &Client, r: &R) -> Presigned {
        let result = client.presign(r).expect("presign");
        (
            result.method().to_owned(),
            result.url().to_owned(),
            result
                .signed_headers()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
        )
    }
    vec![
        Box::new(|c| {
            presigned(
                c,
                &GetObjectRequest::new("examplebucket", "dir/a b+c!.txt")
                    .version_id("v1")
                    .process("image/resize,w_1")
                    .range("bytes=0-1"),
            )
        }),
        Box::new(|c| {
            presigned(
                c,
                &PutObjectRequest::new("examplebucket", "k")
                    .content_type("text/plain")
                    .metadata("a", " x ")
                    .header("Content-Disposition", "inline"),
            )
        }),
        Box::new(|c| presigned(c, &HeadObjectRequest::new("examplebucket", "中文"))),
        Box::new(|c| {
            presigned(
                c,
                &InitiateMultipartUploadRequest::new("examplebucket", "big"),
            )
        }),
        Box::new(|c| {
            presigned(
                c,
                &UploadPartRequest::new("examplebucket", "big", 3, "UP+ID/="),
            )
        }),
        Box::new(|c| {
            presigned(
                c,
                &CompleteMultipartUploadRequest::new("examplebucket", "big", "UPID"),
            )
        }),
        Box::new(|c| {
            presigned(
                c,
                &AbortMultipartUploadRequest::new("examplebucket", "big", "UPID"),
            )
        }),
        Box::new(|c| {
            presigned(
                c,
                &ObjectRequest::new("delete", "examplebucket", "/leading"),
            )
        }),
    ]
}

fn split(url: &str) -> (String, &str) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let path = base.split_once("://").map(|(_, rest)| rest).unwrap_or(base);
    let path = path.find('/').map(|at| &path[at..]).unwrap_or("/");
    (path.to_owned(), query)
}

#[test]
fn presigned_urls_verify_and_tampering_is_caught() {
    let secrets = StaticSecret::new(ID, SECRET);
    for (version, client) in every_client("tok+/=") {
        for make in requests() {
            let (method, url, signed) = make(&client);
            let (path, query) = split(&url);
            let key =
                oss_sign_core::encoding::percent_decode(path.strip_prefix('/').unwrap_or(&path))
                    .expect("decodes");
            let headers: Vec<(&str, &str)> = signed
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let request = VerifyRequest::new(&method, query)
                .bucket("examplebucket")
                .key(&key)
                .headers(&headers);
            if let Err(e) = verify_presigned(&request, &secrets, now()) {
                panic!("{version:?} {url}: {e}");
            }
            // A different method must fail.
            let other = if method == "GET" { "PUT" } else { "GET" };
            let wrong = VerifyRequest::new(other, query)
                .bucket("examplebucket")
                .key(&key)
                .headers(&headers);
            assert!(verify_presigned(&wrong, &secrets, now()).is_err(), "{url}");
            // Dropping a signed header must fail.
            if let Some(((name, _), rest)) = headers.split_first() {
                let fewer = VerifyRequest::new(&method, query)
                    .bucket("examplebucket")
                    .key(&key)
                    .headers(rest);
                assert!(
                    verify_presigned(&fewer, &secrets, now()).is_err(),
                    "{url} without {name}"
                );
            }
        }
    }
}

#[test]
fn header_signed_requests_verify() {
    let secrets = StaticSecret::new(ID, SECRET);
    for (version, client) in every_client("tok") {
        let put = PutObjectRequest::new("examplebucket", "dir/x y.txt")
            .content_type("text/plain")
            .metadata("author", "alice")
            .parameter("versionId", "v");
        let signed = client.sign_request(&put).expect("sign");
        let (path, query) = split(signed.url());
        let key =
            oss_sign_core::encoding::percent_decode(path.trim_start_matches('/')).expect("decodes");
        let headers: Vec<(&str, &str)> = signed
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = VerifyRequest::new("PUT", query)
            .bucket("examplebucket")
            .key(&key)
            .headers(&headers);
        if let Err(e) = verify_authorization(&request, &secrets, now()) {
            panic!("{version:?}: {e}\n{signed:?}");
        }
        let http = signed.to_http_request().expect("http request");
        assert_eq!(http.uri().to_string(), signed.url());
        assert_eq!(http.headers()["x-oss-meta-author"], "alice");

        let tampered: Vec<(&str, &str)> = headers
            .iter()
            .map(|&(n, v)| {
                if n == "x-oss-meta-author" {
                    (n, "mallory")
                } else {
                    (n, v)
                }
            })
            .collect();
        let request = VerifyRequest::new("PUT", query)
            .bucket("examplebucket")
            .key(&key)
            .headers(&tampered);
        assert!(verify_authorization(&request, &secrets, now()).is_err());
    }
}

#[test]
fn presigned_http_requests_carry_the_headers() {
    let client = client(SignatureVersion::V4, None);
    let put = PutObjectRequest::new("examplebucket", "k")
        .content_type("text/plain")
        .content_length(5);
    let result = client
        .presign_with(&put, &PresignOptions::new())
        .expect("presign");
    let request = result.to_http_request().expect("http");
    assert_eq!(request.method(), "PUT");
    assert_eq!(request.uri().to_string(), result.url());
    assert_eq!(request.headers()["content-type"], "text/plain");
    assert_eq!(request.headers()["content-length"], "5");
}
