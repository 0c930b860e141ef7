//! STS AssumeRole and AssumeRoleWithOIDC against a loopback server that verifies signatures
//! the way the real service does.
#![cfg(feature = "http")]

mod common;

use common::server::{closed_port_url, Recorded, Reply, TestServer};
use common::{expect_err, expect_ok, format_utc, parse_pairs, system_now};
use oss_credentials::{
    AssumeRoleProvider, CachingProvider, Credentials, ErrorKind, ManualClock, OidcRoleProvider,
    ProvideCredentials, RpcSignature, StaticProvider,
};
use oss_sign_core::SigningTime;
use std::time::{Duration, SystemTime};

const SOURCE_ID: &str = "LTAIsourceKeyId";
const SOURCE_SECRET: &str = "SECRET-source-3f9a7c";
const ROLE: &str = "acs:ram::1234567890123456:role/oss-writer";

fn sts_success(expiration: SystemTime) -> String {
    format!(
        r#"{{"RequestId":"REQ-1","AssumedRoleUser":{{"Arn":"x","AssumedRoleId":"y"}},
           "Credentials":{{"AccessKeyId":"STS.NewTemporaryId","AccessKeySecret":"SECRET-sts-b81d44",
           "SecurityToken":"SECRET-token-5e2c90","Expiration":"{}"}}}}"#,
        format_utc(expiration)
    )
}

fn sts_error(code: &str) -> String {
    format!(
        r#"{{"RequestId":"REQ-ERR","HostId":"sts.aliyuncs.com","Code":"{code}","Message":"message for {code}","Recommend":"https://example.invalid/{code}"}}"#
    )
}

/// All parameters of a request: query then form body.
fn all_params(request: &Recorded) -> Vec<(String, String)> {
    let mut params = parse_pairs(&request.query);
    params.extend(parse_pairs(&request.body));
    params
}

/// Verifies an AssumeRole request like STS: recompute the signature with the known secret.
fn verify(request: &Recorded, secret: &str) -> Result<(), String> {
    let params = all_params(request);
    let given = params
        .iter()
        .find(|(k, _)| k == "Signature")
        .map(|(_, v)| v.clone())
        .ok_or("no Signature")?;
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = RpcSignature::sign(&request.method, &pairs, secret);
    if expected.signature() == given {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch: {given} vs {}",
            expected.signature()
        ))
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The parameter `name` of each request, read from the part `part` picks (query or body).
fn each_param(requests: &[Recorded], part: fn(&Recorded) -> &String, name: &str) -> Vec<String> {
    requests
        .iter()
        .map(|r| param(&parse_pairs(part(r)), name).unwrap().to_owned())
        .collect()
}

async fn signing_sts() -> TestServer {
    TestServer::start(|request| {
        if request.method != "POST" {
            return Reply::status(400, sts_error("InvalidMethod"));
        }
        match verify(request, SOURCE_SECRET) {
            Ok(()) => Reply::ok(sts_success(SystemTime::now() + Duration::from_secs(3600))),
            Err(_) => Reply::status(400, sts_error("SignatureDoesNotMatch")),
        }
    })
    .await
}

fn source() -> StaticProvider {
    StaticProvider::new(SOURCE_ID, SOURCE_SECRET).unwrap()
}

#[tokio::test]
async fn assume_role_signs_posts_and_parses() {
    let server = signing_sts().await;
    let clock =
        ManualClock::new(SigningTime::parse_rfc3339_strict("2024-05-01T08:00:00Z").unwrap());
    let policy = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*", "Condition": "ünïcode"}]}"#;
    let provider = AssumeRoleProvider::builder(source(), ROLE)
        .endpoint(server.url())
        .role_session_name("nightly-backup")
        .duration_seconds(900)
        .policy(policy)
        .external_id("abcd1234")
        .clock(clock)
        .build()
        .unwrap();
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.NewTemporaryId");
    assert_eq!(creds.access_key_secret(), "SECRET-sts-b81d44");
    assert_eq!(creds.security_token(), Some("SECRET-token-5e2c90"));
    assert!(creds.expiration().is_some());
    assert_eq!(creds.provider_name(), "assume_role");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let query = parse_pairs(&request.query);
    let form = parse_pairs(&request.body);
    // (where, name, value); `None`: the parameter must not be there.
    for (part, params, name, value) in [
        ("query", &query, "Action", Some("AssumeRole")),
        ("query", &query, "Version", Some("2015-04-01")),
        ("query", &query, "Format", Some("JSON")),
        ("query", &query, "SignatureMethod", Some("HMAC-SHA1")),
        ("query", &query, "SignatureVersion", Some("1.0")),
        ("query", &query, "AccessKeyId", Some(SOURCE_ID)),
        ("query", &query, "Timestamp", Some("2024-05-01T08:00:00Z")),
        // Long-term source keys send no token.
        ("query", &query, "SecurityToken", None),
        ("form", &form, "RoleArn", Some(ROLE)),
        ("form", &form, "RoleSessionName", Some("nightly-backup")),
        ("form", &form, "DurationSeconds", Some("900")),
        ("form", &form, "Policy", Some(policy)),
        ("form", &form, "ExternalId", Some("abcd1234")),
        // The policy stays out of the URL.
        ("query", &query, "Policy", None),
    ] {
        assert_eq!(param(params, name), value, "{part} {name}");
    }
    // The RPC encoder writes spaces as %20, never '+'.
    assert!(request.body.contains("%20") && !request.body.contains('+'));
    assert!(!request.query.contains(SOURCE_SECRET) && !request.body.contains(SOURCE_SECRET));
}

