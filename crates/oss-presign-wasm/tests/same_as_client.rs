//! The binding adds nothing: every presign and POST form it makes is what `oss_client::Client`
//! makes for the same inputs, errors included, whatever configuration the cached client held
//! before; and malformed options are refused with a message, never a panic.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use oss_client::credentials::Credentials;
use oss_client::{
    Client, Config, FixedClock, ObjectRequest, PostPolicyRequest, PresignOptions, SignatureVersion,
    SigningTime,
};
use oss_presign_wasm::{abi, presign_json, presign_post_json};
use proptest::prelude::*;
use serde_json::{json, Value};

fn native(
    region: &str,
    version: SignatureVersion,
    at: i64,
    options: &PresignOptions,
    request: &ObjectRequest,
    credentials: &Credentials,
) -> Result<Value, String> {
    let clock = FixedClock::new(SigningTime::from_unix_seconds(at).map_err(|e| e.to_string())?);
    let config = Config::builder()
        .region(region)
        .signature_version(version)
        .clock(clock)
        .build()
        .map_err(|e| e.to_string())?;
    let result = Client::new(config)
        .presign_with_credentials(request, options, credentials)
        .map_err(|e| e.to_string())?;
    let signed: BTreeMap<&str, &str> = result.signed_headers().collect();
    Ok(json!({
        "method": result.method(),
        "url": result.url(),
        "expiration": result.expiration().unix_seconds(),
        "signedHeaders": signed,
    }))
}

fn binding(options: &Value) -> Result<Value, String> {
    presign_json(&options.to_string()).map(|text| serde_json::from_str(&text).unwrap())
}

/// The same through the module's fast export `oss_presign_at`: `signingTime` taken out of the
/// options and passed as the host's clock, the compact answer cut by its UTF-16 lengths (as
/// `js/core.mjs` does) into the JSON shape.
fn compact_binding(options: &Value) -> Result<Value, String> {
    let mut options = options.clone();
    let now = options
        .as_object_mut()
        .and_then(|o| o.remove("signingTime"))
        .and_then(|v| v.as_i64())
        .unwrap();
    let text = options.to_string();
    abi::oss_input(text.len() + 7);
    abi::with_input(|buffer| buffer[..text.len()].copy_from_slice(text.as_bytes()));
    let status = abi::oss_presign_at(text.len(), now as f64);
    decode_compact(status, abi::output())
}

/// The same through a prepared presigner: the options but `key`, `signingTime` and `expires`
/// prepared (`oss_prepare`), then one `oss_presign_prepared` call with those three; the
/// presigner is closed afterwards. `text_time` passes the instant as RFC 3339 text.
fn prepared_binding(options: &Value, text_time: bool) -> Result<Value, String> {
    let mut options = options.clone();
    let o = options.as_object_mut().unwrap();
    let key = o.remove("key").unwrap();
    let at = o.remove("signingTime").and_then(|v| v.as_i64()).unwrap();
    let expires = o.remove("expires").and_then(|v| v.as_i64());
    let text = options.to_string();
    abi::oss_input(text.len());
    abi::with_input(|buffer| buffer.copy_from_slice(text.as_bytes()));
    let handle = abi::oss_prepare();
    if handle == 0 {
        return Err(abi::output());
    }
    let key = key.as_str().unwrap().as_bytes();
    let time = SigningTime::from_unix_seconds(at)
        .map(SigningTime::to_rfc3339)
        .unwrap_or_default();
    abi::oss_key_input(key.len() + time.len());
    abi::with_key_input(|buffer| {
        buffer[..key.len()].copy_from_slice(key);
        buffer[key.len()..key.len() + time.len()].copy_from_slice(time.as_bytes());
    });
    let expires = expires.map_or(f64::NAN, |e| e as f64);
    let status = if text_time && !time.is_empty() {
        abi::oss_presign_prepared(
            handle,
            key.len(),
            time.len() as i32,
            f64::NAN,
            expires,
            f64::NAN,
        )
    } else {
        abi::oss_presign_prepared(handle, key.len(), -1, at as f64, expires, f64::NAN)
    };
    let answer = decode_compact(status, abi::output());
    assert!(abi::oss_unprepare(handle));
    answer
}

