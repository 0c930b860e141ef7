//! Suite `client`, three kinds of case file (any of them may be absent from a `--dir` folder):
//!
//! * `presign-cases.json` with `presign-expected.json` (the published format, see
//!   `conformance/client/FORMAT.md`), run through `oss_cli::batch`, and compared under the
//!   rule of FORMAT.md: scheme, host with port, raw path and fragment byte-identical; the sorted
//!   raw query pairs identical; `method`, `expiration` and `signed_headers` equal. `any` cases
//!   are recorded as skipped with their note; an `unsupported` or missing result fails. A case
//!   whose `expect.signature` is fixed by an SDK unit test or the documentation must carry it.
//! * `endpoint-cases.json`: a configuration, a bucket and key, and the resolved endpoint
//!   (scheme, authority, kind, style, object URL, signing region, product) or the configuration
//!   error (kind and a message fragment); the URL is also checked on a real presign.
//! * `validation-cases.json`: a field (`bucket`, `key`, `key_v1`, `region`, `method`) and a
//!   value (or `{"repeat", "times"}`), valid or refused with an error kind, the field it names and
//!   message fragments; checked through the validators and through real presigns.

use super::case::{read_json, CaseOutcome, Status};
use super::compare::Diffs;
use oss_client::{
    validation, Client, Config, ConfigBuilder, EndpointKind, ErrorKind, FixedClock,
    GetObjectRequest, ObjectRequest, PresignOptions, SignatureVersion, SigningTime, UrlStyle,
};
use oss_credentials::Credentials;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let mut outcomes = Vec::new();
    let cases_path = dir.join("presign-cases.json");
    if cases_path.exists() {
        outcomes.extend(presign(dir)?);
    }
    let endpoint_path = dir.join("endpoint-cases.json");
    if endpoint_path.exists() {
        outcomes.extend(endpoints(&endpoint_path)?);
    }
    let validation_path = dir.join("validation-cases.json");
    if validation_path.exists() {
        outcomes.extend(validations(&validation_path)?);
    }
    Ok(outcomes)
}

fn array(path: &Path) -> Result<Vec<Value>, String> {
    match read_json(path)? {
        Value::Array(items) => Ok(items),
        _ => Err(format!("{} must be a JSON array", path.display())),
    }
}

/// The snake_case name the case files use for an error kind.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidBucketName => "invalid_bucket_name",
        ErrorKind::InvalidObjectKey => "invalid_object_key",
        ErrorKind::InvalidRegion => "invalid_region",
        ErrorKind::InvalidEndpoint => "invalid_endpoint",
        ErrorKind::InvalidExpiry => "invalid_expiry",
        ErrorKind::InvalidRequest => "invalid_request",
        ErrorKind::InvalidConfig => "invalid_config",
        ErrorKind::Credentials => "credentials",
        ErrorKind::Signing => "signing",
        _ => "other",
    }
}

fn test_credentials() -> Result<Credentials, String> {
    Credentials::new("LTAI5tExampleAccessKeyId", "conformance-secret").map_err(|e| e.to_string())
}

fn config_builder(config: &Value) -> ConfigBuilder {
    let flag = |name: &str| config[name].as_bool().unwrap_or(false);
    let at = SigningTime::from_unix_seconds(1_731_403_676).unwrap_or_else(|_| unreachable!());
    let mut builder = Config::builder()
        .use_internal_endpoint(flag("use_internal_endpoint"))
        .use_accelerate_endpoint(flag("use_accelerate_endpoint"))
        .use_dualstack_endpoint(flag("use_dualstack_endpoint"))
        .use_cname(flag("use_cname"))
        .use_path_style(flag("use_path_style"))
        .disable_ssl(flag("disable_ssl"))
        .auto_detect_cloud_box_id(flag("auto_detect_cloud_box_id"))
        .clock(FixedClock::new(at));
    if let Some(region) = config["region"].as_str() {
        builder = builder.region(region);
    }
    if let Some(endpoint) = config["endpoint"].as_str() {
        builder = builder.endpoint(endpoint);
    }
    if let Some(id) = config["cloud_box_id"].as_str() {
        builder = builder.cloud_box_id(id);
    }
    if config["signature_version"] == "v1" {
        builder = builder.signature_version(SignatureVersion::V1);
    }
    builder
}

fn style_name(style: UrlStyle) -> &'static str {
    match style {
        UrlStyle::VirtualHosted => "virtual-hosted",
        UrlStyle::Path => "path",
        UrlStyle::Cname => "cname",
        _ => "other",
    }
}

fn endpoint_kind_name(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Public => "public",
        EndpointKind::Internal => "internal",
        EndpointKind::DualStack => "dual-stack",
        EndpointKind::Accelerate => "accelerate",
        EndpointKind::Custom => "custom",
        _ => "other",
    }
}