#[tokio::test]
async fn every_request_gets_a_fresh_nonce_and_sts_sources_send_their_token() {
    let server = signing_sts().await;
    let source = StaticProvider::from_credentials(
        Credentials::new(SOURCE_ID, SOURCE_SECRET)
            .unwrap()
            .with_security_token("SECRET-token-5e2c90"),
    );
    let provider = AssumeRoleProvider::builder(source, ROLE)
        .endpoint(server.url())
        .build()
        .unwrap();
    expect_ok(provider.provide_credentials().await);
    expect_ok(provider.provide_credentials().await);
    let requests = server.requests();
    let nonces = each_param(&requests, |r| &r.query, "SignatureNonce");
    assert_eq!(nonces.len(), 2);
    assert_ne!(nonces[0], nonces[1]);
    for request in &requests {
        let query = parse_pairs(&request.query);
        assert_eq!(param(&query, "SecurityToken"), Some("SECRET-token-5e2c90"));
        let session = parse_pairs(&request.body);
        let name = param(&session, "RoleSessionName").unwrap();
        assert!(name.starts_with("oss-credentials-"), "{name}");
        assert_eq!(param(&session, "DurationSeconds"), Some("3600"));
    }
}

#[tokio::test]
async fn a_wrong_secret_is_reported_as_the_service_error() {
    let server = signing_sts().await;
    let provider = AssumeRoleProvider::builder(
        StaticProvider::new(SOURCE_ID, "SECRET-env-2b3c4d").unwrap(),
        ROLE,
    )
    .endpoint(server.url())
    .build()
    .unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.service_code(), Some("SignatureDoesNotMatch"));
    assert_eq!(error.http_status(), Some(400));
    assert_eq!(error.request_id(), Some("REQ-ERR"));
    assert_eq!(
        error.recommend(),
        Some("https://example.invalid/SignatureDoesNotMatch")
    );
    assert!(!error.is_transient());
    assert!(error.to_string().contains("assume_role"));
}

#[tokio::test]
async fn server_errors_slow_answers_and_bad_bodies() {
    let cases: Vec<(Reply, ErrorKind, bool)> = vec![
        (
            Reply::status(503, "<html>busy</html>"),
            ErrorKind::Http,
            true,
        ),
        (
            Reply::status(500, sts_error("InternalError")),
            ErrorKind::Service,
            true,
        ),
        (
            Reply::status(403, sts_error("NoPermission")),
            ErrorKind::Service,
            false,
        ),
        (
            Reply::status(400, sts_error("Throttling.User")),
            ErrorKind::Service,
            true,
        ),
        (Reply::ok("{not json"), ErrorKind::Parse, false),
        (Reply::ok(r#"{"RequestId":"x"}"#), ErrorKind::Parse, false),
        (
            Reply::ok(
                r#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-sts-b81d44"}}"#,
            ),
            ErrorKind::Parse,
            false,
        ),
        (
            Reply::ok(
                r#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-sts-b81d44","SecurityToken":"SECRET-token-5e2c90","Expiration":"tomorrow"}}"#,
            ),
            ErrorKind::Parse,
            false,
        ),
        (
            Reply::ok(sts_success(SystemTime::now() + Duration::from_secs(3600)))
                .delayed(Duration::from_secs(30)),
            ErrorKind::Timeout,
            true,
        ),
    ];
    for (reply, kind, transient) in cases {
        let canned = reply.clone();
        let server = TestServer::start(move |_| canned.clone()).await;
        let provider = AssumeRoleProvider::builder(source(), ROLE)
            .endpoint(server.url())
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let error = expect_err(provider.provide_credentials().await);
        assert_eq!(error.kind(), kind, "{reply:?}: {error}");
        assert_eq!(error.is_transient(), transient, "{reply:?}: {error}");
        assert_eq!(server.hits(), 1, "no retries inside the provider");
    }
}

#[tokio::test]
async fn connection_refused_is_an_http_error() {
    let provider = AssumeRoleProvider::builder(source(), ROLE)
        .endpoint(closed_port_url().await)
        .build()
        .unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Http);
    assert!(error.is_transient());
}

#[tokio::test]
async fn already_expired_credentials_are_refused_by_the_cache() {
    let server =
        TestServer::start(|_| Reply::ok(sts_success(SystemTime::now() - Duration::from_secs(60))))
            .await;
    let provider = CachingProvider::new(
        AssumeRoleProvider::builder(source(), ROLE)
            .endpoint(server.url())
            .build()
            .unwrap(),
    );
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Expired);
    assert!(provider.cached().is_none());
}

