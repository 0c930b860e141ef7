//! `presign()`: the options of one presigned URL, as JSON, to the native result.

use std::collections::BTreeMap;

use oss_client::credentials::Credentials;
use oss_client::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, ErrorKind, GetObjectRequest,
    HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest, PresignResult, Presignable,
    PutObjectRequest, UploadPartRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client_cache::with_client;
use crate::input::{malformed, presign_options, signing_time, ClientSettings, Refusal};

/// The presign options (camelCase, as `presign()` in `js/index.mjs` takes them). Unknown
/// names are refused, so a misspelt option is an error rather than silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PresignInput {
    region: Option<String>,
    bucket: String,
    key: String,
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    expires: Option<Value>,
    expiration: Option<Value>,
    method: Option<String>,
    op: Option<String>,
    upload_id: Option<String>,
    part_number: Option<u32>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    query: BTreeMap<String, Option<String>>,
    #[serde(default)]
    additional_headers: Vec<String>,
    endpoint: Option<String>,
    #[serde(default)]
    path_style: bool,
    #[serde(default)]
    cname: bool,
    #[serde(default)]
    internal_endpoint: bool,
    #[serde(default)]
    accelerate_endpoint: bool,
    #[serde(default)]
    dualstack_endpoint: bool,
    #[serde(default)]
    disable_ssl: bool,
    signature_version: Option<String>,
    signing_time: Option<Value>,
}

/// The result `presign()` returns (the wrapper turns `expiration` into a `Date`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PresignOutput<'a> {
    method: &'a str,
    url: &'a str,
    /// Unix seconds.
    expiration: i64,
    signed_headers: BTreeMap<&'a str, &'a str>,
}

/// Presigns the request described by `options` (JSON text, the camelCase options of the
/// JavaScript `presign()`; `signingTime` required) and returns the result as JSON: `method`,
/// `url`, `expiration` (Unix seconds) and `signedHeaders` (lower-case name to value). A
/// refusal is the native error's text (`KIND: message`).
///
/// ```
/// let out = oss_presign_wasm::presign_json(r#"{
///     "region": "cn-hangzhou", "bucket": "examplebucket", "key": "up.txt",
///     "accessKeyId": "STS.example", "accessKeySecret": "secret", "securityToken": "token",
///     "op": "put", "headers": {"Content-Type": "text/plain"}, "expires": 600,
///     "signingTime": 1731403676
/// }"#)?;
/// let result: serde_json::Value = serde_json::from_str(&out)?;
/// assert_eq!(result["method"], "PUT");
/// assert_eq!(result["signedHeaders"]["content-type"], "text/plain");
/// assert!(result["url"].as_str().unwrap().contains("x-oss-security-token=token"));
///
/// let err = oss_presign_wasm::presign_json(r#"{"region": "cn-hangzhou", "bucket": "-b",
///     "key": "k", "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": 0}"#).unwrap_err();
/// assert!(err.starts_with("invalid bucket name: "), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn presign_json(options: &str) -> Result<String, String> {
    let input: PresignInput =
        serde_json::from_str(options).map_err(|e| malformed("presign", &e).0)?;
    presign(input).map(|r| output(&r)).map_err(|r| r.0)
}

/// What the module's `oss_presign_at` export answers: [`presign_json`] with `now` (Unix
/// seconds, `None` for none) as the signing instant when the options name none, and the result in the compact
/// layout of [`compact_output`] instead of JSON (the wrapper slices it without `JSON.parse`).
pub(crate) fn presign_compact(options: &str, now: Option<i64>) -> Result<String, String> {
    let mut input: PresignInput =
        serde_json::from_str(options).map_err(|e| malformed("presign", &e).0)?;
    if input.signing_time.is_none() {
        input.signing_time = now.map(Value::from);
    }
    presign(input).map(|r| compact_output(&r)).map_err(|r| r.0)
}

fn presign(input: PresignInput) -> Result<PresignResult, Refusal> {
    let at = signing_time(input.signing_time.as_ref())?;
    let options = presign_options(input.expires.as_ref(), input.expiration.as_ref())?;
    let credentials = credentials(
        &input.access_key_id,
        &input.access_key_secret,
        input.security_token.as_deref(),
    )?;
    let headers: Vec<(String, String)> = input.headers.into_iter().collect();
    let query: Vec<(String, String)> = input
        .query
        .into_iter()
        .map(|(name, value)| (name, value.unwrap_or_default()))
        .collect();
    let request = request(
        input.op.as_deref(),
        input.method,
        input.bucket,
        input.key,
        input.upload_id,
        input.part_number,
        headers,
        query,
    )?;
    let settings = ClientSettings {
        region: input.region,
        endpoint: input.endpoint,
        path_style: input.path_style,
        cname: input.cname,
        internal_endpoint: input.internal_endpoint,
        accelerate_endpoint: input.accelerate_endpoint,
        dualstack_endpoint: input.dualstack_endpoint,
        disable_ssl: input.disable_ssl,
        signature_version: input.signature_version,
        additional_headers: input.additional_headers,
    };
    with_client(settings, at, |client| {
        Ok(client.presign_with_credentials(request.as_ref(), &options, &credentials)?)
    })
}

