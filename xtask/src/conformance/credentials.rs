//! Suite `credentials` (`conformance/credentials/`, format in its README): RPC signature V1
//! vectors (STS AssumeRole), STS endpoint resolution, environment variables, INI credentials
//! files and CLI `config.json` files, run through `oss_credentials`. Secrets in the cases start
//! with `SECRET-`; any output of the crate (values' `Debug`/`Display`, error messages and their
//! sources) that contains one fails the case.

use super::case::{read_json, CaseOutcome, Status};
use super::compare::Diffs;
use oss_credentials::{
    AssumeRoleProvider, CliConfigProvider, CredentialSource, CredentialsError, DefaultChain,
    EnvFamily, EnvProvider, Environment, OidcRoleProvider, ProfileFileProvider, ProvideCredentials,
    RpcSignature, StaticProvider,
};
use serde_json::{json, Map, Value};
use std::path::Path;

const SECRET_MARK: &str = "SECRET-";
const ROLE: &str = "acs:ram::1234567890123456:role/oss-writer";

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    let file = |name: &str| dir.join(name);
    if file("sts-signature.json").exists() {
        outcomes.extend(signatures(&read_json(&file("sts-signature.json"))?));
    }
    if file("sts-endpoints.json").exists() {
        outcomes.extend(endpoints(&read_json(&file("sts-endpoints.json"))?));
    }
    if file("env-cases.json").exists() {
        outcomes.extend(environment(&read_json(&file("env-cases.json"))?)?);
    }
    if file("chain-cases.json").exists() {
        outcomes.extend(default_chain(&read_json(&file("chain-cases.json"))?)?);
    }
    for (name, prefix) in [
        ("ini-cases.json", "ini"),
        ("cli-config-cases.json", "cli-config"),
    ] {
        if file(name).exists() {
            let doc = read_json(&file(name))?;
            let resolve: fn(Environment) -> Result<CredentialSource, CredentialsError> =
                if prefix == "ini" {
                    |env| ProfileFileProvider::with_environment(env).resolve()
                } else {
                    |env| CliConfigProvider::with_environment(env).resolve()
                };
            outcomes.extend(file_cases(&doc, prefix, resolve)?);
        }
    }
    Ok(outcomes)
}

fn cases(doc: &Value) -> &[Value] {
    doc["cases"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn name(case: &Value) -> String {
    case["name"].as_str().unwrap_or("<no name>").to_string()
}

fn text<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().unwrap_or_default()
}

/// Fails when `output` contains a case secret.
fn scan(diffs: &mut Diffs, what: &str, output: &str) {
    if output.contains(SECRET_MARK) {
        diffs.note(format!("{what} contains a secret of the case"));
    }
}

fn scan_error(diffs: &mut Diffs, error: &CredentialsError) {
    scan(diffs, "the error's Display", &error.to_string());
    scan(diffs, "the error's Debug", &format!("{error:?}"));
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        scan(diffs, "an error source", &inner.to_string());
        source = inner.source();
    }
}

/// A case that expected success got `error`: scanned for secrets like every error, and noted.
fn unexpected_error(diffs: &mut Diffs, error: &CredentialsError) {
    scan_error(diffs, error);
    diffs.note(format!("unexpected error: {error}"));
}