fn endpoints(path: &Path) -> Result<Vec<CaseOutcome>, String> {
    let credentials = test_credentials()?;
    let mut outcomes = Vec::new();
    for case in array(path)? {
        let id = format!("endpoint/{}", case["id"].as_str().unwrap_or("<no id>"));
        let expect = &case["expect"];
        let mut diffs = Diffs::default();
        match (
            config_builder(&case["config"]).build(),
            expect["error"].as_str(),
        ) {
            (Ok(config), Some(kind)) => {
                diffs.note(format!(
                    "expected a {kind} error, got the endpoint {}",
                    config.endpoint().authority()
                ));
            }
            (Err(err), Some(kind)) => {
                diffs.check("error kind", kind, kind_name(err.kind()));
                let fragment = expect["message_contains"].as_str().unwrap_or_default();
                if !err.to_string().contains(fragment) {
                    diffs.note(format!(
                        "the message {:?} lacks {fragment:?}",
                        err.to_string()
                    ));
                }
            }
            (Err(err), None) => diffs.note(format!("expected an endpoint, got the error: {err}")),
            (Ok(config), None) => {
                let e = config.endpoint();
                let bucket = case["bucket"].as_str().unwrap_or_default();
                let key = case["key"].as_str().unwrap_or_default();
                let field = |name: &str| expect[name].as_str().unwrap_or("<absent>").to_string();
                diffs.check("scheme", &field("scheme"), e.scheme().as_str());
                diffs.check("authority", &field("authority"), e.authority());
                diffs.check("kind", &field("kind"), endpoint_kind_name(e.kind()));
                diffs.check("style", &field("style"), style_name(e.style()));
                diffs.check("url", &field("url"), &e.object_url(bucket, key));
                diffs.check(
                    "signing_region",
                    &field("signing_region"),
                    e.signing_region(),
                );
                diffs.check("product", &field("product"), e.product());
                let client = Client::new(config);
                match client.presign_with_credentials(
                    &GetObjectRequest::new(bucket, key),
                    &PresignOptions::new(),
                    &credentials,
                ) {
                    Ok(result) => {
                        let url = result.url();
                        let want = format!("{}?", field("url"));
                        if !url.starts_with(&want) {
                            diffs.note(format!(
                                "the presigned URL {url} does not start with {want}"
                            ));
                        }
                    }
                    Err(err) => {
                        diffs.note(format!("presigning through this endpoint failed: {err}"))
                    }
                }
            }
        }
        outcomes.push(CaseOutcome::new(id, diffs.status()));
    }
    Ok(outcomes)
}

/// A string value, or `{"repeat": s, "times": n}`.
fn text_value(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Object(o) => {
            let unit = o
                .get("repeat")
                .and_then(Value::as_str)
                .ok_or("`repeat` must be a string")?;
            let times = o
                .get("times")
                .and_then(Value::as_u64)
                .ok_or("`times` must be a number")?;
            Ok(unit.repeat(usize::try_from(times).map_err(|e| e.to_string())?))
        }
        other => Err(format!(
            "{other} is neither a string nor {{\"repeat\", \"times\"}}"
        )),
    }
}

