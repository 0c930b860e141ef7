//! `presignPost()`: the options of a V4 POST policy, as JSON, to the signed form.

use oss_client::{Condition, ErrorKind, PostPolicyForm, PostPolicyRequest};

use crate::client_cache::with_client;
use crate::input::{option_names, presign_options, signing_time, ClientSettings, Keys, Refusal};
use crate::json::{as_array, as_str, as_u64, string_literal, text, Fields, Value};

/// The option names of `presignPost()` (camelCase, as `js/index.mjs` takes them). Unknown
/// names are refused.
///
/// ```
/// assert!(oss_presign_wasm::PRESIGN_POST_OPTION_NAMES.contains(&"contentLengthRange"));
/// let refused = oss_presign_wasm::presign_post_json(r#"{"keyPrefx": "a/"}"#).unwrap_err();
/// assert!(refused.contains("keyPrefx"), "{refused}");
/// ```
pub const PRESIGN_POST_OPTION_NAMES: &[&str] = option_names![
    "region",
    "bucket",
    "key",
    "keyPrefix",
    "accessKeyId",
    "accessKeySecret",
    "securityToken",
    "expires",
    "expiration",
    "contentLengthRange",
    "contentType",
    "meta",
    "successActionStatus",
    "conditions",
    "policy";
    "signingTime",
];

/// The POST-policy options.
#[derive(Debug, Default)]
struct PostInput {
    bucket: String,
    key: Option<String>,
    key_prefix: Option<String>,
    keys: Keys,
    expires: Option<Value>,
    expiration: Option<Value>,
    content_length_range: Option<(u64, u64)>,
    content_type: Option<String>,
    meta: Vec<(String, String)>,
    success_action_status: Option<u16>,
    conditions: Vec<Value>,
    /// A policy document signed byte for byte (`PostPolicyRequest::verbatim`).
    policy: Option<String>,
    /// The region and endpoint options.
    settings: ClientSettings,
    signing_time: Option<Value>,
}

fn read(options: &str) -> Result<PostInput, Refusal> {
    let mut f = Fields::parse(options, "presignPost", PRESIGN_POST_OPTION_NAMES)?;
    let malformed = |name: &str, value: &Value, expected: &str| {
        Refusal::new(
            ErrorKind::InvalidRequest,
            format!(
                "the presignPost options are malformed: invalid type for `{name}`: {}, expected {expected}",
                text(value)
            ),
        )
    };
    let content_length_range = match f.value("contentLengthRange") {
        None => None,
        Some(Value::Array(pair)) => match pair.as_slice() {
            [min, max] if as_u64(min).is_some() && as_u64(max).is_some() => {
                as_u64(min).zip(as_u64(max))
            }
            _ => {
                return Err(malformed(
                    "contentLengthRange",
                    &Value::Array(pair),
                    "[min, max] (whole numbers)",
                ))
            }
        },
        Some(other) => {
            return Err(malformed(
                "contentLengthRange",
                &other,
                "[min, max] (whole numbers)",
            ))
        }
    };
    let conditions = match f.value("conditions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.into_iter().collect(),
        Some(other) => return Err(malformed("conditions", &other, "an array of conditions")),
    };
    // Field by field into one value (read in this order, which decides the first refusal): an
    // early return then drops that one value, not each field read so far (a drop path per `?`).
    let mut input = PostInput {
        content_length_range,
        conditions,
        ..PostInput::default()
    };
    let region = f.opt_string("region")?;
    input.bucket = f.string("bucket")?;
    input.key = f.opt_string("key")?;
    input.key_prefix = f.opt_string("keyPrefix")?;
    input.keys = Keys::read(&mut f)?;
    input.expires = f.value("expires");
    input.expiration = f.value("expiration");
    input.content_type = f.opt_string("contentType")?;
    input.meta = f.pairs("meta", false)?;
    input.success_action_status = f
        .opt_uint("successActionStatus", u16::MAX.into())?
        .and_then(|n| u16::try_from(n).ok());
    input.policy = f.opt_string("policy")?;
    input.settings = ClientSettings::read_endpoint(&mut f, region)?;
    input.signing_time = f.value("signingTime");
    Ok(input)
}

/// Signs the V4 POST policy described by `options` (JSON text, the camelCase options of the
/// JavaScript `presignPost()`; `signingTime` required) and returns the form as JSON: `url`,
/// `fields` (`[name, value]` pairs in sending order), `policy` (the signed document) and
/// `expiration` (Unix seconds). A refusal is the native error's text.
///
/// ```
/// let out = oss_presign_wasm::presign_post_json(r#"{
///     "region": "cn-hangzhou", "bucket": "examplebucket", "keyPrefix": "user/42/",
///     "accessKeyId": "ak", "accessKeySecret": "sk", "contentLengthRange": [1, 1048576],
///     "conditions": [["in", "$content-type", ["image/png", "image/jpeg"]]],
///     "signingTime": "2024-11-12T09:27:56Z"
/// }"#)?;
/// let form: serde_json::Value = serde_json::from_str(&out)?;
/// assert_eq!(form["url"], "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
/// assert_eq!(form["fields"][0], serde_json::json!(["key", "user/42/"]));
/// assert!(form["policy"].as_str().unwrap().contains(r#"["content-length-range",1,1048576]"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn presign_post_json(options: &str) -> Result<String, String> {
    let input = read(options).map_err(|r| r.0)?;
    presign_post(input).map_err(|r| r.0)
}

