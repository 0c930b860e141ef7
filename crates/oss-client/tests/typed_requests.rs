//! Known-answer tests of the seven typed requests (vectors of the shared spec, section 4.4:
//! the Python v2 SDK run with the clock at 2024-01-02T03:04:05Z, credentials `ak`/`sk`,
//! region `cn-hangzhou`), plus credentials handling, the async path and the key cache.

mod common;

use common::{presign_async_now, YieldOnce};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use oss_client::{
    AbortMultipartUploadRequest, Client, CompleteMultipartUploadRequest, Config, ErrorKind,
    FixedClock, GetObjectRequest, HeadObjectRequest, InitiateMultipartUploadRequest,
    PresignOptions, PresignResult, Presignable, PutObjectRequest, SigningTime, UploadPartRequest,
};
use oss_credentials::{Credentials, CredentialsFuture, ProvideCredentials};

fn at(text: &str) -> SigningTime {
    SigningTime::parse_rfc3339(text).expect("time")
}

fn client() -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(Credentials::new("ak", "sk").expect("creds"))
            .clock(FixedClock::new(at("2024-01-02T03:04:05Z")))
            .build()
            .expect("config"),
    )
}

fn signature(result: &PresignResult) -> &str {
    result
        .url()
        .rsplit_once("x-oss-signature=")
        .map(|(_, s)| s)
        .unwrap_or_default()
}

fn presign(request: &dyn PresignableDyn, seconds: Option<u64>) -> PresignResult {
    let options = match seconds {
        Some(s) => PresignOptions::new().expires(Duration::from_secs(s)),
        None => PresignOptions::new(),
    };
    request.presign_on(&client(), &options)
}

/// name, request, expiry seconds, method, expected signature.
type Vector = (
    &'static str,
    Box<dyn PresignableDyn>,
    Option<u64>,
    &'static str,
    &'static str,
);

/// Object-safe adapter so the table below can hold every request type.
trait PresignableDyn {
    fn presign_on(&self, client: &Client, options: &PresignOptions) -> PresignResult;
}
impl<T: Presignable> PresignableDyn for T {
    fn presign_on(&self, client: &Client, options: &PresignOptions) -> PresignResult {
        client.presign_with(self, options).expect("presign")
    }
}

#[test]
fn the_seven_operations_reproduce_the_sdk_signatures() {
    let get = GetObjectRequest::new("examplebucket", "exampleobject.txt");
    // GetObjectRequest is #[non_exhaustive]: built with its setters, not a struct literal.
    let get_full = GetObjectRequest::new("examplebucket", "dir/my file.txt")
        .response_content_disposition("attachment; filename=\"a b.txt\"")
        .response_content_type("text/plain")
        .version_id("CAEQ")
        .process("image/resize,w_100")
        .traffic_limit(819_200)
        .request_payer("requester")
        .range("bytes=0-99")
        .if_match("\"etag\"");
    let table: Vec<Vector> = vec![
        (
            "get 3600",
            Box::new(get.clone()),
            Some(3600),
            "GET",
            "0e8a63b97cdaf20d0510524d7cdb6ab454c19d5bd18535fef162617d34682898",
        ),
        (
            "get default",
            Box::new(get),
            None,
            "GET",
            "d9ee01e28b09be5b0ad73bc82694b405de21472ab9170491f45afdd6b37cea05",
        ),
        (
            "get with options",
            Box::new(get_full),
            Some(600),
            "GET",
            "8fdaf57973fcf5f293f8ca99b414bd68eb7bf78f98ea7fa005a5a2e1c296e007",
        ),
        (
            "head",
            Box::new(HeadObjectRequest::new("examplebucket", "exampleobject.txt")),
            Some(600),
            "HEAD",
            "6d8616fd31c486924b9f32b8d8a4bc513a625a3a482378147728d554ea31cfbb",
        ),
        (
            "put",
            Box::new(
                PutObjectRequest::new("examplebucket", "exampleobject.txt")
                    .content_type("text/plain"),
            ),
            Some(600),
            "PUT",
            "e54653809f9660a92e951ca3f9e9f7c8cfca5aaded9b61d410c3de80a233ec89",
        ),
        (
            "initiate",
            Box::new(InitiateMultipartUploadRequest::new("examplebucket", "k")),
            Some(600),
            "POST",
            "2acd7b0cfb18fca31c4707c7c2a198eca566f03d2e4298b82037af680b67a8e2",
        ),
        (
            "upload part",
            Box::new(UploadPartRequest::new("examplebucket", "k", 1, "UPID")),
            Some(600),
            "PUT",
            "26af9af29a723d3d68a0811e6161b24df8d7e246f1b7895845856af71b4a636e",
        ),
        (
            "complete",
            Box::new(CompleteMultipartUploadRequest::new(
                "examplebucket",
                "k",
                "UPID",
            )),
            Some(600),
            "POST",
            "ea90b9e4eb47874ab575e2dfc56ca3fce38e8211835357dd89685dbdddcb5268",
        ),
        (
            "abort",
            Box::new(AbortMultipartUploadRequest::new(
                "examplebucket",
                "k",
                "UPID",
            )),
            Some(600),
            "DELETE",
            "f3684ee516be0a4eb75ecf2d261816d0d283fa76237f65d01e830e2beec21041",
        ),
    ];
    for (name, request, seconds, method, want) in table {
        let result = presign(request.as_ref(), seconds);
        assert_eq!(result.method(), method, "{name}");
        assert_eq!(signature(&result), want, "{name}: {}", result.url());
    }
}

