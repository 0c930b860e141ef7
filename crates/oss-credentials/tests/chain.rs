//! Chains: the default order, strict versus try-all walking, stickiness and error reports.
//! Every default chain here gets an injected environment with ECS metadata disabled.

mod common;

use common::{assert_mentions, attempted_providers, expect_err, expect_ok, write_home_file};
use futures_executor::block_on;
use oss_credentials::{
    ChainProvider, CredentialsError, DefaultChain, EnvProvider, Environment, ErrorKind, FnProvider,
    ProvideCredentials, StaticProvider,
};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn env_with_home(home: &Path, vars: &[(&str, &str)]) -> Environment {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push(("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into(), "true".into()));
    Environment::from_map(all).with_home_dir(home)
}

#[test]
fn an_empty_machine_reports_every_provider_tried() {
    let home = tempfile::tempdir().unwrap();
    let chain = DefaultChain::builder()
        .environment(env_with_home(home.path(), &[]))
        .build();
    assert_eq!(
        chain.provider_names(),
        ["env", "cli_config", "profile_file"]
    );
    let error = expect_err(block_on(chain.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::ChainExhausted);
    assert_eq!(
        attempted_providers(&error),
        ["env", "cli_config", "profile_file"]
    );
    assert!(error
        .attempts()
        .iter()
        .all(|e| e.kind() == ErrorKind::NotLoaded));
    assert_mentions(
        &error.to_string(),
        &[
            "default",
            "env",
            "OSS_ACCESS_KEY_ID",
            "cli_config",
            "config.json",
            "profile_file",
            "credentials",
        ],
    );
}

#[test]
fn official_order_env_then_cli_then_ini() {
    let home = tempfile::tempdir().unwrap();
    write_home_file(
        home.path(),
        ".aliyun/config.json",
        r#"{"current":"p","profiles":[{"name":"p","mode":"AK","access_key_id":"LTAIcli","access_key_secret":"SECRET-file-77aa01"}]}"#,
    );
    write_home_file(home.path(), ".alibabacloud/credentials", "[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = SECRET-file-77aa01\n");
    let with_env = env_with_home(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d"),
        ],
    );
    let creds = expect_ok(block_on(
        DefaultChain::builder()
            .environment(with_env)
            .build()
            .provide_credentials(),
    ));
    assert_eq!(creds.access_key_id(), "LTAIenv");

    let chain = DefaultChain::builder()
        .environment(env_with_home(home.path(), &[]))
        .build();
    assert_eq!(
        expect_ok(block_on(chain.provide_credentials())).access_key_id(),
        "LTAIcli"
    );

    let no_cli = env_with_home(
        home.path(),
        &[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
    );
    let chain = DefaultChain::builder().environment(no_cli).build();
    assert_eq!(
        expect_ok(block_on(chain.provide_credentials())).access_key_id(),
        "LTAIini"
    );
}

#[test]
fn a_broken_configuration_is_skipped_with_a_warning_unless_strict() {
    let home = tempfile::tempdir().unwrap();
    write_home_file(home.path(), ".aliyun/config.json", "{ not json");
    write_home_file(home.path(), ".alibabacloud/credentials", "[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = SECRET-file-77aa01\n");
    // Like the official SDKs: the broken file is skipped and the INI file used...
    let chain = DefaultChain::builder()
        .environment(env_with_home(home.path(), &[]))
        .build();
    let creds = expect_ok(block_on(chain.provide_credentials()));
    assert_eq!(creds.access_key_id(), "LTAIini");
    // ...but not silently: the skipped file is a warning, every time.
    for creds in [creds, expect_ok(block_on(chain.provide_credentials()))] {
        assert_eq!(creds.warnings().len(), 1, "{:?}", creds.warnings());
        let warning = &creds.warnings()[0];
        assert!(warning.contains("cli_config"), "{warning}");
        assert!(warning.contains("config.json"), "{warning}");
        assert!(warning.contains("line 1, column 3"), "{warning}");
    }
    assert!(chain
        .credentials_if_cached()
        .is_some_and(|c| c.warnings().len() == 1));

    let strict = DefaultChain::builder()
        .environment(env_with_home(home.path(), &[]))
        .try_all(false)
        .build();
    let error = expect_err(block_on(strict.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::Parse);
    assert_eq!(error.provider(), Some("cli_config"));
}

#[test]
fn a_half_set_environment_is_recorded_and_the_next_source_tried() {
    let home = tempfile::tempdir().unwrap();
    let env = env_with_home(home.path(), &[("OSS_ACCESS_KEY_ID", "LTAIhalf")]);
    let error = expect_err(block_on(
        DefaultChain::builder()
            .environment(env)
            .build()
            .provide_credentials(),
    ));
    // Nothing else is configured: the final error lists every source and why.
    assert_eq!(error.kind(), ErrorKind::ChainExhausted);
    assert_eq!(error.attempts()[0].kind(), ErrorKind::InvalidConfig);
    assert_mentions(
        &error.to_string(),
        &[
            "OSS_ACCESS_KEY_SECRET",
            "cli_config",
            "profile_file",
            "credentials.ini",
        ],
    );
}

#[test]
fn a_partial_pair_never_hides_a_complete_pair_of_the_other_family() {
    let home = tempfile::tempdir().unwrap();
    for (vars, id) in [
        (
            vec![
                ("OSS_ACCESS_KEY_ID", "LTAIhalf"),
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIali"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d"),
            ],
            "LTAIali",
        ),
        (
            vec![
                ("OSS_ACCESS_KEY_ID", "LTAIoss"),
                ("OSS_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SECRET-env-half"),
            ],
            "LTAIoss",
        ),
    ] {
        let chain = DefaultChain::builder()
            .environment(env_with_home(home.path(), &vars))
            .build();
        let creds = expect_ok(block_on(chain.provide_credentials()));
        assert_eq!(creds.access_key_id(), id);
        assert_eq!(creds.provider_name(), "env");
        if id == "LTAIali" {
            assert!(
                creds.warnings()[0].contains("OSS_ACCESS_KEY_SECRET"),
                "{:?}",
                creds.warnings()
            );
        }
        assert!(!format!("{:?}", creds.warnings()).contains("SECRET-"));
    }
}

#[test]
fn a_named_profile_beats_the_environment_and_must_exist() {
    let home = tempfile::tempdir().unwrap();
    write_home_file(home.path(), ".alibabacloud/credentials.ini", "[prod]\ntype = access_key\naccess_key_id = LTAIprod\naccess_key_secret = SECRET-file-77aa01\n");
    let env_creds = [
        ("OSS_ACCESS_KEY_ID", "LTAIenv"),
        ("OSS_ACCESS_KEY_SECRET", "SECRET-env-2b3c4d"),
    ];
    // From the builder and from ALIBABA_CLOUD_PROFILE alike.
    let by_builder = DefaultChain::builder()
        .environment(env_with_home(home.path(), &env_creds))
        .profile("prod")
        .build();
    let mut with_var = env_creds.to_vec();
    with_var.push(("ALIBABA_CLOUD_PROFILE", "prod"));
    let by_variable = DefaultChain::builder()
        .environment(env_with_home(home.path(), &with_var))
        .build();
    for chain in [by_builder, by_variable] {
        assert_eq!(chain.profile(), Some("prod"));
        let creds = expect_ok(block_on(chain.provide_credentials()));
        assert_eq!(creds.access_key_id(), "LTAIprod");
    }
    let missing = DefaultChain::builder()
        .environment(env_with_home(home.path(), &env_creds))
        .profile("nosuch")
        .build();
    let error = expect_err(block_on(missing.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::NotLoaded);
    let config = home.path().join(".aliyun/config.json");
    let ini = home.path().join(".alibabacloud/credentials.ini");
    assert_mentions(
        &error.to_string(),
        &[
            "the profile 'nosuch' exists nowhere",
            &config.display().to_string(),
            &ini.display().to_string(),
        ],
    );
}

#[test]
fn sticky_chains_go_straight_to_the_last_success() {
    let first_calls = Arc::new(AtomicUsize::new(0));
    let counter = first_calls.clone();
    let not_here = FnProvider::new("not_here", move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async {
            Err(CredentialsError::new(
                ErrorKind::NotLoaded,
                "nothing configured",
            ))
        }
    });
    let chain = ChainProvider::new()
        .push(not_here)
        .push(StaticProvider::new("LTAIsecond", "SECRET-file-77aa01").unwrap());
    for _ in 0..3 {
        assert_eq!(
            expect_ok(block_on(chain.provide_credentials())).access_key_id(),
            "LTAIsecond"
        );
    }
    assert_eq!(first_calls.load(Ordering::SeqCst), 1);

    let first_calls = Arc::new(AtomicUsize::new(0));
    let counter = first_calls.clone();
    let chain = ChainProvider::new()
        .sticky(false)
        .push(FnProvider::new("not_here", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                Err(CredentialsError::new(
                    ErrorKind::NotLoaded,
                    "nothing configured",
                ))
            }
        }))
        .push(StaticProvider::new("LTAIsecond", "SECRET-file-77aa01").unwrap());
    for _ in 0..3 {
        expect_ok(block_on(chain.provide_credentials()));
    }
    assert_eq!(first_calls.load(Ordering::SeqCst), 3);
}

#[test]
fn an_empty_chain_says_so() {
    let error = expect_err(block_on(
        ChainProvider::new().named("mine").provide_credentials(),
    ));
    assert_eq!(error.kind(), ErrorKind::ChainExhausted);
    assert!(error.to_string().contains("mine"));
    assert!(error.to_string().contains("empty"));
    assert!(
        ChainProvider::new()
            .push(EnvProvider::new())
            .provider_names()
            == ["env"]
    );
}

#[cfg(feature = "http")]
mod with_http {
    use super::*;

    #[test]
    fn conditional_slots_follow_the_environment() {
        let home = tempfile::tempdir().unwrap();
        let env = Environment::from_map([
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/p",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nonexistent/token"),
            ("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/creds"),
            (
                "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
                "http://127.0.0.1:9",
            ),
        ])
        .with_home_dir(home.path());
        for (uri_before_ecs, order) in [
            (false, ["ecs_ram_role", "credentials_uri"]),
            (true, ["credentials_uri", "ecs_ram_role"]),
        ] {
            let chain = DefaultChain::builder()
                .environment(env.clone())
                .uri_before_ecs(uri_before_ecs)
                .build();
            let mut expected = vec!["env", "oidc_role", "cli_config", "profile_file"];
            expected.extend(order);
            assert_eq!(
                chain.provider_names(),
                expected,
                "uri_before_ecs {uri_before_ecs}"
            );
        }
    }
}

#[test]
fn a_remembered_provider_that_disappears_makes_the_chain_walk_again() {
    let available = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = available.clone();
    let flaky = FnProvider::new("flaky", move || {
        let up = flag.load(Ordering::SeqCst);
        async move {
            if up {
                oss_credentials::Credentials::new("LTAIfirst", "SECRET-file-77aa01")
            } else {
                Err(CredentialsError::new(ErrorKind::NotLoaded, "gone"))
            }
        }
    });
    let chain = ChainProvider::new()
        .push(flaky)
        .push(StaticProvider::new("LTAIsecond", "SECRET-file-77aa01").unwrap());
    assert_eq!(
        expect_ok(block_on(chain.provide_credentials())).access_key_id(),
        "LTAIfirst"
    );
    available.store(false, Ordering::SeqCst);
    assert_eq!(
        expect_ok(block_on(chain.provide_credentials())).access_key_id(),
        "LTAIsecond"
    );
}