/// The result as `EXPIRATION:L1,L2,...;S1S2...`: the expiration in Unix seconds, then the
/// lengths (in UTF-16 code units, as JavaScript counts) of the method, the URL and each signed
/// header's name and value (sorted by name, as the JSON object has them), then those strings
/// back to back. The wrapper decodes the answer once and cuts it with `substring`, which is
/// several times cheaper than `JSON.parse` of the same result.
fn compact_output(result: &PresignResult) -> String {
    use std::fmt::Write as _;
    let headers: BTreeMap<&str, &str> = result.signed_headers().collect();
    let parts = [result.method(), result.url()]
        .into_iter()
        .chain(headers.iter().flat_map(|(n, v)| [*n, *v]));
    let body_len = result.method().len()
        + result.url().len()
        + headers
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .sum::<usize>();
    let mut out = String::with_capacity(body_len + 32 + 8 * headers.len());
    // Writing into a String cannot fail.
    let _ = write!(out, "{}:", result.expiration().unix_seconds());
    for (i, part) in parts.clone().enumerate() {
        let units = if part.is_ascii() {
            part.len()
        } else {
            part.chars().map(char::len_utf16).sum()
        };
        let _ = write!(out, "{}{units}", if i == 0 { "" } else { "," });
    }
    out.push(';');
    parts.for_each(|part| out.push_str(part));
    out
}

fn output(result: &PresignResult) -> String {
    let out = PresignOutput {
        method: result.method(),
        url: result.url(),
        expiration: result.expiration().unix_seconds(),
        signed_headers: result.signed_headers().collect(),
    };
    // Serialising strings and integers into a Vec cannot fail.
    serde_json::to_string(&out).unwrap_or_default()
}

/// The credentials, refused with the native wording when unusable.
pub(crate) fn credentials(
    id: &str,
    secret: &str,
    token: Option<&str>,
) -> Result<Credentials, Refusal> {
    let credentials = Credentials::new(id, secret).map_err(|e| {
        Refusal::new(
            ErrorKind::Credentials,
            format!("the credentials are unusable: {e}"),
        )
    })?;
    Ok(match token {
        Some(token) => credentials.with_security_token(token),
        None => credentials,
    })
}

/// Sets the caller's headers and query parameters on a typed request.
macro_rules! with_extras {
    ($request:expr, $headers:expr, $query:expr) => {{
        let mut request = $request;
        request.headers = $headers;
        request.parameters = $query;
        Box::new(request) as Box<dyn Presignable>
    }};
}

/// The request: the typed one `op` names (the names of `oss-presign url --op`), or a
/// free-form request with `method` (GET when neither is given).
#[allow(clippy::too_many_arguments)]
fn request(
    op: Option<&str>,
    method: Option<String>,
    bucket: String,
    key: String,
    upload_id: Option<String>,
    part_number: Option<u32>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
) -> Result<Box<dyn Presignable>, Refusal> {
    let invalid = |message: String| Refusal::new(ErrorKind::InvalidRequest, message);
    let Some(op) = op else {
        if upload_id.is_some() || part_number.is_some() {
            return Err(invalid(
                "uploadId and partNumber are for op upload-part, complete-multipart or abort-multipart".into(),
            ));
        }
        let mut request = ObjectRequest::new(method.unwrap_or_else(|| "GET".into()), bucket, key);
        request.headers = headers;
        request.parameters = query;
        return Ok(Box::new(request));
    };
    if method.is_some() {
        return Err(invalid(format!(
            "give method or op, not both (op {op:?} decides the method)"
        )));
    }
    let upload_id = |op: &str| {
        upload_id.clone().ok_or_else(|| {
            invalid(format!(
                "op {op} needs uploadId (the id InitiateMultipartUpload returned)"
            ))
        })
    };
    if part_number.is_some() && op != "upload-part" {
        return Err(invalid("partNumber is only for op upload-part".into()));
    }
    Ok(match op {
        "get" => with_extras!(GetObjectRequest::new(bucket, key), headers, query),
        "put" => with_extras!(PutObjectRequest::new(bucket, key), headers, query),
        "head" => with_extras!(HeadObjectRequest::new(bucket, key), headers, query),
        "initiate-multipart" => {
            with_extras!(InitiateMultipartUploadRequest::new(bucket, key), headers, query)
        }
        "upload-part" => {
            let part = part_number
                .ok_or_else(|| invalid("op upload-part needs partNumber (1 to 10000)".into()))?;
            let id = upload_id("upload-part")?;
            with_extras!(UploadPartRequest::new(bucket, key, part, id), headers, query)
        }
        "complete-multipart" => {
            let id = upload_id("complete-multipart")?;
            with_extras!(CompleteMultipartUploadRequest::new(bucket, key, id), headers, query)
        }
        "abort-multipart" => {
            let id = upload_id("abort-multipart")?;
            with_extras!(AbortMultipartUploadRequest::new(bucket, key, id), headers, query)
        }
        other => {
            return Err(invalid(format!(
                "op {other:?} is not known: use get, put, head, initiate-multipart, upload-part, complete-multipart or abort-multipart"
            )))
        }
    })
}