#[test]
fn get_object_with_options_reports_signed_and_unsigned_headers() {
    let get = GetObjectRequest::new("examplebucket", "dir/my file.txt")
        .traffic_limit(819_200)
        .request_payer("requester")
        .range("bytes=0-99")
        .if_match("\"etag\"")
        .version_id("CAEQ");
    let result = presign(&get, Some(600));
    assert_eq!(
        result.signed_headers().collect::<Vec<_>>(),
        [
            ("x-oss-request-payer", "requester"),
            ("x-oss-traffic-limit", "819200"),
        ]
    );
    assert_eq!(
        result.unsigned_headers().collect::<Vec<_>>(),
        [("Range", "bytes=0-99"), ("If-Match", "\"etag\"")]
    );
    assert!(result
        .url()
        .starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/my%20file.txt?"));
    assert!(result.url().contains("versionId=CAEQ"));
    assert_eq!(result.expiration().to_rfc3339(), "2024-01-02T03:14:05Z");
}

#[test]
fn the_full_url_of_the_first_vector() {
    let result = presign(
        &GetObjectRequest::new("examplebucket", "exampleobject.txt"),
        Some(3600),
    );
    let (base, query) = result.url().split_once('?').expect("query");
    assert_eq!(
        base,
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt"
    );
    let mut pairs: Vec<&str> = query.split('&').collect();
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        [
            "x-oss-credential=ak%2F20240102%2Fcn-hangzhou%2Foss%2Faliyun_v4_request",
            "x-oss-date=20240102T030405Z",
            "x-oss-expires=3600",
            "x-oss-signature-version=OSS4-HMAC-SHA256",
            "x-oss-signature=0e8a63b97cdaf20d0510524d7cdb6ab454c19d5bd18535fef162617d34682898",
        ]
    );
}

#[test]
fn the_expiry_check_uses_the_signing_instant() {
    let client = client();
    let get = GetObjectRequest::new("examplebucket", "k");
    let signing = std::time::UNIX_EPOCH
        + Duration::from_secs(at("2024-01-02T03:04:05Z").unix_seconds() as u64);
    let ok = PresignOptions::new().expiration(signing + Duration::from_secs(604_800));
    let result = client.presign_with(&get, &ok).expect("exactly 7 days");
    assert!(result.url().contains("x-oss-expires=604800"));
    let too_long = PresignOptions::new().expiration(signing + Duration::from_secs(604_801));
    let err = client.presign_with(&get, &too_long).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidExpiry);
    assert_eq!(err.field(), Some("expiration"));
    let zero = PresignOptions::new().expires(Duration::ZERO);
    assert!(client
        .presign_with(&get, &zero)
        .expect("0 s")
        .url()
        .contains("x-oss-expires=0"));
}

#[test]
fn no_credentials_is_a_credentials_error() {
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .build()
            .expect("config"),
    );
    let err = client
        .presign(&GetObjectRequest::new("examplebucket", "k"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.to_string().contains("no credentials are configured"),
        "{err}"
    );
}

/// A provider that has to wait once before answering, like an STS refresh.
#[derive(Debug, Default)]
struct SlowProvider {
    calls: AtomicUsize,
}

impl ProvideCredentials for SlowProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            YieldOnce(false).await;
            Ok(Credentials::new("STS.slow", "slow-secret")?.with_security_token("tok"))
        })
    }
    fn name(&self) -> &str {
        "slow"
    }
}

