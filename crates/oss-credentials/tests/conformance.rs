//! Runs the JSON cases under `conformance/credentials/` (format: that folder's README):
//! RPC signature vectors, environment resolution, INI credentials files and CLI config files.

mod common;

use common::{assert_no_secret, scan_debug, scan_error};
use oss_credentials::rpc_signature;
use oss_credentials::{
    CliConfigProvider, CredentialSource, CredentialsError, EnvFamily, EnvProvider, Environment,
    ProfileFileProvider,
};
use serde_json::{json, Map, Value};
use std::path::Path;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../conformance/credentials")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing in {value}"))
}

#[test]
fn rpc_signature_vectors() {
    let doc = load("sts-signature.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let params: Vec<(String, String)> = case["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_owned(),
                    pair[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let method = str_field(case, "method");
        let name = str_field(case, "name");
        if let Some(expected) = case["string_to_sign"].as_str() {
            assert_eq!(
                rpc_signature::string_to_sign(method, &pairs),
                expected,
                "{name}"
            );
        }
        if let Some(expected) = case["signature"].as_str() {
            assert_eq!(
                rpc_signature::sign(method, &pairs, str_field(case, "secret")),
                expected,
                "{name}"
            );
        }
    }
    for case in doc["hmac_sha1_base64"].as_array().unwrap() {
        assert_eq!(
            rpc_signature::hmac_sha1_base64(str_field(case, "key"), str_field(case, "message")),
            str_field(case, "expected")
        );
    }
    for case in doc["percent_encode"].as_array().unwrap() {
        assert_eq!(
            rpc_signature::percent_encode(str_field(case, "input")),
            str_field(case, "expected")
        );
    }
}

/// Checks an error against `{"kind", "contains", "not_contains"}`.
fn check_error(name: &str, error: &CredentialsError, expected: &Value) {
    scan_error(error);
    let text = error.to_string();
    assert_eq!(
        error.kind().as_str(),
        str_field(expected, "kind"),
        "{name}: {text}"
    );
    for needle in expected["contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap();
        assert!(text.contains(needle), "{name}: `{needle}` not in: {text}");
    }
    for needle in expected["not_contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap();
        assert!(!text.contains(needle), "{name}: `{needle}` in: {text}");
    }
}

/// Every key of `expected` must match `actual` (objects recursively; null = absent).
fn check_subset(name: &str, path: &str, actual: &Value, expected: &Value) {
    match expected {
        Value::Object(map) => {
            for (key, want) in map {
                let got = actual.get(key).unwrap_or(&Value::Null);
                check_subset(name, &format!("{path}.{key}"), got, want);
            }
        }
        want => assert!(
            actual == want,
            "{name}: {path} differs from the expected value"
        ),
    }
}

fn describe(source: &CredentialSource) -> Value {
    match source {
        CredentialSource::Static(c) => json!({
            "source": "static",
            "access_key_id": c.access_key_id(),
            "access_key_secret": c.access_key_secret(),
            "security_token": c.security_token(),
        }),
        CredentialSource::AssumeRole { source, role } => json!({
            "source": "assume_role",
            "role_arn": role.role_arn,
            "role_session_name": role.role_session_name,
            "duration_seconds": role.duration_seconds,
            "policy": role.policy,
            "external_id": role.external_id,
            "sts_region": role.sts_region,
            "enable_vpc": role.enable_vpc,
            "sts_endpoint": role.sts_endpoint,
            "inner": describe(source),
        }),
        CredentialSource::Oidc {
            role,
            oidc_provider_arn,
            oidc_token_file,
        } => json!({
            "source": "oidc_role",
            "role_arn": role.role_arn,
            "role_session_name": role.role_session_name,
            "duration_seconds": role.duration_seconds,
            "policy": role.policy,
            "sts_region": role.sts_region,
            "enable_vpc": role.enable_vpc,
            "oidc_provider_arn": oidc_provider_arn,
            "oidc_token_file": oidc_token_file.to_string_lossy(),
        }),
        CredentialSource::EcsRamRole { role_name } => {
            json!({"source": "ecs_ram_role", "role_name": role_name})
        }
        CredentialSource::CredentialsUri { url } => {
            json!({"source": "credentials_uri", "url": url})
        }
        CredentialSource::Process { command } => json!({"source": "process", "command": command}),
        other => json!({"source": other.kind_name()}),
    }
}

/// Builds the injected environment of a case in a fresh temporary home.
fn prepare(case: &Value, fixtures: &Value, home: &Path) -> Environment {
    let files = match &case["files"] {
        Value::String(name) => &fixtures[name.as_str()],
        files => files,
    };
    for (relative, content) in files.as_object().cloned().unwrap_or_default() {
        let path = home.join(&relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = match content {
            Value::String(text) => text,
            json => serde_json::to_string_pretty(&json).unwrap(),
        };
        std::fs::write(path, text).unwrap();
    }
    let home_text = home.to_string_lossy().into_owned();
    let vars: Map<String, Value> = case["env"].as_object().cloned().unwrap_or_default();
    Environment::from_map(
        vars.into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap().replace("{home}", &home_text))),
    )
    .with_home_dir(home)
}

