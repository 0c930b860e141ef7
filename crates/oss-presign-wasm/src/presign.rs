//! `presign()`: the options of one presigned URL, as JSON, to the native result.

use oss_client::credentials::Credentials;
use oss_client::{
    AbortMultipartUploadRequest, CompleteMultipartUploadRequest, ErrorKind, GetObjectRequest,
    HeadObjectRequest, InitiateMultipartUploadRequest, ObjectRequest, PresignResult, Presignable,
    PutObjectRequest, UploadPartRequest,
};

use crate::client_cache::{with_client, with_client_in, Cached};
use crate::input::{option_names, presign_options, signing_time, ClientSettings, Keys, Refusal};
use crate::json::{string_literal, Fields, Value};

/// The option names of `presign()` (camelCase, as `js/index.mjs` takes them). Unknown names
/// are refused, so a misspelt option is an error rather than silently ignored.
///
/// ```
/// assert!(oss_presign_wasm::PRESIGN_OPTION_NAMES.contains(&"accessKeyId"));
/// let refused = oss_presign_wasm::presign_json(r#"{"bukcet": "b"}"#).unwrap_err();
/// assert!(refused.contains("bukcet"), "{refused}");
/// ```
pub const PRESIGN_OPTION_NAMES: &[&str] = option_names![
    "region",
    "bucket",
    "key",
    "accessKeyId",
    "accessKeySecret",
    "securityToken",
    "expires",
    "expiration",
    "method",
    "op",
    "uploadId",
    "partNumber",
    "headers",
    "query",
    "additionalHeaders";
    "signatureVersion",
    "signingTime",
];

/// Everything of one presign but the key, the instant and the validity: what a prepared
/// presigner (`src/prepared.rs`) keeps between calls.
#[derive(Debug, Default)]
pub(crate) struct Template {
    bucket: String,
    method: Option<String>,
    op: Option<String>,
    upload_id: Option<String>,
    part_number: Option<u32>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    settings: ClientSettings,
    keys: Keys,
}

/// The presign options of one call.
#[derive(Debug)]
struct PresignInput {
    template: Template,
    key: String,
    expires: Option<Value>,
    expiration: Option<Value>,
    signing_time: Option<Value>,
}

/// Reads the options; `with_call` says whether they hold the per-call fields (`key`,
/// `expires`, `expiration`, `signingTime`) or are a prepared presigner's (which refuses them).
fn read(options: &str, with_call: bool) -> Result<(Template, Fields), Refusal> {
    let known: Vec<&str>;
    let names = if with_call {
        PRESIGN_OPTION_NAMES
    } else {
        known = PRESIGN_OPTION_NAMES
            .iter()
            .copied()
            .filter(|n| !matches!(*n, "key" | "expires" | "expiration" | "signingTime"))
            .collect();
        &known
    };
    let mut f = Fields::parse(options, "presign", names)?;
    // Field by field into one value (read in this order, which decides the first refusal): an
    // early return then drops that one value, not each field read so far (a drop path per `?`).
    let mut template = Template::default();
    let region = f.opt_string("region")?;
    template.bucket = f.string("bucket")?;
    template.keys = Keys::read(&mut f)?;
    template.method = f.opt_string("method")?;
    template.op = f.opt_string("op")?;
    template.upload_id = f.opt_string("uploadId")?;
    template.part_number = f
        .opt_uint("partNumber", u32::MAX.into())?
        .and_then(|n| u32::try_from(n).ok());
    template.headers = f.pairs("headers", false)?;
    template.query = f.pairs("query", true)?;
    let additional_headers = f.strings("additionalHeaders")?;
    template.settings = ClientSettings::read_endpoint(&mut f, region)?;
    template.settings.signature_version = f.opt_string("signatureVersion")?;
    template.settings.additional_headers = additional_headers;
    Ok((template, f))
}

fn read_call(options: &str) -> Result<PresignInput, Refusal> {
    let (template, mut f) = read(options, true)?;
    Ok(PresignInput {
        template,
        key: f.string("key")?,
        expires: f.value("expires"),
        expiration: f.value("expiration"),
        signing_time: f.value("signingTime"),
    })
}

/// Reads a prepared presigner's options (those of `presign()` but the key, the instant and
/// the validity).
pub(crate) fn read_template(options: &str) -> Result<Template, Refusal> {
    read(options, false).map(|(template, _)| template)
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
    let input = read_call(options).map_err(|r| r.0)?;
    presign(input).map(|r| output(&r)).map_err(|r| r.0)
}

/// What the module's `oss_presign_at` export answers: [`presign_json`] with `now` (Unix
/// seconds, `None` for none) as the signing instant when the options name none, and the result in the compact
/// layout of [`compact_output`] instead of JSON (the wrapper slices it without `JSON.parse`).
pub(crate) fn presign_compact(options: &str, now: Option<i64>) -> Result<String, String> {
    let mut input = read_call(options).map_err(|r| r.0)?;
    if input.signing_time.is_none() {
        input.signing_time = now.map(Value::Int);
    }
    presign(input).map(|r| compact_output(&r)).map_err(|r| r.0)
}

fn presign(input: PresignInput) -> Result<PresignResult, Refusal> {
    let at = signing_time(input.signing_time.as_ref())?;
    let options = presign_options(input.expires.as_ref(), input.expiration.as_ref())?;
    let credentials = input.template.credentials()?;
    let request = input.template.request(input.key)?;
    with_client(&input.template.settings, at, |client| {
        Ok(
            client.presign_with_credentials(
                &PartsOnly(request.as_ref()),
                &options,
                &credentials,
            )?,
        )
    })
}