#[test]
fn a_waiting_provider_needs_the_async_presign() {
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(SlowProvider::default())
            .build()
            .expect("config"),
    );
    let get = GetObjectRequest::new("examplebucket", "k");
    let err = client.presign(&get).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.to_string().contains("presign_async"), "{err}");
    let result = presign_async_now(&client, &get).expect("async presign");
    assert!(
        result.url().contains("x-oss-credential=STS.slow%2F"),
        "{}",
        result.url()
    );
    assert!(
        result.url().contains("x-oss-security-token=tok"),
        "{}",
        result.url()
    );
}

#[test]
fn the_key_cache_is_safe_across_threads_secrets_and_days() {
    let shared = client();
    let get = GetObjectRequest::new("examplebucket", "exampleobject.txt");
    let options = PresignOptions::new().expires(Duration::from_secs(3600));
    let first = Credentials::new("ak", "sk").expect("creds");
    let second = Credentials::new("ak", "another-secret").expect("creds");
    // Reference signatures from fresh clients (no cache history).
    let want_first = client()
        .presign_with_credentials(&get, &options, &first)
        .expect("presign");
    let want_second = client()
        .presign_with_credentials(&get, &options, &second)
        .expect("presign");
    assert_ne!(want_first.url(), want_second.url());

    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (shared, get, options) = (&shared, &get, &options);
            let (first, second) = (&first, &second);
            let (want_first, want_second) = (&want_first, &want_second);
            scope.spawn(move || {
                for i in 0..200 {
                    // Alternate secrets so that threads keep replacing each other's key.
                    let (creds, want) = if (i + thread) % 2 == 0 {
                        (first, want_first)
                    } else {
                        (second, want_second)
                    };
                    let got = shared
                        .presign_with_credentials(get, options, creds)
                        .expect("presign");
                    assert_eq!(got.url(), want.url());
                }
            });
        }
    });

    // The same client moving to the next day derives a new key: compare with a fresh client
    // pinned to that day.
    let clock = std::sync::Arc::new(SteppingClock(std::sync::atomic::AtomicI64::new(
        at("2024-01-02T23:59:59Z").unix_seconds(),
    )));
    let moving = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .clock(SharedClock(clock.clone()))
            .build()
            .expect("config"),
    );
    let before = moving
        .presign_with_credentials(&get, &options, &first)
        .expect("presign");
    assert!(before.url().contains("x-oss-date=20240102T235959Z"));
    clock.0.fetch_add(1, Ordering::SeqCst);
    let after = moving
        .presign_with_credentials(&get, &options, &first)
        .expect("presign");
    let fresh = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .clock(FixedClock::new(at("2024-01-03T00:00:00Z")))
            .build()
            .expect("config"),
    )
    .presign_with_credentials(&get, &options, &first)
    .expect("presign");
    assert!(
        after.url().contains("%2F20240103%2Fcn-hangzhou%2F"),
        "{}",
        after.url()
    );
    assert_eq!(after.url(), fresh.url());
}

#[derive(Debug)]
struct SteppingClock(std::sync::atomic::AtomicI64);

#[derive(Debug)]
struct SharedClock(std::sync::Arc<SteppingClock>);

impl oss_client::Clock for SharedClock {
    fn now(&self) -> Option<SigningTime> {
        SigningTime::from_unix_seconds(self.0 .0.load(Ordering::SeqCst)).ok()
    }
}

#[test]
fn the_last_credentials_setting_wins() {
    let get = GetObjectRequest::new("examplebucket", "k");
    let provider_last = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(Credentials::new("LTAIstatic", "s").expect("creds"))
            .credentials_provider(SlowProvider::default())
            .build()
            .expect("config"),
    );
    assert_eq!(
        provider_last.presign(&get).unwrap_err().kind(),
        ErrorKind::Credentials
    );
    let value_last = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials_provider(SlowProvider::default())
            .credentials(Credentials::new("LTAIstatic", "s").expect("creds"))
            .build()
            .expect("config"),
    );
    let url = value_last
        .presign(&get)
        .expect("static credentials")
        .into_url();
    assert!(url.contains("x-oss-credential=LTAIstatic%2F"), "{url}");
    let via_async = presign_async_now(&value_last, &get).expect("async with static credentials");
    assert!(via_async.url().contains("x-oss-credential=LTAIstatic%2F"));
}

#[test]
fn clients_and_their_futures_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let client = client();
    assert_send_sync(&client);
    let get = GetObjectRequest::new("examplebucket", "k");
    let options = PresignOptions::new();
    let presign = client.presign_async(&get, &options);
    assert_send(&presign);
    let sign = client.sign_request_async(&get);
    assert_send(&sign);
    let result = futures_executor::block_on(presign).expect("presign");
    assert_send_sync(&result);
    assert!(futures_executor::block_on(sign).is_ok());
}