#[tokio::test]
async fn builder_rules_for_duration_session_name_policy_and_external_id() {
    let build =
        |f: fn(oss_credentials::AssumeRoleBuilder) -> oss_credentials::AssumeRoleBuilder| {
            f(AssumeRoleProvider::builder(source(), ROLE).endpoint("http://127.0.0.1:9")).build()
        };
    for (what, result) in [
        ("duration", build(|b| b.duration_seconds(899))),
        (
            "session name too short",
            build(|b| b.role_session_name("a")),
        ),
        (
            "session name chars",
            build(|b| b.role_session_name("white space")),
        ),
        ("empty policy", build(|b| b.policy(""))),
        ("external id", build(|b| b.external_id("!"))),
        ("endpoint scheme", build(|b| b.endpoint("ftp://127.0.0.1"))),
    ] {
        let error = expect_err(result);
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{what}: {error}");
    }
    expect_ok(build(|b| {
        b.duration_seconds(43_200).role_session_name("ok@x.y-z_1")
    }));
    let empty_arn = expect_err(AssumeRoleProvider::builder(source(), " ").build());
    assert!(empty_arn.to_string().contains("RoleArn"));
}

#[tokio::test]
async fn source_provider_failures_are_reported_with_their_provider() {
    let env = oss_credentials::Environment::from_map::<&str, &str>([]);
    let provider =
        AssumeRoleProvider::builder(oss_credentials::EnvProvider::with_environment(env), ROLE)
            .endpoint("http://127.0.0.1:9")
            .build()
            .unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::NotLoaded);
    assert!(error.to_string().contains("OSS_ACCESS_KEY_ID"), "{error}");
}

#[tokio::test]
async fn oidc_is_unsigned_and_rereads_the_token_file() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "SECRET-oidc-jwt-0d9e8f-first\n").unwrap();
    let server = TestServer::start(|_| {
        Reply::ok(sts_success(SystemTime::now() + Duration::from_secs(3600)))
    })
    .await;
    let provider = OidcRoleProvider::builder(
        "acs:ram::1234567890123456:role/oss-reader",
        "acs:ram::1234567890123456:oidc-provider/ack",
        &token_file,
    )
    .endpoint(server.url())
    .role_session_name("pod-reader")
    .policy(r#"{"Version":"1"}"#)
    .build()
    .unwrap();
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.provider_name(), "oidc_role");
    std::fs::write(&token_file, "SECRET-oidc-jwt-0d9e8f-second").unwrap();
    expect_ok(provider.provide_credentials().await);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let tokens = each_param(&requests, |r| &r.body, "OIDCToken");
    assert_eq!(
        tokens,
        [
            "SECRET-oidc-jwt-0d9e8f-first",
            "SECRET-oidc-jwt-0d9e8f-second"
        ]
    );
    for request in &requests {
        let query = parse_pairs(&request.query);
        let form = parse_pairs(&request.body);
        assert_eq!(request.method, "POST");
        assert_eq!(param(&query, "Action"), Some("AssumeRoleWithOIDC"));
        assert!(param(&query, "Timestamp").is_some());
        for absent in [
            "Signature",
            "AccessKeyId",
            "SignatureMethod",
            "SignatureVersion",
            "SignatureNonce",
        ] {
            assert_eq!(param(&query, absent), None, "{absent}");
            assert_eq!(param(&form, absent), None, "{absent}");
        }
        assert_eq!(
            param(&form, "OIDCProviderArn"),
            Some("acs:ram::1234567890123456:oidc-provider/ack")
        );
        assert_eq!(param(&form, "RoleSessionName"), Some("pod-reader"));
        assert_eq!(param(&form, "Policy"), Some(r#"{"Version":"1"}"#));
        assert!(
            !request.query.contains("OIDCToken"),
            "the token stays out of the URL"
        );
    }

    std::fs::remove_file(&token_file).unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Io);
    assert!(error.to_string().contains("token"));
}