/// The compact answer (`EXPIRATION:L1,L2,...;METHODURL...`) cut by its UTF-16 lengths, as
/// `js/core.mjs` does, into the JSON shape; the refusal on an error status.
fn decode_compact(status: u32, answer: String) -> Result<Value, String> {
    if status != abi::STATUS_OK {
        return Err(answer);
    }
    let (head, body) = answer.split_once(';').unwrap();
    let (expiration, lengths) = head.split_once(':').unwrap();
    let units: Vec<u16> = body.encode_utf16().collect();
    let mut at = 0;
    let parts: Vec<String> = lengths
        .split(',')
        .map(|n| {
            let n: usize = n.parse().unwrap();
            at += n;
            String::from_utf16(&units[at - n..at]).unwrap()
        })
        .collect();
    assert_eq!(at, units.len(), "the lengths cover the whole answer");
    let signed: serde_json::Map<String, Value> = parts[2..]
        .chunks(2)
        .map(|pair| (pair[0].clone(), json!(pair[1])))
        .collect();
    Ok(json!({
        "method": parts[0],
        "url": parts[1],
        "expiration": expiration.parse::<i64>().unwrap(),
        "signedHeaders": signed,
    }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn presign_is_the_clients(
        region in prop::sample::select(vec!["cn-hangzhou", "cn-beijing", "us-west-1", "Bad_Region"]),
        v1 in any::<bool>(),
        bucket in prop::sample::select(vec!["examplebucket", "b-1", "-bad", "ab"]),
        key in "[a-zA-Z0-9/ ~!'()*%?&=+\u{4e2d}-]{0,12}",
        method in prop::sample::select(vec!["GET", "put", "HEAD", "POST", "DELETE", "G T", ""]),
        // three days around a UTC midnight: cached signing keys must follow the date
        at in 1_731_369_600i64 - 86_400..1_731_369_600 + 2 * 86_400,
        expires in prop::option::of(0i64..700_000),
        headers in prop::collection::btree_map(
            prop::sample::select(vec!["Content-Type", "x-oss-meta-a", "X-Oss-Meta-A", "Range", "bad name"]),
            "[ -~]{0,6}", 0..4),
        query in prop::collection::btree_map("[a-z-]{0,4}", prop::option::of("[ -~]{0,6}"), 0..3),
        token in prop::option::of("[A-Za-z0-9+/=]{1,10}"),
    ) {
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V4 };
        let mut credentials = Credentials::new("LTAI5tExampleId", "example-secret").unwrap();
        if let Some(t) = &token {
            credentials = credentials.with_security_token(t.as_str());
        }
        let mut request = ObjectRequest::new(method, bucket, key.as_str());
        request.headers = headers.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
        request.parameters = query
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().unwrap_or_default()))
            .collect();
        let mut options = PresignOptions::new();
        if let Some(s) = expires {
            options = options.expires(Duration::from_secs(s.unsigned_abs()));
        }
        let want = native(region, version, at, &options, &request, &credentials);

        let mut input = json!({
            "region": region, "bucket": bucket, "key": key, "method": method,
            "accessKeyId": "LTAI5tExampleId", "accessKeySecret": "example-secret",
            "signingTime": at, "headers": headers, "query": query,
            "signatureVersion": if v1 { "v1" } else { "v4" },
        });
        if let Some(s) = expires {
            input["expires"] = json!(s);
        }
        if let Some(t) = &token {
            input["securityToken"] = json!(t);
        }
        prop_assert_eq!(compact_binding(&input), want.clone());
        prop_assert_eq!(prepared_binding(&input, false), want.clone());
        prop_assert_eq!(prepared_binding(&input, true), want.clone());
        prop_assert_eq!(binding(&input), want);
    }

    #[test]
    fn an_absolute_expiration_is_the_clients(at in 1_700_000_000i64..1_800_000_000, ahead in -100i64..800_000) {
        let credentials = Credentials::new("ak", "sk").unwrap();
        let until = at + ahead;
        let options = PresignOptions::new().expiration(UNIX_EPOCH + Duration::from_secs(until.unsigned_abs()));
        let request = ObjectRequest::new("GET", "examplebucket", "k");
        let want = native("cn-hangzhou", SignatureVersion::V4, at, &options, &request, &credentials);
        let input = json!({"region": "cn-hangzhou", "bucket": "examplebucket", "key": "k",
            "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": at, "expiration": until,
            "expires": 60});
        prop_assert_eq!(binding(&input), want);
    }
}