impl Template {
    /// The credentials the options name, refused with the native wording when unusable.
    pub(crate) fn credentials(&self) -> Result<Credentials, Refusal> {
        self.keys.credentials()
    }

    /// The request for `key`.
    pub(crate) fn request(&self, key: String) -> Result<Request, Refusal> {
        request(
            self.op.as_deref(),
            self.method.clone(),
            self.bucket.clone(),
            key,
            self.upload_id.clone(),
            self.part_number,
            self.headers.clone(),
            self.query.clone(),
        )
    }

    /// Presigns `request` at `at` with these options, the credentials already checked (in the
    /// order [`presign`] checks them) and the client cached in `slot`; the compact answer is
    /// written over `out` (a buffer reused from call to call).
    pub(crate) fn presign_in(
        &self,
        slot: &mut Option<Cached>,
        request: &dyn Presignable,
        at: oss_client::SigningTime,
        options: &oss_client::PresignOptions,
        credentials: &Credentials,
        out: &mut String,
    ) -> Result<(), Refusal> {
        let result = with_client_in(slot, &self.settings, at, |client| {
            Ok(client.presign_with_credentials(&PartsOnly(request), options, credentials)?)
        })?;
        out.clear();
        write_compact(&result, out);
        Ok(())
    }
}

/// A typed request, as [`request`] builds it (`Send`: a prepared presigner keeps one).
pub(crate) type Request = Box<dyn Presignable + Send>;

/// A request signed through its [`Presignable::presign_parts`] only (a request's view and
/// parts describe the same request): the client's signer is then in the module once, for
/// those parts, not a second time for [`oss_client::PresignView`]s (8 KB).
struct PartsOnly<'a>(&'a dyn Presignable);

impl Presignable for PartsOnly<'_> {
    fn presign_parts(&self) -> oss_client::PresignParts<'_> {
        self.0.presign_parts()
    }
}

/// The result as `EXPIRATION:L1,L2,...;S1S2...`: the expiration in Unix seconds, then the
/// lengths (in UTF-16 code units, as JavaScript counts) of the method, the URL and each signed
/// header's name and value (sorted by name, as the JSON object has them), then those strings
/// back to back. The wrapper decodes the answer once and cuts it with `substring`, which is
/// several times cheaper than `JSON.parse` of the same result.
fn compact_output(result: &PresignResult) -> String {
    let mut out = String::new();
    write_compact(result, &mut out);
    out
}

/// [`compact_output`] appended to `out`.
fn write_compact(result: &PresignResult, out: &mut String) {
    let headers = sorted_signed_headers(result);
    let (method, url) = (result.method(), result.url());
    let body_len = method.len()
        + url.len()
        + headers
            .iter()
            .map(|(n, v)| n.len() + v.len())
            .sum::<usize>();
    out.reserve(body_len + 32 + 8 * headers.len());
    // itoa rather than core::fmt: this runs on every presign.
    let mut number = itoa::Buffer::new();
    out.push_str(number.format(result.expiration().unix_seconds()));
    out.push(':');
    out.push_str(number.format(utf16_len(method)));
    out.push(',');
    out.push_str(number.format(utf16_len(url)));
    for (name, value) in &headers {
        out.push(',');
        out.push_str(number.format(utf16_len(name)));
        out.push(',');
        out.push_str(number.format(utf16_len(value)));
    }
    out.push(';');
    out.push_str(method);
    out.push_str(url);
    for (name, value) in &headers {
        out.push_str(name);
        out.push_str(value);
    }
}

/// The length of `text` in UTF-16 code units, as JavaScript counts.
fn utf16_len(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().map(char::len_utf16).sum()
    }
}

/// The signed headers, sorted by name (as the result gives them), a repeated name's last value
/// kept (as a map of them would).
fn sorted_signed_headers(result: &PresignResult) -> Vec<(&str, &str)> {
    let mut headers: Vec<(&str, &str)> = result.signed_headers().collect();
    debug_assert!(headers.windows(2).all(|w| w[0].0 <= w[1].0));
    headers.dedup_by(|later, earlier| {
        let repeated = later.0 == earlier.0;
        if repeated {
            earlier.1 = later.1;
        }
        repeated
    });
    headers
}

fn output(result: &PresignResult) -> String {
    let headers = sorted_signed_headers(result);
    let mut out = String::with_capacity(result.url().len() + 64);
    out.push_str("{\"method\":");
    out.push_str(&string_literal(result.method()));
    out.push_str(",\"url\":");
    out.push_str(&string_literal(result.url()));
    out.push_str(",\"expiration\":");
    out.push_str(&result.expiration().unix_seconds().to_string());
    out.push_str(",\"signedHeaders\":{");
    for (i, (name, value)) in headers.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string_literal(name));
        out.push(':');
        out.push_str(&string_literal(value));
    }
    out.push_str("}}");
    out
}

/// Sets the caller's headers and query parameters on a typed request.
macro_rules! with_extras {
    ($request:expr, $headers:expr, $query:expr) => {{
        let mut request = $request;
        request.headers = $headers;
        request.parameters = $query;
        Box::new(request) as Request
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
) -> Result<Request, Refusal> {
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