#[tokio::test]
async fn oidc_from_env_needs_all_three_variables() {
    use oss_credentials::Environment;
    // The two ARNs, then whatever each case adds.
    let env = |extra: &[(&'static str, &'static str)]| {
        Environment::from_map(
            [
                ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r"),
                (
                    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                    "acs:ram::1:oidc-provider/p",
                ),
            ]
            .into_iter()
            .chain(extra.iter().copied()),
        )
    };
    let partial = env(&[]);
    assert!(OidcRoleProvider::from_env(&partial).is_none());
    let complete = [
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
        ("ALIBABA_CLOUD_STS_REGION", "cn-shanghai"),
        ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true"),
    ];
    let bad_session = [
        complete.as_slice(),
        &[("ALIBABA_CLOUD_ROLE_SESSION_NAME", "x")],
    ]
    .concat();
    let error = expect_err(OidcRoleProvider::from_env(&env(&bad_session)).unwrap());
    assert!(error.to_string().contains("RoleSessionName"), "{error}");
    let full = env(&complete);
    let provider = expect_ok(OidcRoleProvider::from_env(&full).unwrap());
    assert_eq!(
        provider.endpoint(),
        "https://sts-vpc.cn-shanghai.aliyuncs.com"
    );
}

/// A Refresher on tokio keeps an AssumeRole cache fresh against the loopback STS: the
/// synchronous read (`credentials_if_cached`) finds valid credentials before, during and
/// after the refresh at the prefetch point, and the STS is asked exactly twice.
#[tokio::test]
async fn a_spawned_refresher_keeps_an_assume_role_cache_fresh() {
    let clock = ManualClock::new(SystemTime::now().try_into().unwrap());
    let minted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (server_clock, counter) = (clock.clone(), minted.clone());
    let server = TestServer::start(move |request| {
        if verify(request, SOURCE_SECRET).is_err() {
            return Reply::status(400, sts_error("SignatureDoesNotMatch"));
        }
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reply::ok(sts_success(
            system_now(&server_clock) + Duration::from_secs(900),
        ))
    })
    .await;
    let cache = std::sync::Arc::new(
        CachingProvider::new(
            AssumeRoleProvider::builder(source(), ROLE)
                .endpoint(server.url())
                .build()
                .unwrap(),
        )
        .with_clock(clock.clone()),
    );
    assert!(cache.credentials_if_cached().is_none());
    let refresher = oss_credentials::Refresher::new(cache.clone());
    let task = tokio::spawn(refresher.run(|_| tokio::time::sleep(Duration::from_millis(5))));
    let wait_for = |hits: usize| {
        let minted = minted.clone();
        async move {
            for _ in 0..2000 {
                if minted.load(std::sync::atomic::Ordering::SeqCst) >= hits {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            panic!("the STS was not asked {hits} times");
        }
    };
    wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let first = cache
        .credentials_if_cached()
        .expect("warmed by the refresher");
    assert_eq!(first.security_token(), Some("SECRET-token-5e2c90"));
    // Before the prefetch point (10 of 15 minutes) nothing more is fetched...
    clock.advance(9 * 60);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(minted.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(cache.credentials_if_cached().is_some());
    // ...after it, the refresher fetches once, while the sync read keeps answering.
    clock.advance(2 * 60);
    assert!(cache.credentials_if_cached().is_some());
    wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(minted.load(std::sync::atomic::Ordering::SeqCst), 2);
    let fresh = cache.credentials_if_cached().expect("refreshed");
    assert!(fresh.expiration() > first.expiration());
    // Past the first token's expiry the refreshed one is served.
    clock.advance(5 * 60);
    assert!(cache.credentials_if_cached().is_some());
    task.abort();
}

/// The default chain with a CLI RamRoleArn profile pointing at the loopback STS: the
/// refresher's first round walks the chain, after which the sync read answers.
#[tokio::test]
async fn the_default_chain_answers_synchronously_once_a_refresher_warmed_it() {
    let server = signing_sts().await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aliyun")).unwrap();
    std::fs::write(
        home.path().join(".aliyun/config.json"),
        format!(
            r#"{{"current":"writer","profiles":[{{"name":"writer","mode":"RamRoleArn","access_key_id":"{SOURCE_ID}","access_key_secret":"{SOURCE_SECRET}","ram_role_arn":"{ROLE}","sts_endpoint":"{}"}}]}}"#,
            server.url()
        ),
    )
    .unwrap();
    let env =
        oss_credentials::Environment::from_map([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")])
            .with_home_dir(home.path());
    let chain = std::sync::Arc::new(
        oss_credentials::DefaultChain::builder()
            .environment(env)
            .build(),
    );
    assert!(
        chain.credentials_if_cached().is_none(),
        "nothing fetched yet"
    );
    let refresher = oss_credentials::Refresher::new(chain.clone());
    expect_ok(refresher.refresh_once().await);
    let creds = chain
        .credentials_if_cached()
        .expect("cached after the first round");
    assert_eq!(creds.access_key_id(), "STS.NewTemporaryId");
    assert!(creds.expiration().is_some());
    assert_eq!(server.hits(), 1);
}