fn presign_post(input: PostInput) -> Result<String, Refusal> {
    let at = signing_time(input.signing_time.as_ref())?;
    let credentials = input.keys.credentials()?;
    let request = match input.policy {
        Some(document) => PostPolicyRequest::verbatim(input.bucket, document),
        None => build_request(
            input.bucket,
            input.key,
            input.key_prefix,
            input.expires.as_ref(),
            input.expiration.as_ref(),
            input.content_length_range,
            input.content_type,
            input.meta,
            input.success_action_status,
            &input.conditions,
        )?,
    };
    let form = with_client(&input.settings, at, |client| {
        Ok(client.presign_post_with_credentials(&request, &credentials)?)
    })?;
    Ok(output(&form))
}

fn output(form: &PostPolicyForm) -> String {
    let mut out = String::with_capacity(form.policy_json().len() * 3 + 256);
    out.push_str("{\"url\":");
    out.push_str(&string_literal(form.url()));
    out.push_str(",\"fields\":[");
    for (i, (name, value)) in form.fields().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&string_literal(name));
        out.push(',');
        out.push_str(&string_literal(value));
        out.push(']');
    }
    out.push_str("],\"policy\":");
    out.push_str(&string_literal(form.policy_json()));
    out.push_str(",\"expiration\":");
    out.push_str(&form.expiration().unix_seconds().to_string());
    out.push('}');
    out
}

#[allow(clippy::too_many_arguments)]
fn build_request(
    bucket: String,
    key: Option<String>,
    key_prefix: Option<String>,
    expires: Option<&Value>,
    expiration: Option<&Value>,
    content_length_range: Option<(u64, u64)>,
    content_type: Option<String>,
    meta: Vec<(String, String)>,
    success_action_status: Option<u16>,
    conditions: &[Value],
) -> Result<PostPolicyRequest, Refusal> {
    let mut request = PostPolicyRequest::new(bucket);
    request = match (key, key_prefix) {
        (Some(_), Some(_)) => {
            return Err(Refusal::new(
                ErrorKind::InvalidRequest,
                "give key or keyPrefix, not both",
            ))
        }
        (Some(key), None) => request.key(key),
        (None, Some(prefix)) => request.key_prefix(prefix),
        (None, None) => request,
    };
    let options = presign_options(expires, expiration)?;
    if let Some(at) = options.expiration_time() {
        request = request.expiration(at);
    } else if let Some(duration) = options.expires_duration() {
        request = request.expires(duration);
    }
    if let Some((min, max)) = content_length_range {
        request = request.content_length_range(min, max);
    }
    if let Some(content_type) = content_type {
        request = request.content_type(content_type);
    }
    for (name, value) in meta {
        request = request.meta(name, value);
    }
    if let Some(status) = success_action_status {
        request = request.success_action_status(status);
    }
    for value in conditions {
        request = request.condition(condition(value)?);
    }
    Ok(request)
}

/// One condition in the policy's own JSON shapes: `{"field": "value"}`, `["eq" |
/// "starts-with", "$field", "value"]`, `["in" | "not-in", "$field", [values]]` or
/// `["content-length-range", min, max]`; any other shape is refused with one message.
fn condition(value: &Value) -> Result<Condition, Refusal> {
    // One refusal for every shape (built once, here) rather than a closure per failing read.
    read_condition(value).ok_or_else(|| {
        Refusal::new(
            ErrorKind::InvalidRequest,
            format!("condition {} is not one of {{\"field\": \"value\"}}, [\"eq\"|\"starts-with\", \"$field\", \"value\"], [\"in\"|\"not-in\", \"$field\", [\"value\", ...]], [\"content-length-range\", min, max]", text(value)),
        )
    })
}

fn read_condition(value: &Value) -> Option<Condition> {
    if let Value::Object(map) = value {
        return match map.as_slice() {
            [(field, Value::Str(v))] if field == "bucket" => Some(Condition::bucket(v.as_str())),
            [(field, Value::Str(v))] => Some(Condition::exact(field.as_str(), v.as_str())),
            _ => None,
        };
    }
    let [op, second, third] = as_array(value)? else {
        return None;
    };
    let field = || as_str(second).and_then(|f| f.strip_prefix('$'));
    let strings = || -> Option<Vec<String>> {
        as_array(third)?
            .iter()
            .map(|s| as_str(s).map(str::to_owned))
            .collect()
    };
    Some(match as_str(op)? {
        "eq" => Condition::eq(field()?, as_str(third)?),
        "starts-with" => Condition::starts_with(field()?, as_str(third)?),
        "in" => Condition::one_of(field()?, strings()?),
        "not-in" => Condition::none_of(field()?, strings()?),
        "content-length-range" => Condition::content_length_range(as_u64(second)?, as_u64(third)?),
        _ => return None,
    })
}
