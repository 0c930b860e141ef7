//! ECS metadata (IMDSv2 / v1) and credentials-URI providers against loopback servers.
#![cfg(feature = "http")]

mod common;

use common::server::{closed_port_url, Recorded, Reply, TestServer};
use common::{expect_err, expect_ok, format_utc};
use oss_credentials::{
    CachingProvider, EcsRoleBuilder, EcsRoleProvider, Environment, ErrorKind, ProvideCredentials,
    UriProvider,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const METADATA_TOKEN: &str = "metadata-session-token-xyz";
const ROLE: &str = "oss-writer-role";

fn ecs_body(code: &str, expiration: SystemTime) -> String {
    format!(
        r#"{{"AccessKeyId":"STS.EcsId","AccessKeySecret":"SECRET-ecs-a07f13","SecurityToken":"SECRET-token-5e2c90",
            "Expiration":"{}","LastUpdated":"2024-05-01T08:00:00Z","Code":"{code}"}}"#,
        format_utc(expiration)
    )
}

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

/// How the fake metadata service behaves.
#[derive(Clone, Copy)]
enum Imds {
    /// Hardened: un-tokened GETs are refused with 401.
    RequiresV2,
    /// No token endpoint (404); plain GETs work.
    V1Only,
}

fn metadata_service(mode: Imds, credentials: String) -> impl Fn(&Recorded) -> Reply {
    move |request| {
        let path = request.path.as_str();
        if path == "/latest/api/token" {
            return match mode {
                Imds::V1Only => Reply::status(404, ""),
                Imds::RequiresV2 => {
                    if request.method != "PUT" {
                        return Reply::status(405, "");
                    }
                    let ttl = request
                        .header("x-aliyun-ecs-metadata-token-ttl-seconds")
                        .and_then(|v| v.parse::<u32>().ok());
                    match ttl {
                        Some(1..=21_600) => Reply::ok(METADATA_TOKEN),
                        _ => Reply::status(400, ""),
                    }
                }
            };
        }
        if matches!(mode, Imds::RequiresV2)
            && request.header("x-aliyun-ecs-metadata-token") != Some(METADATA_TOKEN)
        {
            return Reply::status(401, "");
        }
        match path {
            "/latest/meta-data/ram/security-credentials/" => Reply::ok(format!("{ROLE}\n")),
            p if p == format!("/latest/meta-data/ram/security-credentials/{ROLE}") => {
                Reply::ok(credentials.clone())
            }
            _ => Reply::status(404, "not found"),
        }
    }
}

fn no_env() -> Environment {
    Environment::from_map::<&str, &str>([])
}

/// A hardened (IMDSv2-only) metadata service whose credentials expire at `expiration`.
async fn hardened_service(expiration: SystemTime) -> TestServer {
    TestServer::start(metadata_service(
        Imds::RequiresV2,
        ecs_body("Success", expiration),
    ))
    .await
}

/// An ECS provider builder for `endpoint` that reads nothing from the process environment.
fn ecs_builder(endpoint: impl Into<String>) -> EcsRoleBuilder {
    EcsRoleProvider::builder()
        .environment(no_env())
        .endpoint(endpoint)
}

#[tokio::test]
async fn imds_v2_with_role_discovery() {
    let server = hardened_service(in_an_hour()).await;
    let provider = ecs_builder(server.url()).build().unwrap();
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.EcsId");
    assert_eq!(creds.access_key_secret(), "SECRET-ecs-a07f13");
    assert_eq!(creds.security_token(), Some("SECRET-token-5e2c90"));
    assert_eq!(creds.provider_name(), "ecs_ram_role");
    let paths: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT".to_owned(), "/latest/api/token".to_owned()),
            (
                "GET".to_owned(),
                "/latest/meta-data/ram/security-credentials/".to_owned()
            ),
            (
                "GET".to_owned(),
                format!("/latest/meta-data/ram/security-credentials/{ROLE}")
            ),
        ]
    );
    assert_eq!(
        server.requests()[0].header("x-aliyun-ecs-metadata-token-ttl-seconds"),
        Some("21600")
    );

    // The discovered role name is remembered; a fresh metadata token is fetched per refresh.
    expect_ok(provider.provide_credentials().await);
    let later: Vec<String> = server.requests()[3..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        later,
        [
            "/latest/api/token".to_owned(),
            format!("/latest/meta-data/ram/security-credentials/{ROLE}")
        ]
    );
}

