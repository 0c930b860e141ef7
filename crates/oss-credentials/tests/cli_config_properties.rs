//! Property tests: the CLI config reader never panics on arbitrary files and never echoes
//! their content in errors.

mod common;

use common::assert_no_secret;
use oss_credentials::{CliConfigProvider, Environment};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_files_never_panic_or_leak(body in "\\PC{0,200}") {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aliyun")).unwrap();
        let text = format!("{body}SECRET-file-77aa01");
        std::fs::write(home.path().join(".aliyun/config.json"), &text).unwrap();
        let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
        if let Err(error) = CliConfigProvider::with_environment(env).resolve() {
            assert_no_secret(&error.to_string());
            assert_no_secret(&format!("{error:?}"));
        }
    }

    #[test]
    fn arbitrary_json_profiles_never_panic(
        mode in proptest::option::of("AK|StsToken|RamRoleArn|EcsRamRole|OIDC|ChainableRamRoleArn|CredentialsURI|External|[A-Za-z]{1,8}"),
        fields in proptest::collection::btree_map(
            "access_key_id|access_key_secret|sts_token|ram_role_arn|source_profile|expired_seconds|enable_vpc|ram_role_name|process_command|credentials_uri|oidc_token_file|oidc_provider_arn",
            prop_oneof![
                Just(serde_json::json!(null)),
                Just(serde_json::json!(true)),
                Just(serde_json::json!(-1)),
                Just(serde_json::json!(3600)),
                Just(serde_json::json!("p")),
                Just(serde_json::json!("")),
                Just(serde_json::json!(["SECRET-file-77aa01"])),
            ],
            0..6,
        )
    ) {
        let mut profile = serde_json::Map::new();
        profile.insert("name".into(), "p".into());
        if let Some(mode) = mode {
            profile.insert("mode".into(), mode.into());
        }
        for (key, value) in fields {
            profile.insert(key, value);
        }
        let doc = serde_json::json!({"current": "p", "profiles": [profile]});
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aliyun")).unwrap();
        std::fs::write(home.path().join(".aliyun/config.json"), doc.to_string()).unwrap();
        let env = Environment::from_map::<&str, &str>([]).with_home_dir(home.path());
        match CliConfigProvider::with_environment(env).resolve() {
            Ok(source) => assert_no_secret(&format!("{source:?}")),
            Err(error) => assert_no_secret(&format!("{error} {error:?}")),
        }
    }
}