#[test]
fn post_forms_are_the_clients() {
    let at = SigningTime::parse_rfc3339("2024-11-12T09:27:56Z").unwrap();
    let credentials = Credentials::new("ak", "sk")
        .unwrap()
        .with_security_token("token");
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .clock(FixedClock::new(at))
            .build()
            .unwrap(),
    );
    let request = PostPolicyRequest::new("examplebucket")
        .key_prefix("user/42/")
        .expires(Duration::from_secs(600))
        .content_length_range(1, 1 << 20)
        .content_type("image/png")
        .meta("owner", "alice")
        .success_action_status(201)
        .condition(oss_client::Condition::one_of(
            "content-type",
            ["image/png", "image/jpeg"],
        ))
        .condition(oss_client::Condition::starts_with("cache-control", "no"))
        .condition(oss_client::Condition::exact("x-oss-meta-owner", "alice"));
    let form = client
        .presign_post_with_credentials(&request, &credentials)
        .unwrap();
    let out = presign_post_json(
        &json!({
            "region": "cn-hangzhou", "bucket": "examplebucket", "keyPrefix": "user/42/",
            "accessKeyId": "ak", "accessKeySecret": "sk", "securityToken": "token",
            "expires": 600, "contentLengthRange": [1, 1 << 20], "contentType": "image/png",
            "meta": {"owner": "alice"}, "successActionStatus": 201,
            "conditions": [["in", "$content-type", ["image/png", "image/jpeg"]],
                           ["starts-with", "$cache-control", "no"],
                           {"x-oss-meta-owner": "alice"}],
            "signingTime": "2024-11-12T09:27:56Z"
        })
        .to_string(),
    )
    .unwrap();
    let got: Value = serde_json::from_str(&out).unwrap();
    let fields: Vec<(String, String)> = serde_json::from_value(got["fields"].clone()).unwrap();
    assert_eq!(fields, form.fields());
    assert_eq!(got["policy"], form.policy_json());
    assert_eq!(got["url"], form.url());
    assert_eq!(got["expiration"], form.expiration().unix_seconds());

    // A verbatim document is signed byte for byte.
    let document =
        r#"{"expiration":"2024-11-12T10:00:00.000Z","conditions":[{"bucket":"examplebucket"}]}"#;
    let native = client
        .presign_post_with_credentials(
            &PostPolicyRequest::verbatim("examplebucket", document),
            &credentials,
        )
        .unwrap();
    let out = presign_post_json(
        &json!({"region": "cn-hangzhou", "bucket": "examplebucket", "policy": document,
            "accessKeyId": "ak", "accessKeySecret": "sk", "securityToken": "token",
            "signingTime": "2024-11-12T09:27:56Z"})
        .to_string(),
    )
    .unwrap();
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(got["policy"], document);
    let fields: Vec<(String, String)> = serde_json::from_value(got["fields"].clone()).unwrap();
    assert_eq!(fields, native.fields());
}

#[test]
fn typed_operations_sign_what_the_typed_requests_sign() {
    let base = json!({"region": "cn-hangzhou", "bucket": "examplebucket", "key": "big.bin",
        "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": 1_731_403_676});
    let with = |extra: Value| {
        let mut o = base.clone();
        o.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        binding(&o)
    };
    let part = with(json!({"op": "upload-part", "uploadId": "UP1", "partNumber": 3})).unwrap();
    assert_eq!(part["method"], "PUT");
    let url = part["url"].as_str().unwrap();
    assert!(
        url.contains("partNumber=3") && url.contains("uploadId=UP1"),
        "{url}"
    );
    let init = with(json!({"op": "initiate-multipart"})).unwrap();
    assert_eq!(init["method"], "POST");
    assert!(init["url"].as_str().unwrap().contains("?uploads&"));
    assert_eq!(
        with(json!({"op": "abort-multipart", "uploadId": "U"})).unwrap()["method"],
        "DELETE"
    );
    for (extra, fragment) in [
        (json!({"op": "upload-part"}), "needs partNumber"),
        (
            json!({"op": "complete-multipart"}),
            "complete-multipart needs uploadId",
        ),
        (
            json!({"op": "get", "method": "PUT"}),
            "give method or op, not both",
        ),
        (
            json!({"op": "get", "partNumber": 1}),
            "partNumber is only for op upload-part",
        ),
        (
            json!({"uploadId": "U"}),
            "uploadId and partNumber are for op",
        ),
        (json!({"op": "list"}), "op \"list\" is not known"),
    ] {
        let err = with(extra.clone()).unwrap_err();
        assert!(
            err.starts_with("invalid request: ") && err.contains(fragment),
            "{extra}: {err}"
        );
    }
}

