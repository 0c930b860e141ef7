//! Table test of endpoint resolution over `conformance/client/endpoint-cases.json`: every
//! combination of the endpoint options of the spec, checked on the resolved endpoint and on a
//! URL actually presigned through the client.

mod common_cases;

use common_cases::{kind_name, read_cases};
use oss_client::{
    Client, Config, EndpointKind, FixedClock, GetObjectRequest, PresignOptions, SignatureVersion,
    SigningTime, UrlStyle,
};
use oss_credentials::Credentials;
use serde_json::Value;

fn builder(config: &Value) -> oss_client::ConfigBuilder {
    let flag = |name: &str| config[name].as_bool().unwrap_or(false);
    let mut b = Config::builder()
        .use_internal_endpoint(flag("use_internal_endpoint"))
        .use_accelerate_endpoint(flag("use_accelerate_endpoint"))
        .use_dualstack_endpoint(flag("use_dualstack_endpoint"))
        .use_cname(flag("use_cname"))
        .use_path_style(flag("use_path_style"))
        .disable_ssl(flag("disable_ssl"))
        .auto_detect_cloud_box_id(flag("auto_detect_cloud_box_id"))
        .clock(FixedClock::new(
            SigningTime::parse_rfc3339("2024-11-12T09:27:56Z").expect("time"),
        ));
    if let Some(region) = config["region"].as_str() {
        b = b.region(region);
    }
    if let Some(endpoint) = config["endpoint"].as_str() {
        b = b.endpoint(endpoint);
    }
    if let Some(id) = config["cloud_box_id"].as_str() {
        b = b.cloud_box_id(id);
    }
    if config["signature_version"] == "v1" {
        b = b.signature_version(SignatureVersion::V1);
    }
    b
}

fn style_name(style: UrlStyle) -> &'static str {
    match style {
        UrlStyle::VirtualHosted => "virtual-hosted",
        UrlStyle::Path => "path",
        UrlStyle::Cname => "cname",
        _ => "other",
    }
}

fn kind_of(kind: EndpointKind) -> &'static str {
    match kind {
        EndpointKind::Public => "public",
        EndpointKind::Internal => "internal",
        EndpointKind::DualStack => "dual-stack",
        EndpointKind::Accelerate => "accelerate",
        EndpointKind::Custom => "custom",
        _ => "other",
    }
}

#[test]
fn every_endpoint_case_resolves_as_the_spec_says() {
    let cases = read_cases("endpoint-cases.json");
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let credentials = Credentials::new("LTAI5tExampleAccessKeyId", "secret").expect("creds");
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or_default();
        let expect = &case["expect"];
        let built = builder(&case["config"]).build();
        if let Some(kind) = expect["error"].as_str() {
            match built {
                Ok(config) => failures.push(format!("{id}: expected {kind}, got {config:?}")),
                Err(err) => {
                    let fragment = expect["message_contains"].as_str().unwrap_or_default();
                    if kind_name(err.kind()) != kind || !err.to_string().contains(fragment) {
                        failures.push(format!(
                            "{id}: expected {kind} with {fragment:?}, got {err}"
                        ));
                    }
                }
            }
            continue;
        }
        let config = match built {
            Ok(config) => config,
            Err(err) => {
                failures.push(format!("{id}: {err}"));
                continue;
            }
        };
        let e = config.endpoint();
        let bucket = case["bucket"].as_str().unwrap_or_default();
        let key = case["key"].as_str().unwrap_or_default();
        let got = serde_json::json!({
            "scheme": e.scheme().as_str(),
            "authority": e.authority(),
            "kind": kind_of(e.kind()),
            "style": style_name(e.style()),
            "url": e.object_url(bucket, key),
            "signing_region": e.signing_region(),
            "product": e.product(),
        });
        if &got != expect {
            failures.push(format!("{id}: got {got}, want {expect}"));
            continue;
        }
        // The same URL comes out of a real presign, with the scope of the case.
        let version = config.signature_version();
        let client = Client::new(config);
        let request = GetObjectRequest::new(bucket, key);
        match client.presign_with_credentials(&request, &PresignOptions::new(), &credentials) {
            Ok(result) => {
                let url = result.url();
                let want_prefix = format!("{}?", expect["url"].as_str().unwrap_or_default());
                let scope = format!(
                    "%2F20241112%2F{}%2F{}%2Faliyun_v4_request",
                    expect["signing_region"].as_str().unwrap_or_default(),
                    expect["product"].as_str().unwrap_or_default()
                );
                let scope_ok = version == SignatureVersion::V1 || url.contains(&scope);
                if !url.starts_with(&want_prefix) || !scope_ok {
                    failures.push(format!("{id}: presigned {url}"));
                }
            }
            Err(err) => failures.push(format!("{id}: presign failed: {err}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn region_and_endpoint_come_from_the_environment_unless_set() {
    let env = |name: &str| match name {
        "OSS_REGION" => Some("cn-shanghai".to_string()),
        "OSS_ENDPOINT" => Some("http://127.0.0.1:9000".to_string()),
        _ => None,
    };
    let config = Config::builder()
        .load_env_from(env)
        .build()
        .expect("config");
    assert_eq!(config.region(), Some("cn-shanghai"));
    assert_eq!(config.endpoint().authority(), "127.0.0.1:9000");
    assert_eq!(config.endpoint().style(), UrlStyle::Path);

    let config = Config::builder()
        .region("cn-beijing")
        .load_env_from(env)
        .build()
        .expect("config");
    assert_eq!(config.region(), Some("cn-beijing"));
    assert_eq!(config.endpoint().signing_region(), "cn-beijing");

    let empty = |_: &str| Some("  ".to_string());
    let err = Config::builder().load_env_from(empty).build().unwrap_err();
    assert_eq!(kind_name(err.kind()), "invalid_config");
    assert!(err.to_string().contains("OSS_REGION"), "{err}");
}