fn run_file_cases(
    file: &str,
    resolve: fn(Environment) -> Result<CredentialSource, CredentialsError>,
) {
    let doc = load(file);
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "{file}");
    for case in cases {
        let name = str_field(case, "name");
        let home = tempfile::tempdir().unwrap();
        let env = prepare(case, &doc["fixtures"], home.path());
        scan_debug(&env);
        let result = resolve(env);
        match (&case["expect"], &case["expect_error"], result) {
            (expected, Value::Null, Ok(source)) if !expected.is_null() => {
                scan_debug(&source);
                check_subset(name, "", &describe(&source), expected);
            }
            (Value::Null, expected, Err(error)) if !expected.is_null() => {
                check_error(name, &error, expected)
            }
            (_, _, Ok(source)) => {
                scan_debug(&source);
                panic!(
                    "{name}: expected an error, resolved to {}",
                    source.kind_name()
                )
            }
            (_, _, Err(error)) => {
                scan_error(&error);
                panic!("{name}: unexpected error {error}")
            }
        }
    }
}

#[test]
fn ini_credentials_file_cases() {
    run_file_cases("ini-cases.json", |env| {
        ProfileFileProvider::with_environment(env).resolve()
    });
}

#[test]
fn cli_config_cases() {
    run_file_cases("cli-config-cases.json", |env| {
        CliConfigProvider::with_environment(env).resolve()
    });
}

#[test]
fn environment_cases() {
    let doc = load("env-cases.json");
    for case in doc["cases"].as_array().unwrap() {
        let name = str_field(case, "name");
        let home = tempfile::tempdir().unwrap();
        let env = prepare(case, &Value::Null, home.path());
        let mut provider = EnvProvider::with_environment(env);
        if let Some(families) = case["families"].as_array() {
            let families: Vec<EnvFamily> = families
                .iter()
                .map(|f| match f.as_str().unwrap() {
                    "oss" => EnvFamily::Oss,
                    "alibaba_cloud" => EnvFamily::AlibabaCloud,
                    other => panic!("{name}: unknown family {other}"),
                })
                .collect();
            provider = provider.families(&families);
        }
        scan_debug(&provider);
        match (&case["expect"], provider.load()) {
            (Value::Null, Err(error)) => check_error(name, &error, &case["expect_error"]),
            (expected, Ok(creds)) if !expected.is_null() => {
                assert_no_secret(&format!("{creds:?} {creds}"));
                let actual = json!({
                    "access_key_id": creds.access_key_id(),
                    "access_key_secret": creds.access_key_secret(),
                    "security_token": creds.security_token(),
                    "provider_name": creds.provider_name(),
                });
                check_subset(name, "", &actual, expected);
                assert_eq!(creds.provider_name(), "env");
            }
            (_, Ok(_)) => panic!("{name}: expected an error"),
            (_, Err(error)) => {
                scan_error(&error);
                panic!("{name}: unexpected error {error}")
            }
        }
    }
}