#[tokio::test]
async fn falls_back_to_v1_unless_disabled() {
    let server = TestServer::start(metadata_service(
        Imds::V1Only,
        ecs_body("Success", in_an_hour()),
    ))
    .await;
    let provider = ecs_builder(server.url()).role_name(ROLE).build().unwrap();
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.EcsId");
    let get = &server.requests()[1];
    assert_eq!(get.header("x-aliyun-ecs-metadata-token"), None);

    for provider in [
        ecs_builder(server.url())
            .disable_imds_v1(true)
            .build()
            .unwrap(),
        EcsRoleProvider::builder()
            .environment(Environment::from_map([(
                "ALIBABA_CLOUD_IMDSV1_DISABLED",
                "true",
            )]))
            .endpoint(server.url())
            .build()
            .unwrap(),
    ] {
        let before = server.hits();
        let error = expect_err(provider.provide_credentials().await);
        assert!(error.to_string().contains("IMDSv1"), "{error}");
        assert_eq!(server.hits(), before + 1, "only the token request was sent");
    }
}

#[tokio::test]
async fn configured_role_name_skips_discovery_and_env_names_the_role() {
    let server = hardened_service(in_an_hour()).await;
    let provider = EcsRoleProvider::builder()
        .environment(Environment::from_map([
            ("ALIBABA_CLOUD_ECS_METADATA", ROLE),
            (
                "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
                server.url().as_str(),
            ),
        ]))
        .build()
        .unwrap();
    expect_ok(provider.provide_credentials().await);
    assert_eq!(server.hits(), 2, "token + credentials, no discovery");
}

#[tokio::test]
async fn metadata_failures_have_clear_kinds() {
    let cases: Vec<(String, Reply, ErrorKind)> = vec![
        (
            "code".into(),
            Reply::ok(ecs_body("Failed", in_an_hour())),
            ErrorKind::Service,
        ),
        (
            "bad json".into(),
            Reply::ok("{\"AccessKeyId\": \"STS.x\", \"AccessKeySecret\": \"SECRET-ecs-a07f13\""),
            ErrorKind::Parse,
        ),
        (
            "no code".into(),
            Reply::ok(r#"{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-ecs-a07f13"}"#),
            ErrorKind::Parse,
        ),
        (
            "5xx".into(),
            Reply::status(502, "bad gateway"),
            ErrorKind::Http,
        ),
        (
            "role missing".into(),
            Reply::status(404, "nope"),
            ErrorKind::InvalidConfig,
        ),
        (
            "slow".into(),
            Reply::ok(ecs_body("Success", in_an_hour())).delayed(Duration::from_secs(30)),
            ErrorKind::Timeout,
        ),
    ];
    for (name, reply, kind) in cases {
        let credentials_reply = reply.clone();
        let server = TestServer::start(move |request| {
            if request.path == "/latest/api/token" {
                Reply::ok(METADATA_TOKEN)
            } else {
                credentials_reply.clone()
            }
        })
        .await;
        let provider = ecs_builder(server.url())
            .role_name(ROLE)
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let error = expect_err(provider.provide_credentials().await);
        assert_eq!(error.kind(), kind, "{name}: {error}");
    }
}

#[tokio::test]
async fn hardened_instance_without_token_support_in_client_is_refused() {
    // A metadata service that requires tokens but whose token endpoint is broken: the v1
    // fallback is refused with 401 and the error says why.
    let server = TestServer::start(|request| {
        if request.path == "/latest/api/token" {
            Reply::status(500, "")
        } else if request.header("x-aliyun-ecs-metadata-token").is_none() {
            Reply::status(401, "")
        } else {
            Reply::ok("")
        }
    })
    .await;
    let provider = ecs_builder(server.url()).role_name(ROLE).build().unwrap();
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.http_status(), Some(401));
    assert!(error.to_string().contains("IMDSv2"), "{error}");
}

