//! Profiles that need the network, resolved end to end against loopback servers: INI
//! `ram_role_arn` and `ecs_ram_role`, CLI `ChainableRamRoleArn`, `CredentialsURI`, and the
//! default chain reaching a loopback metadata service.
#![cfg(feature = "http")]

mod common;

use common::server::{closed_port_url, Reply, TestServer};
use common::{
    attempted_providers, expect_err, expect_ok, format_utc, parse_pairs, write_home_file,
};
use oss_credentials::{
    CliConfigProvider, DefaultChain, Environment, ErrorKind, ProfileFileProvider,
    ProvideCredentials,
};
use std::path::Path;
use std::time::{Duration, SystemTime};

fn sts_answer(id: &str) -> String {
    format!(
        r#"{{"RequestId":"R","Credentials":{{"AccessKeyId":"{id}","AccessKeySecret":"SECRET-sts-b81d44","SecurityToken":"SECRET-token-5e2c90","Expiration":"{}"}}}}"#,
        format_utc(SystemTime::now() + Duration::from_secs(3600))
    )
}

/// An STS that names the issued key after the role assumed and the signing key id.
async fn echo_sts() -> TestServer {
    TestServer::start(|request| {
        let mut params = parse_pairs(&request.query);
        params.extend(parse_pairs(&request.body));
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let role = get("RoleArn");
        let role = role.rsplit('/').next().unwrap_or("").to_owned();
        Reply::ok(sts_answer(&format!("STS.{role}.by.{}", get("AccessKeyId"))))
    })
    .await
}

/// The body of a successful ECS metadata answer for `id`, valid for six hours.
fn ecs_success(id: &str) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"{id}","AccessKeySecret":"SECRET-ecs-a07f13","SecurityToken":"SECRET-token-5e2c90","Expiration":"{}"}}"#,
        format_utc(SystemTime::now() + Duration::from_secs(21_600))
    )
}

/// A profile-file provider for the INI `credentials` file written with `ini` under `home`,
/// in an environment holding only `variable` (the endpoint of a loopback service).
fn ini_provider(home: &Path, ini: &str, variable: (&str, String)) -> ProfileFileProvider {
    write_home_file(home, ".alibabacloud/credentials", ini);
    ProfileFileProvider::with_environment(Environment::from_map([variable]).with_home_dir(home))
}

/// The INI profile that assumes `acs:ram::1:role/writer` with the source key `LTAIsource`.
const WRITER_PROFILE: &str = "[default]\ntype = ram_role_arn\naccess_key_id = LTAIsource\naccess_key_secret = SECRET-source-3f9a7c\nrole_arn = acs:ram::1:role/writer\n";

/// [`ini_provider`] for [`WRITER_PROFILE`] and then the lines `extra`, asking the STS at `sts`.
fn writer_provider(home: &Path, sts: String, extra: &str) -> ProfileFileProvider {
    ini_provider(
        home,
        &format!("{WRITER_PROFILE}{extra}"),
        ("ALIBABA_CLOUD_STS_ENDPOINT", sts),
    )
}

#[tokio::test]
async fn ini_ram_role_arn_assumes_the_role_through_sts() {
    let sts = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    let provider = writer_provider(home.path(), sts.url(), "role_session_name = ini-test\n");
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.writer.by.LTAIsource");
    // Cached: a second call does not reach STS.
    expect_ok(provider.provide_credentials().await);
    assert_eq!(sts.hits(), 1);
    provider.invalidate();
    expect_ok(provider.provide_credentials().await);
    assert_eq!(sts.hits(), 2);
}

#[tokio::test]
async fn cli_chainable_role_signs_the_second_hop_with_the_first_hop_credentials() {
    let sts = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        r#"{{"current":"hop2","profiles":[
            {{"name":"writer","mode":"RamRoleArn","access_key_id":"LTAIsource","access_key_secret":"SECRET-source-3f9a7c",
              "ram_role_arn":"acs:ram::1:role/writer","sts_endpoint":"{0}"}},
            {{"name":"hop2","mode":"ChainableRamRoleArn","source_profile":"writer",
              "ram_role_arn":"acs:ram::2:role/reader","sts_endpoint":"{0}"}}]}}"#,
        sts.url()
    );
    write_home_file(home.path(), ".aliyun/config.json", &config);
    let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    let creds = expect_ok(
        CliConfigProvider::with_environment(env)
            .provide_credentials()
            .await,
    );
    assert_eq!(
        creds.access_key_id(),
        "STS.reader.by.STS.writer.by.LTAIsource"
    );
    let requests = sts.requests();
    assert_eq!(requests.len(), 2);
    // The second hop carries the first hop's token.
    let second = parse_pairs(&requests[1].query);
    assert!(second
        .iter()
        .any(|(k, v)| k == "SecurityToken" && v == "SECRET-token-5e2c90"));
}