fn signatures(doc: &Value) -> Vec<CaseOutcome> {
    let mut outcomes = Vec::new();
    for case in cases(doc) {
        let mut diffs = Diffs::default();
        let params: Vec<(String, String)> = case["params"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p[0].as_str().unwrap_or_default().to_string(),
                    p[1].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let signed = RpcSignature::sign(text(case, "method"), &pairs, text(case, "secret"));
        if let Some(expected) = case["string_to_sign"].as_str() {
            diffs.check("string to sign", expected, signed.string_to_sign());
        }
        if let Some(expected) = case["signature"].as_str() {
            diffs.check("signature", expected, signed.signature());
        }
        outcomes.push(CaseOutcome::new(
            format!("sts-signature/{}", name(case)),
            diffs.status(),
        ));
    }
    // The raw HMAC-SHA1 vectors (`hmac_sha1_base64`) test a step that is not public API; they
    // run in oss-credentials' own tests (`rpc_signature::tests::conformance_vectors`).
    for (index, case) in doc["percent_encode"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut diffs = Diffs::default();
        diffs.check(
            "percent encoding",
            text(case, "expected"),
            &oss_sign_core::encoding::uri_encode(text(case, "input"), false),
        );
        outcomes.push(CaseOutcome::new(
            format!("percent-encode/{index}"),
            diffs.status(),
        ));
    }
    outcomes
}

fn env_of(case: &Value, home: Option<&Path>) -> Environment {
    let home_text = home
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let vars: Map<String, Value> = case["env"].as_object().cloned().unwrap_or_default();
    let env = Environment::from_map(vars.into_iter().map(|(k, v)| {
        (
            k,
            v.as_str().unwrap_or_default().replace("{home}", &home_text),
        )
    }));
    match home {
        Some(home) => env.with_home_dir(home),
        None => env,
    }
}

/// Checks an error against `{"kind", "contains", "not_contains"}`.
fn check_error(diffs: &mut Diffs, error: &CredentialsError, expected: &Value) {
    scan_error(diffs, error);
    let message = error.to_string();
    diffs.check("error kind", text(expected, "kind"), error.kind().as_str());
    for needle in expected["contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap_or_default();
        if !message.contains(needle) {
            diffs.note(format!("the error {message:?} lacks {needle:?}"));
        }
    }
    for needle in expected["not_contains"].as_array().into_iter().flatten() {
        let needle = needle.as_str().unwrap_or_default();
        if message.contains(needle) {
            diffs.note(format!("the error {message:?} contains {needle:?}"));
        }
    }
}

fn endpoints(doc: &Value) -> Vec<CaseOutcome> {
    let mut outcomes = Vec::new();
    for case in cases(doc) {
        let mut diffs = Diffs::default();
        let env = env_of(case, None);
        let source = match StaticProvider::new("LTAI5tSource", "SECRET-source") {
            Ok(provider) => provider,
            Err(e) => {
                outcomes.push(CaseOutcome::new(name(case), Status::Failed(e.to_string())));
                continue;
            }
        };
        let mut role = AssumeRoleProvider::builder(source, ROLE).environment(env.clone());
        let mut oidc =
            OidcRoleProvider::builder(ROLE, "acs:ram::1:oidc-provider/p", "/t").environment(env);
        if let Some(endpoint) = case["endpoint"].as_str() {
            role = role.endpoint(endpoint);
            oidc = oidc.endpoint(endpoint);
        }
        if let Some(region) = case["region"].as_str() {
            role = role.region(region);
            oidc = oidc.region(region);
        }
        if let Some(vpc) = case["enable_vpc"].as_bool() {
            role = role.enable_vpc(vpc);
            oidc = oidc.enable_vpc(vpc);
        }
        match (case["expect"].as_str(), role.build(), oidc.build()) {
            (Some(expected), Ok(role), Ok(oidc)) => {
                diffs.check("AssumeRole endpoint", expected, role.endpoint());
                diffs.check("AssumeRoleWithOIDC endpoint", expected, oidc.endpoint());
            }
            (None, Err(role), Err(oidc)) => {
                check_error(&mut diffs, &role, &case["expect_error"]);
                check_error(&mut diffs, &oidc, &case["expect_error"]);
            }
            (expected, role, oidc) => diffs.note(format!(
                "expected {}, AssumeRole gave {}, OIDC gave {}",
                expected.unwrap_or("an error"),
                role.map(|p| p.endpoint().to_string())
                    .unwrap_or_else(|e| e.to_string()),
                oidc.map(|p| p.endpoint().to_string())
                    .unwrap_or_else(|e| e.to_string()),
            )),
        }
        outcomes.push(CaseOutcome::new(
            format!("sts-endpoint/{}", name(case)),
            diffs.status(),
        ));
    }
    outcomes
}

/// Every key of `expected` must match `actual` (objects recursively; `null` = absent).
fn check_subset(diffs: &mut Diffs, path: &str, actual: &Value, expected: &Value) {
    match expected {
        Value::Object(map) => {
            for (key, want) in map {
                let got = actual.get(key).unwrap_or(&Value::Null);
                check_subset(diffs, &format!("{path}.{key}"), got, want);
            }
        }
        want if actual != want => {
            // Never print secret values in a diff.
            if want.to_string().contains(SECRET_MARK) || actual.to_string().contains(SECRET_MARK) {
                diffs.note(format!("{path} differs (secret value, not shown)"));
            } else {
                diffs.check(path, &want.to_string(), &actual.to_string());
            }
        }
        _ => {}
    }
}

fn environment(doc: &Value) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    for case in cases(doc) {
        let mut diffs = Diffs::default();
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut provider = EnvProvider::with_environment(env_of(case, Some(home.path())));
        if let Some(families) = case["families"].as_array() {
            let families: Vec<EnvFamily> = families
                .iter()
                .filter_map(|f| match f.as_str() {
                    Some("oss") => Some(EnvFamily::Oss),
                    Some("alibaba_cloud") => Some(EnvFamily::AlibabaCloud),
                    _ => None,
                })
                .collect();
            provider = provider.families(&families);
        }
        scan(&mut diffs, "the provider's Debug", &format!("{provider:?}"));
        match (&case["expect"], provider.load()) {
            (Value::Null, Err(error)) => check_error(&mut diffs, &error, &case["expect_error"]),
            (expected, Ok(creds)) if !expected.is_null() => {
                scan(
                    &mut diffs,
                    "the credentials' Debug/Display",
                    &format!("{creds:?} {creds}"),
                );
                let actual = json!({
                    "access_key_id": creds.access_key_id(),
                    "access_key_secret": creds.access_key_secret(),
                    "security_token": creds.security_token(),
                    "provider_name": creds.provider_name(),
                });
                check_subset(&mut diffs, "", &actual, expected);
            }
            (_, Ok(_)) => diffs.note("expected an error, the variables resolved"),
            (_, Err(error)) => unexpected_error(&mut diffs, &error),
        }
        outcomes.push(CaseOutcome::new(
            format!("env/{}", name(case)),
            diffs.status(),
        ));
    }
    Ok(outcomes)
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

/// Writes a case's files under a fresh home and returns its environment.
fn prepare(case: &Value, fixtures: &Value, home: &Path) -> Result<Environment, String> {
    let files = match &case["files"] {
        Value::String(name) => &fixtures[name.as_str()],
        files => files,
    };
    for (relative, content) in files.as_object().cloned().unwrap_or_default() {
        let path = home.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let body = match content {
            Value::String(body) => body,
            json => serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?,
        };
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(env_of(case, Some(home)))
}

fn file_cases(
    doc: &Value,
    prefix: &str,
    resolve: fn(Environment) -> Result<CredentialSource, CredentialsError>,
) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    for case in cases(doc) {
        let mut diffs = Diffs::default();
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let env = prepare(case, &doc["fixtures"], home.path())?;
        scan(&mut diffs, "the environment's Debug", &format!("{env:?}"));
        match (&case["expect"], &case["expect_error"], resolve(env)) {
            (expected, Value::Null, Ok(source)) if !expected.is_null() => {
                scan(&mut diffs, "the source's Debug", &format!("{source:?}"));
                check_subset(&mut diffs, "", &describe(&source), expected);
            }
            (Value::Null, expected, Err(error)) if !expected.is_null() => {
                check_error(&mut diffs, &error, expected)
            }
            (_, _, Ok(source)) => {
                scan(&mut diffs, "the source's Debug", &format!("{source:?}"));
                diffs.note(format!(
                    "expected an error, resolved to {}",
                    source.kind_name()
                ));
            }
            (_, _, Err(error)) => unexpected_error(&mut diffs, &error),
        }
        outcomes.push(CaseOutcome::new(
            format!("{prefix}/{}", name(case)),
            diffs.status(),
        ));
    }
    Ok(outcomes)
}

/// `chain-cases.json`: the whole default chain over a temporary home (ECS metadata disabled,
/// so nothing leaves the machine). `expect.warnings_contain` strings must each appear in one
/// of the credentials' warnings.
fn default_chain(doc: &Value) -> Result<Vec<CaseOutcome>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut outcomes = Vec::new();
    for case in cases(doc) {
        let mut diffs = Diffs::default();
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut case = case.clone();
        case["env"]["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = json!("true");
        let env = prepare(&case, &doc["fixtures"], home.path())?;
        let chain = DefaultChain::builder().environment(env).build();
        let result = runtime.block_on(chain.provide_credentials());
        match (&case["expect"], &case["expect_error"], result) {
            (expected, Value::Null, Ok(creds)) if !expected.is_null() => {
                scan(
                    &mut diffs,
                    "the credentials' Debug/Display",
                    &format!("{creds:?} {creds}"),
                );
                for warning in creds.warnings() {
                    scan(&mut diffs, "a warning", warning);
                }
                let mut wanted = expected.clone();
                let needles = wanted
                    .as_object_mut()
                    .and_then(|o| o.remove("warnings_contain"));
                for needle in needles
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let needle = needle.as_str().unwrap_or_default();
                    if !creds.warnings().iter().any(|w| w.contains(needle)) {
                        diffs.note(format!(
                            "no warning contains {needle:?} (warnings: {:?})",
                            creds.warnings()
                        ));
                    }
                }
                let actual = json!({
                    "access_key_id": creds.access_key_id(),
                    "access_key_secret": creds.access_key_secret(),
                    "security_token": creds.security_token(),
                    "provider_name": creds.provider_name(),
                });
                check_subset(&mut diffs, "", &actual, &wanted);
            }
            (Value::Null, expected, Err(error)) if !expected.is_null() => {
                check_error(&mut diffs, &error, expected)
            }
            (_, _, Ok(creds)) => diffs.note(format!(
                "expected an error, the chain gave {}",
                creds.provider_name()
            )),
            (_, _, Err(error)) => unexpected_error(&mut diffs, &error),
        }
        outcomes.push(CaseOutcome::new(
            format!("chain/{}", name(&case)),
            diffs.status(),
        ));
    }
    Ok(outcomes)
}