#[tokio::test]
async fn unreachable_metadata_is_not_loaded_only_when_asked() {
    let url = closed_port_url().await;
    let strict = ecs_builder(&url).build().unwrap();
    assert_eq!(
        expect_err(strict.provide_credentials().await).kind(),
        ErrorKind::Http
    );
    let lenient = ecs_builder(&url)
        .unreachable_is_not_loaded(true)
        .build()
        .unwrap();
    assert_eq!(
        expect_err(lenient.provide_credentials().await).kind(),
        ErrorKind::NotLoaded
    );
}

#[tokio::test]
async fn expired_metadata_credentials_are_refused_by_the_cache() {
    let past = SystemTime::now() - Duration::from_secs(5);
    let server = hardened_service(past).await;
    let provider = CachingProvider::new(ecs_builder(server.url()).build().unwrap());
    assert_eq!(
        expect_err(provider.provide_credentials().await).kind(),
        ErrorKind::Expired
    );
}

fn uri_body(extra: &str) -> String {
    format!(
        r#"{{"AccessKeyId":"STS.UriId","AccessKeySecret":"SECRET-uri-c4d8e2","SecurityToken":"SECRET-token-5e2c90","Expiration":"{}"{extra}}}"#,
        format_utc(in_an_hour())
    )
}

#[tokio::test]
async fn credentials_uri_success_keeps_the_query() {
    let seen = Arc::new(Mutex::new(String::new()));
    let record = seen.clone();
    let server = TestServer::start(move |request| {
        *record.lock().unwrap() = format!("{} {}?{}", request.method, request.path, request.query);
        Reply::ok(uri_body(r#","Code":"Success""#))
    })
    .await;
    let provider = UriProvider::new(format!("{}/creds?role=writer", server.url())).unwrap();
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.UriId");
    assert_eq!(creds.access_key_secret(), "SECRET-uri-c4d8e2");
    assert_eq!(creds.provider_name(), "credentials_uri");
    assert_eq!(*seen.lock().unwrap(), "GET /creds?role=writer");

    let long_term = TestServer::start(|_| {
        Reply::ok(r#"{"AccessKeyId":"LTAIlongTerm","AccessKeySecret":"SECRET-uri-c4d8e2"}"#)
    })
    .await;
    let creds = expect_ok(
        UriProvider::new(long_term.url())
            .unwrap()
            .provide_credentials()
            .await,
    );
    assert_eq!(creds.expiration(), None);
    assert_eq!(creds.security_token(), None);
}

#[tokio::test]
async fn credentials_uri_failures() {
    let cases: Vec<(&str, Reply, ErrorKind)> = vec![
        (
            "code failed",
            Reply::ok(uri_body(r#","Code":"Failed""#)),
            ErrorKind::Service,
        ),
        ("500", Reply::status(500, "oops"), ErrorKind::Http),
        ("malformed", Reply::ok("[1, 2"), ErrorKind::Parse),
        (
            "missing secret",
            Reply::ok(r#"{"AccessKeyId":"STS.x"}"#),
            ErrorKind::Parse,
        ),
        (
            "token without expiration",
            Reply::ok(
                r#"{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-uri-c4d8e2","SecurityToken":"SECRET-token-5e2c90"}"#,
            ),
            ErrorKind::Parse,
        ),
        (
            "slow",
            Reply::ok(uri_body("")).delayed(Duration::from_secs(30)),
            ErrorKind::Timeout,
        ),
    ];
    for (name, reply, kind) in cases {
        let server = TestServer::start(move |_| reply.clone()).await;
        let provider = UriProvider::with_timeout(server.url(), Duration::from_millis(300)).unwrap();
        let error = expect_err(provider.provide_credentials().await);
        assert_eq!(error.kind(), kind, "{name}: {error}");
    }
    assert_eq!(
        expect_err(UriProvider::new("ftp://127.0.0.1/")).kind(),
        ErrorKind::InvalidConfig
    );
    assert!(UriProvider::from_env(&no_env()).is_none());
}
