//! No secret used by the suite may appear in Debug or Display output of any value, nor in
//! any error. (Every other test file also routes each error it sees through
//! `common::scan_error`.)

mod common;

use common::{assert_no_secret, expect_err, scan_debug, scan_error, write_home_file, SECRETS};
use futures_executor::block_on;
use oss_credentials::{
    CachingProvider, ChainProvider, CliConfigProvider, Credentials, DefaultChain, EnvProvider,
    Environment, ProfileFileProvider, ProvideCredentials, StaticProvider,
};

fn full_credentials() -> Credentials {
    Credentials::new("LTAIvisibleId", "SECRET-source-3f9a7c")
        .unwrap()
        .with_security_token("SECRET-token-5e2c90")
        .with_expiration(
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000),
        )
        .with_provider_name("test")
}

#[test]
fn the_scanner_itself_catches_a_leak() {
    let leaked = std::panic::catch_unwind(|| assert_no_secret("oops SECRET-sts-b81d44"));
    assert!(leaked.is_err());
    assert!(SECRETS.len() >= 8);
}

#[test]
fn credentials_debug_and_display_are_redacted() {
    let creds = full_credentials();
    let debug = format!("{creds:?}");
    let display = creds.to_string();
    scan_debug(&creds);
    assert_no_secret(&display);
    assert!(debug.contains("LTAI****"), "{debug}");
    assert!(
        !debug.contains("LTAIvisibleId"),
        "the id is shortened: {debug}"
    );
    assert!(debug.contains("redacted"), "{debug}");
    assert!(
        display.contains("LTAI****") && display.contains("security token"),
        "{display}"
    );
    assert!(display.contains("2033-05-18T03:33:20Z"), "{display}");
    // Accessors still give the real values for signing.
    assert_eq!(creds.access_key_secret(), "SECRET-source-3f9a7c");
}

#[test]
fn providers_and_sources_are_redacted() {
    let creds = full_credentials();
    let env = Environment::from_map([
        ("OSS_ACCESS_KEY_ID", "LTAIenv"),
        ("OSS_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d"),
        ("OSS_SESSION_TOKEN", "SECRET-token-5e2c90"),
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
    ]);
    scan_debug(&env);
    assert!(
        format!("{env:?}").contains("OSS_ACCESS_KEY_SECRET"),
        "names are shown"
    );
    let env_provider = EnvProvider::with_environment(env.clone());
    scan_debug(&env_provider);
    let loaded = env_provider.load().unwrap();
    scan_debug(&loaded);
    assert_no_secret(&loaded.to_string());

    let cache = CachingProvider::new(StaticProvider::from_credentials(creds.clone()));
    block_on(cache.provide_credentials()).unwrap();
    scan_debug(&cache);
    scan_debug(&StaticProvider::from_credentials(creds.clone()));

    let chain = ChainProvider::new().push(cache).push(env_provider);
    block_on(chain.provide_credentials()).unwrap();
    scan_debug(&chain);

    let default = DefaultChain::builder().environment(env).build();
    block_on(default.provide_credentials()).unwrap();
    scan_debug(&default);

    let home = tempfile::tempdir().unwrap();
    write_home_file(home.path(), ".alibabacloud/credentials", "[default]\ntype = sts\naccess_key_id = STS.file\naccess_key_secret = SECRET-file-77aa01\nsecurity_token = SECRET-token-5e2c90\n");
    write_home_file(
        home.path(),
        ".aliyun/config.json",
        r#"{"current":"a","profiles":[{"name":"a","mode":"RamRoleArn","access_key_id":"LTAIcli","access_key_secret":"SECRET-file-77aa01","sts_token":"SECRET-token-5e2c90","ram_role_arn":"acs:ram::1:role/r"}]}"#,
    );
    let file_env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    let profile = ProfileFileProvider::with_environment(file_env.clone());
    let source = profile.resolve().unwrap();
    scan_debug(&source);
    block_on(profile.provide_credentials()).unwrap();
    scan_debug(&profile);
    let cli = CliConfigProvider::with_environment(file_env);
    scan_debug(&cli.resolve().unwrap());
}

#[test]
fn errors_built_from_secret_inputs_do_not_echo_them() {
    // A secret placed where a structural token was expected must not be quoted back.
    let home = tempfile::tempdir().unwrap();
    let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
    for ini in [
        "[default]\nSECRET-file-77aa01\n",
        "[SECRET-file-77aa01\n",
        "SECRET-file-77aa01 = x\n",
        "[default]\ntype = access_key\naccess_key_id = SECRET-file-77aa01\n",
        "[default]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = SECRET-file-77aa01\nrole_arn = r\nrole_session_expiration = SECRET-token-5e2c90\n",
    ] {
        write_home_file(home.path(), ".alibabacloud/credentials", ini);
        expect_err(ProfileFileProvider::with_environment(env.clone()).resolve());
    }
    for json in [
        r#"{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"x","access_key_secret":["SECRET-file-77aa01"]}]}"#,
        r#"{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"x","access_key_secret":"SECRET-file-77aa01""#,
        r#"{"current":"a","profiles":[{"name":"a","mode":"StsToken","access_key_id":"x","access_key_secret":"SECRET-file-77aa01"}]}"#,
        r#"{"current":"a","profiles":[{"name":"a","mode":"RamRoleArn","access_key_id":"x","access_key_secret":"SECRET-file-77aa01","ram_role_arn":"r","expired_seconds":"SECRET-token-5e2c90"}]}"#,
        r#"SECRET-file-77aa01"#,
    ] {
        write_home_file(home.path(), ".aliyun/config.json", json);
        expect_err(CliConfigProvider::with_environment(env.clone()).resolve());
    }
    scan_error(&expect_err(Credentials::new("id", " ")));
    scan_error(&expect_err(StaticProvider::new("", "SECRET-source-3f9a7c")));
    let half = Environment::from_map([("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d")]);
    expect_err(EnvProvider::with_environment(half).load());
}