fn validations(path: &Path) -> Result<Vec<CaseOutcome>, String> {
    let credentials = test_credentials()?;
    let client = |version| {
        Config::builder()
            .region("cn-hangzhou")
            .signature_version(version)
            .build()
            .map(Client::new)
            .map_err(|e| e.to_string())
    };
    let (v4, v1) = (client(SignatureVersion::V4)?, client(SignatureVersion::V1)?);
    let presign = |client: &Client, request: &ObjectRequest| {
        client
            .presign_with_credentials(request, &PresignOptions::new(), &credentials)
            .map(drop)
    };
    let mut outcomes = Vec::new();
    for case in array(path)? {
        let id = format!("validation/{}", case["id"].as_str().unwrap_or("<no id>"));
        let mut diffs = Diffs::default();
        let value = text_value(&case["value"])?;
        let field = case["field"].as_str().unwrap_or_default();
        let results: Vec<(&str, Result<(), oss_client::Error>)> = match field {
            "bucket" => vec![
                (
                    "validate_bucket_name",
                    validation::validate_bucket_name(&value),
                ),
                (
                    "V4 presign",
                    presign(&v4, &ObjectRequest::new("GET", value.as_str(), "k")),
                ),
                (
                    "V1 presign",
                    presign(&v1, &ObjectRequest::new("GET", value.as_str(), "k")),
                ),
            ],
            "key" => vec![
                (
                    "validate_object_key",
                    validation::validate_object_key(&value),
                ),
                (
                    "V4 presign",
                    presign(
                        &v4,
                        &ObjectRequest::new("GET", "examplebucket", value.as_str()),
                    ),
                ),
            ],
            "key_v1" => vec![(
                "V1 presign",
                presign(
                    &v1,
                    &ObjectRequest::new("GET", "examplebucket", value.as_str()),
                ),
            )],
            "region" => vec![
                ("validate_region", validation::validate_region(&value)),
                (
                    "config",
                    Config::builder().region(value.as_str()).build().map(drop),
                ),
            ],
            "method" => vec![(
                "V4 presign",
                presign(
                    &v4,
                    &ObjectRequest::new(value.as_str(), "examplebucket", "k"),
                ),
            )],
            other => {
                outcomes.push(CaseOutcome::new(
                    id,
                    Status::Failed(format!("unknown field {other:?}")),
                ));
                continue;
            }
        };
        let valid = case["valid"].as_bool().unwrap_or(false);
        for (via, result) in results {
            match (valid, result) {
                (true, Ok(())) => {}
                (true, Err(err)) => diffs.note(format!("{via}: expected valid, got: {err}")),
                (false, Ok(())) => diffs.note(format!("{via}: expected a refusal, got none")),
                (false, Err(err)) => {
                    let message = err.to_string();
                    diffs.check(
                        &format!("{via}: error kind"),
                        case["kind"].as_str().unwrap_or_default(),
                        kind_name(err.kind()),
                    );
                    diffs.check(
                        &format!("{via}: field"),
                        field.trim_end_matches("_v1"),
                        err.field().unwrap_or("<none>"),
                    );
                    for fragment in case["message_contains"].as_array().into_iter().flatten() {
                        let fragment = fragment.as_str().unwrap_or_default();
                        if !message.contains(fragment) {
                            diffs
                                .note(format!("{via}: the message {message:?} lacks {fragment:?}"));
                        }
                    }
                }
            }
        }
        outcomes.push(CaseOutcome::new(id, diffs.status()));
    }
    Ok(outcomes)
}

fn presign(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    let (cases, expected) = read_presign_cases(dir)?;
    let results = native_results(&cases)?;
    Ok(judge(&cases, &expected, &results, "presign/"))
}

/// `presign-cases.json` and `presign-expected.json` of `dir`.
pub(crate) fn read_presign_cases(dir: &Path) -> Result<(Vec<Value>, Vec<Value>), String> {
    let cases = array(&dir.join("presign-cases.json"))?;
    let expected = array(&dir.join("presign-expected.json"))?;
    Ok((cases, expected))
}

/// The native results (`oss_cli::batch`, what `oss-presign batch` prints) by case id.
pub(crate) fn native_results(cases: &[Value]) -> Result<BTreeMap<String, Value>, String> {
    let mut by_id = BTreeMap::new();
    for result in oss_cli::batch::run_values(cases) {
        let value = serde_json::to_value(&result).map_err(|e| e.to_string())?;
        if let Some(id) = value["id"].as_str() {
            by_id.insert(id.to_string(), value);
        }
    }
    Ok(by_id)
}

/// Every expectation checked against the results by id (FORMAT.md's rule), plus the
/// signatures fixed outside the SDKs; outcome ids are `prefix` + case id.
pub(crate) fn judge(
    cases: &[Value],
    expected: &[Value],
    by_id: &BTreeMap<String, Value>,
    prefix: &str,
) -> Vec<CaseOutcome> {
    let fixed: BTreeMap<&str, &str> = cases
        .iter()
        .filter_map(|c| Some((c["id"].as_str()?, c["expect"]["signature"].as_str()?)))
        .collect();
    let mut outcomes = Vec::new();
    for expectation in expected {
        let id = expectation["id"].as_str().unwrap_or("<no id>").to_string();
        let mut status = match by_id.get(&id) {
            None => Status::Failed("no result for this case".into()),
            Some(result) => compare(result, expectation),
        };
        // A case may also carry a signature fixed by an SDK unit test or the documentation.
        if let (Status::Passed, Some(signature), Some(result)) =
            (&status, fixed.get(id.as_str()), by_id.get(&id))
        {
            status = check_fixed_signature(result, signature);
        }
        outcomes.push(CaseOutcome::new(format!("{prefix}{id}"), status));
    }
    outcomes
}

/// The URL must carry `signature` (V4 hex, or V1 base64 written with `%2B %2F %3D`).
fn check_fixed_signature(result: &Value, signature: &str) -> Status {
    let url = result["url"].as_str().unwrap_or_default();
    let encoded = oss_sign_core::encoding::uri_encode(signature, false);
    let carried = super::compare::sorted_query_pairs(url)
        .into_iter()
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "x-oss-signature" || *name == "Signature")
        .map(|(_, value)| value.to_string())
        .unwrap_or_default();
    let mut diffs = Diffs::default();
    diffs.check("fixed signature (case `expect`)", &encoded, &carried);
    diffs.status()
}