#[tokio::test]
async fn cli_credentials_uri_and_ini_ecs_role() {
    let uri = TestServer::start(|_| {
        Reply::ok(
            r#"{"Code":"Success","AccessKeyId":"LTAIuri","AccessKeySecret":"SECRET-uri-c4d8e2"}"#,
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    write_home_file(
        home.path(),
        ".aliyun/config.json",
        &format!(
            r#"{{"current":"u","profiles":[{{"name":"u","mode":"CredentialsURI","credentials_uri":"{}/c"}}]}}"#,
            uri.url()
        ),
    );
    let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    let creds = expect_ok(
        CliConfigProvider::with_environment(env)
            .provide_credentials()
            .await,
    );
    assert_eq!(creds.access_key_id(), "LTAIuri");

    let imds = TestServer::start(|request| match request.path.as_str() {
        "/latest/api/token" => Reply::ok("tok"),
        "/latest/meta-data/ram/security-credentials/file-role" => Reply::ok(ecs_success("STS.ecs")),
        _ => Reply::status(404, ""),
    })
    .await;
    let provider = ini_provider(
        home.path(),
        "[default]\ntype = ecs_ram_role\nrole_name = file-role\n",
        ("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", imds.url()),
    );
    let creds = expect_ok(provider.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.ecs");
}

#[tokio::test]
async fn default_chain_falls_through_to_a_loopback_metadata_service() {
    let home = tempfile::tempdir().unwrap();
    let imds = TestServer::start(|request| match request.path.as_str() {
        "/latest/api/token" => Reply::ok("tok"),
        "/latest/meta-data/ram/security-credentials/" => Reply::ok("chain-role"),
        "/latest/meta-data/ram/security-credentials/chain-role" => {
            Reply::ok(ecs_success("STS.chain"))
        }
        _ => Reply::status(404, ""),
    })
    .await;
    let env = Environment::from_map([("ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT", imds.url())])
        .with_home_dir(home.path());
    let chain = DefaultChain::builder().environment(env).build();
    let creds = expect_ok(chain.provide_credentials().await);
    assert_eq!(creds.access_key_id(), "STS.chain");
    expect_ok(chain.provide_credentials().await);
    assert_eq!(imds.hits(), 3, "cached after the first fetch");
}

#[tokio::test]
async fn default_chain_treats_an_absent_metadata_service_as_not_configured() {
    let home = tempfile::tempdir().unwrap();
    let env = Environment::from_map([(
        "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
        closed_port_url().await,
    )])
    .with_home_dir(home.path());
    let error = expect_err(
        DefaultChain::builder()
            .environment(env)
            .build()
            .provide_credentials()
            .await,
    );
    assert_eq!(error.kind(), ErrorKind::ChainExhausted);
    assert_eq!(
        attempted_providers(&error),
        ["env", "cli_config", "profile_file", "ecs_ram_role"]
    );
    assert!(error.to_string().contains("unreachable"), "{error}");
}

#[tokio::test]
async fn sts_errors_behind_a_profile_name_the_whole_path() {
    let sts = TestServer::start(|_| {
        Reply::status(
            403,
            r#"{"RequestId":"R","Code":"NoPermission","Message":"You are not authorized to do this action."}"#,
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let provider = writer_provider(home.path(), sts.url(), "");
    let error = expect_err(provider.provide_credentials().await);
    assert_eq!(error.kind(), ErrorKind::Service);
    assert_eq!(error.provider(), Some("profile_file/assume_role"));
    assert_eq!(error.service_code(), Some("NoPermission"));
    assert!(error.to_string().contains("not authorized"), "{error}");
}