#[test]
fn malformed_options_are_refused_with_a_message() {
    let cases: [(&str, &str); 10] = [
        ("", "the presign options are malformed: not valid JSON"),
        (
            "\"text\"",
            "the presign options are malformed: invalid type: string",
        ),
        (
            r#"{"bucket": "b", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "expire": 5}"#,
            "unknown field `expire`",
        ),
        (
            r#"{"bucket": "b", "key": "k", "accessKeyId": "a", "accessKeySecret": "s"}"#,
            "signingTime is missing",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": "yesterday"}"#,
            "signingTime \"yesterday\" is not YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 1.5}"#,
            "signingTime 1.5 is not a whole number",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0, "expires": -1}"#,
            "invalid expiry: expires -1 is negative",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0, "expiration": -5}"#,
            "invalid expiry: expiration -5 is before 1970",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": " ", "accessKeySecret": "s", "signingTime": 0}"#,
            "credentials error: the credentials are unusable",
        ),
        (
            r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0, "signatureVersion": "v2"}"#,
            "signatureVersion \"v2\" is not supported",
        ),
    ];
    for (input, fragment) in cases {
        let err = presign_json(input).unwrap_err();
        assert!(err.contains(fragment), "{input}: {err}");
        assert!(!err.contains(" at line "), "{err}");
    }
    let err = presign_post_json(r#"{"bucket": "b", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0, "conditions": [["eq", "key", "x"]]}"#).unwrap_err();
    assert!(
        err.contains("condition [\"eq\",\"key\",\"x\"] is not one of"),
        "{err}"
    );
    let err = presign_post_json(r#"{"region": "cn-hangzhou", "bucket": "bucket", "key": "a", "keyPrefix": "b", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0}"#).unwrap_err();
    assert!(err.contains("give key or keyPrefix, not both"), "{err}");
}

#[test]
fn errors_never_carry_the_secret() {
    for input in [
        json!({"region": "cn-hangzhou", "bucket": "-", "key": "k", "accessKeyId": "a",
            "accessKeySecret": "TOPSECRET-1", "securityToken": "TOPSECRET-2", "signingTime": 0}),
        json!({"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a",
            "accessKeySecret": "TOPSECRET-1", "securityToken": "TOPSECRET-2", "signingTime": 0,
            "expires": 9_999_999}),
        json!({"region": "cn-hangzhou", "bucket": "bucket", "key": "k", "accessKeyId": "a",
            "accessKeySecret": "TOPSECRET-1", "bogus": "x", "signingTime": 0}),
    ] {
        let err = presign_json(&input.to_string()).unwrap_err();
        assert!(!err.contains("TOPSECRET"), "{err}");
    }
}

/// The options' reader (`oss-sign-core`'s `json::Grammar::Document`): a repeated name's last
/// value counts, numbers that are not integers are quoted as written, and integers beyond
/// `i64` are still integers.
#[test]
fn options_json_reads_like_a_map_and_quotes_numbers_as_written() {
    let base = r#""region": "cn-hangzhou", "key": "k", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 1731403676"#;
    let out = presign_json(&format!(
        r#"{{"bucket": "first", {base}, "bucket": "examplebucket"}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.contains("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k?"),
        "{out}"
    );
    for (value, expected) in [
        (
            "1.50",
            "invalid type for `bucket`: floating point 1.50, expected a string",
        ),
        (
            "-2e3",
            "invalid type for `bucket`: floating point -2e3, expected a string",
        ),
        (
            "18446744073709551615",
            "invalid type for `bucket`: integer 18446744073709551615, expected a string",
        ),
        (
            "-9223372036854775808",
            "invalid type for `bucket`: integer -9223372036854775808, expected a string",
        ),
        (
            r#"{"b": 1, "a": [true, null]}"#,
            "invalid type for `bucket`: an object, expected a string",
        ),
    ] {
        let err = presign_json(&format!(r#"{{"bucket": {value}, {base}}}"#)).unwrap_err();
        assert_eq!(
            err,
            format!("invalid request: the presign options are malformed: {expected}")
        );
    }
    let err = presign_json(&format!(r#"{{"bucket": "b", {base}, "expires": 1.5}}"#)).unwrap_err();
    assert_eq!(
        err,
        "invalid expiry: expires 1.5 is not a whole number of seconds"
    );
    let err = presign_post_json(r#"{"bucket": "b", "accessKeyId": "a", "accessKeySecret": "s", "signingTime": 0, "conditions": [{"z": "1", "a": 2}]}"#).unwrap_err();
    assert!(
        err.contains(r#"condition {"a":2,"z":"1"} is not one of"#),
        "{err}"
    );
}

#[test]
fn an_unknown_option_is_refused_with_every_known_name() {
    // The whole message: each known name in backquotes, in the order the crate lists them,
    // separated by ", " (written by a loop, not `join`).
    let err = oss_presign_wasm::presign_json(r#"{"expire": 5}"#).unwrap_err();
    let names: Vec<String> = oss_presign_wasm::PRESIGN_OPTION_NAMES
        .iter()
        .map(|name| format!("`{name}`"))
        .collect();
    let expected = format!(
        "unknown field `expire`, expected one of {}",
        names.join(", ")
    );
    assert!(
        err.ends_with(&expected),
        "{err}\nexpected the end: {expected}"
    );
    assert!(
        names.len() > 10 && err.contains("`accessKeyId`, `accessKeySecret`"),
        "{err}"
    );
}