/// scheme, host with port, raw path, fragment, sorted query pairs.
fn cut(url: &str) -> Option<(&str, &str, &str, &str, Vec<&str>)> {
    let (scheme, rest) = url.split_once("://")?;
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    Some((scheme, host, path, fragment, pairs))
}

fn compare(result: &Value, expected: &Value) -> Status {
    if let Some(reason) = result.get("unsupported") {
        return Status::Failed(format!("the library could not express the case: {reason}"));
    }
    match expected["outcome"].as_str() {
        Some("any") => Status::Skipped(format!(
            "outcome `any` (recorded, not checked): {}; ours: {}",
            expected["note"].as_str().unwrap_or(""),
            result
                .get("url")
                .or_else(|| result.get("error"))
                .map(Value::to_string)
                .unwrap_or_default()
        )),
        Some("error") => match result.get("error") {
            Some(Value::String(_)) => Status::Passed,
            _ => Status::Failed(format!(
                "expected a refusal, got a URL: {}",
                result["url"].as_str().unwrap_or("?")
            )),
        },
        Some("url") => {
            let mut diffs = Diffs::default();
            let (Some(got_url), Some(want_url)) =
                (result["url"].as_str(), expected["url"].as_str())
            else {
                return Status::Failed(format!(
                    "expected a URL, got {}",
                    result
                        .get("error")
                        .map(Value::to_string)
                        .unwrap_or_else(|| result.to_string())
                ));
            };
            match (cut(got_url), cut(want_url)) {
                (Some(got), Some(want)) => {
                    diffs.check("scheme", want.0, got.0);
                    diffs.check("host", want.1, got.1);
                    diffs.check("path", want.2, got.2);
                    diffs.check("fragment", want.3, got.3);
                    diffs.check(
                        "query (sorted raw pairs)",
                        &want.4.join("\n"),
                        &got.4.join("\n"),
                    );
                }
                _ => diffs.note(format!(
                    "cannot cut the URLs:\n  expected {want_url}\n  actual   {got_url}"
                )),
            }
            for field in ["method", "expiration"] {
                diffs.check(
                    field,
                    expected[field].as_str().unwrap_or("<absent>"),
                    result[field].as_str().unwrap_or("<absent>"),
                );
            }
            diffs.check(
                "signed_headers",
                &expected["signed_headers"].to_string(),
                &result["signed_headers"].to_string(),
            );
            diffs.status()
        }
        other => Status::Failed(format!("unknown expected outcome {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_comparison_rule_is_strict_where_format_md_says_so() {
        let want = json!({
            "outcome": "url", "method": "GET", "expiration": "2024-11-12T09:42:56Z",
            "signed_headers": {}, "url": "https://b.h/k%21?a=1&uploads&z=2"
        });
        let ok = json!({
            "method": "GET", "expiration": "2024-11-12T09:42:56Z", "signed_headers": {},
            "url": "https://b.h/k%21?z=2&a=1&uploads"
        });
        assert_eq!(compare(&ok, &want), Status::Passed);
        for bad_url in [
            "https://b.h/k!?a=1&uploads&z=2",
            "https://b.h/k%21?a=1&uploads=&z=2",
            "http://b.h/k%21?a=1&uploads&z=2",
            "https://B.h/k%21?a=1&uploads&z=2",
            "https://b.h/k%21?a=1&uploads&z=2#f",
        ] {
            let mut bad = ok.clone();
            bad["url"] = bad_url.into();
            assert_ne!(compare(&bad, &want), Status::Passed, "{bad_url}");
        }
        let mut bad = ok.clone();
        bad["signed_headers"] = json!({"x-oss-a": "1"});
        assert_ne!(compare(&bad, &want), Status::Passed);
        let error_want = json!({"outcome": "error"});
        assert_ne!(compare(&ok, &error_want), Status::Passed);
        assert_eq!(compare(&json!({"error": "x"}), &error_want), Status::Passed);
        assert_ne!(
            compare(&json!({"unsupported": "x"}), &error_want),
            Status::Passed
        );
    }

    #[test]
    fn fixed_signatures_are_compared_encoded() {
        let result = json!({"url": "https://h/k?Expires=1&Signature=ab%2Bc%3D"});
        assert_eq!(check_fixed_signature(&result, "ab+c="), Status::Passed);
        assert_ne!(check_fixed_signature(&result, "ab+d="), Status::Passed);
    }
}
