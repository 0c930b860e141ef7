//! Browser form uploads: [`Client::presign_post`] signs a V4 POST policy and returns the form
//! a browser sends to the bucket host (`PostObject`).

use std::time::{Duration, SystemTime};

use oss_credentials::Credentials;
use oss_sign_core::post_policy::{
    sign_policy_document, sign_post_policy, PostPolicy, PostPolicyParams,
};
use oss_sign_core::v4::ALGORITHM;
use oss_sign_core::SigningTime;

pub use oss_sign_core::post_policy::Condition;

use crate::client::{credentials_error, sign_error, Client};
use crate::config::SignatureVersion;
use crate::error::{Error, ErrorKind};
use crate::presign::PresignOptions;
use crate::validation;

/// What the uploaded object's key must be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyRule {
    Exact(String),
    Prefix(String),
}

/// A POST policy to sign: the bucket, the key (exact or a prefix), the validity and the
/// conditions.
///
/// ```
/// use std::time::Duration;
/// use oss_client::PostPolicyRequest;
///
/// let request = PostPolicyRequest::new("examplebucket")
///     .key_prefix("user/42/")
///     .expires(Duration::from_secs(600))
///     .content_length_range(1, 10 << 20)
///     .content_type("image/png")
///     .meta("owner", "alice");
/// assert_eq!(request.bucket(), "examplebucket");
/// ```
#[derive(Debug, Clone)]
pub struct PostPolicyRequest {
    bucket: String,
    key: KeyRule,
    options: PresignOptions,
    conditions: Vec<Condition>,
    /// Fields sent as they are and pinned with an `eq` condition, in order.
    fields: Vec<(String, String)>,
    /// A policy document to sign byte for byte, instead of building one.
    document: Option<String>,
}

impl PostPolicyRequest {
    /// A policy for uploads to `bucket`, any key (an empty `starts-with` prefix) until a key
    /// or prefix is set; valid 15 minutes.
    ///
    /// ```
    /// let r = oss_client::PostPolicyRequest::new("examplebucket");
    /// assert_eq!(r.bucket(), "examplebucket");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            key: KeyRule::Prefix(String::new()),
            options: PresignOptions::new(),
            conditions: Vec::new(),
            fields: Vec::new(),
            document: None,
        }
    }

    /// A policy `document` (JSON text) for `bucket`, signed byte for byte as given: nothing is
    /// added, checked or re-serialised, so the signature can be compared with another signer's
    /// on the same bytes. The form then holds only the V4 fields (no `key`); the document's
    /// own `x-oss-date`/`x-oss-credential` conditions must match the signing instant and
    /// credentials for OSS to accept it. Key, expiry and condition setters are ignored.
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::verbatim("examplebucket", "{}"))?;
    /// assert_eq!(form.field("policy"), Some("e30="));
    /// assert_eq!(form.policy_json(), "{}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn verbatim(bucket: impl Into<String>, document: impl Into<String>) -> Self {
        let mut request = Self::new(bucket);
        request.document = Some(document.into());
        request
    }

    /// The bucket.
    ///
    /// ```
    /// assert_eq!(oss_client::PostPolicyRequest::new("b-1").bucket(), "b-1");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The object must be stored under exactly `key` (`["eq", "$key", key]`).
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").key("a/b.txt"))?;
    /// assert!(form.policy_json().contains(r#"["eq","$key","a/b.txt"]"#));
    /// assert_eq!(form.field("key"), Some("a/b.txt"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = KeyRule::Exact(key.into());
        self
    }

    /// The object key must start with `prefix` (`["starts-with", "$key", prefix]`); the
    /// browser completes the `key` field.
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").key_prefix("uploads/"))?;
    /// assert!(form.policy_json().contains(r#"["starts-with","$key","uploads/"]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key = KeyRule::Prefix(prefix.into());
        self
    }

    /// Valid for `duration` from the signing instant (at most 7 days).
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_client::{Client, Config, FixedClock, PostPolicyRequest, SigningTime};
    /// let at = SigningTime::from_unix_seconds(1_700_000_000)?;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou").clock(FixedClock::new(at))
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").expires(Duration::from_secs(60)))?;
    /// assert_eq!(form.expiration().unix_seconds(), 1_700_000_060);
    /// // Longer than 7 days is refused when signing.
    /// let week_and_a_day = PostPolicyRequest::new("b-1").expires(Duration::from_secs(8 * 86_400));
    /// assert_eq!(client.presign_post(&week_and_a_day).unwrap_err().kind(), oss_client::ErrorKind::InvalidExpiry);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn expires(mut self, duration: Duration) -> Self {
        self.options = self.options.expires(duration);
        self
    }

    /// Valid until `at` (at most 7 days after the signing instant); wins over
    /// [`expires`](Self::expires).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use oss_client::{Client, Config, FixedClock, PostPolicyRequest, SigningTime};
    /// let at = SigningTime::from_unix_seconds(1_700_000_000)?;
    /// # let client = Client::new(Config::builder().region("cn-hangzhou").clock(FixedClock::new(at))
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let until = UNIX_EPOCH + Duration::from_secs(1_700_000_300);
    /// let request = PostPolicyRequest::new("b-1").expires(Duration::from_secs(60)).expiration(until);
    /// let form = client.presign_post(&request)?;
    /// assert_eq!(form.expiration().unix_seconds(), 1_700_000_300);
    /// assert!(form.policy_json().starts_with(r#"{"expiration":"2023-11-14T22:18:20.000Z""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn expiration(mut self, at: SystemTime) -> Self {
        self.options = self.options.expiration(at);
        self
    }

    /// The file must be `min..=max` bytes (`content-length-range`).
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").content_length_range(1, 1024))?;
    /// assert!(form.policy_json().contains(r#"["content-length-range",1,1024]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(Condition::content_length_range(min, max))
    }

    /// Sends `Content-Type: content_type` as a form field and pins it in the policy.
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").content_type("image/png"))?;
    /// assert_eq!(form.field("Content-Type"), Some("image/png"));
    /// assert!(form.policy_json().contains(r#"["eq","$Content-Type","image/png"]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn content_type(self, content_type: impl Into<String>) -> Self {
        self.field("Content-Type", content_type.into())
    }

    /// Sends `x-oss-meta-<name>: value` as a form field and pins it in the policy.
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").meta("Owner", "alice"))?;
    /// assert_eq!(form.field("x-oss-meta-owner"), Some("alice"));
    /// assert!(form.policy_json().contains(r#"["eq","$x-oss-meta-owner","alice"]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn meta(self, name: impl AsRef<str>, value: impl Into<String>) -> Self {
        let name = format!("x-oss-meta-{}", name.as_ref().to_ascii_lowercase());
        self.field(&name, value.into())
    }

    /// Sends `success_action_status` (200, 201 or 204: checked when signing) and pins it.
    ///
    /// ```
    /// # use oss_client::{Client, Config, PostPolicyRequest};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("b-1").success_action_status(201))?;
    /// assert_eq!(form.field("success_action_status"), Some("201"));
    /// let refused = client.presign_post(&PostPolicyRequest::new("b-1").success_action_status(202));
    /// assert!(refused.unwrap_err().to_string().contains("use 200, 201 or 204"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn success_action_status(self, status: u16) -> Self {
        self.field("success_action_status", status.to_string())
    }

    /// Adds any further condition (`in`, `not-in`, `starts-with` on a field the browser
    /// fills, ...).
    ///
    /// ```
    /// use oss_client::{Condition, PostPolicyRequest};
    /// # use oss_client::{Client, Config};
    /// # let client = Client::new(Config::builder().region("cn-hangzhou")
    /// #     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?).build()?);
    /// let request = PostPolicyRequest::new("b-1")
    ///     .condition(Condition::one_of("content-type", ["image/png", "image/jpeg"]));
    /// let form = client.presign_post(&request)?;
    /// assert!(form.policy_json().contains(r#"["in","$content-type",["image/png","image/jpeg"]]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn field(mut self, name: &str, value: String) -> Self {
        self.fields.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.fields.push((name.to_owned(), value));
        self
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn validate(&self) -> Result<(), Error> {
        validation::validate_bucket_name(&self.bucket)?;
        match &self.key {
            KeyRule::Exact(key) => validation::validate_object_key(key)?,
            KeyRule::Prefix(prefix) if !prefix.is_empty() => {
                validation::validate_object_key(prefix)?
            }
            KeyRule::Prefix(_) => {}
        }
        for (name, value) in &self.fields {
            if name == "success_action_status" && !matches!(value.as_str(), "200" | "201" | "204") {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "success_action_status",
                    format!("success_action_status {value} is not allowed: use 200, 201 or 204"),
                ));
            }
            if value.bytes().any(|b| b < 0x20 || b == 0x7f)
                || name.len() <= "x-oss-meta-".len() && name.starts_with("x-oss-meta-")
            {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "fields",
                    format!("form field {name:?} is empty-named or its value has a control character: use a non-empty name and printable text"),
                ));
            }
        }
        Ok(())
    }
}

/// A signed POST form: the URL to post to and the fields in the order to send them; the file
/// goes last, in the field named [`FILE_FIELD`](Self::FILE_FIELD).
///
/// `Debug` hides the security token.
#[derive(Clone)]
pub struct PostPolicyForm {
    url: String,
    fields: Vec<(String, String)>,
    policy_json: String,
    expiration: SigningTime,
}

impl std::fmt::Debug for PostPolicyForm {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostPolicyForm")
            .field("url", &self.url)
            .field(
                "fields",
                &crate::header_signing::redact_token_pairs(&self.fields),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

impl PostPolicyForm {
    /// The form field that carries the file (sent last).
    pub const FILE_FIELD: &'static str = "file";

    /// The bucket's URL (`https://<bucket>.<endpoint>/`), where the form is posted.
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket").key("a.txt"))?;
    /// assert_eq!(form.url(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fields, in order: `key`, the pinned fields (`success_action_status`,
    /// `Content-Type`, `x-oss-meta-*`), then `policy`, `x-oss-signature-version`,
    /// `x-oss-credential`, `x-oss-date`, `x-oss-security-token` (STS) and `x-oss-signature`.
    /// For a key prefix, `key` holds the prefix: the browser appends the rest.
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket").key("a.txt"))?;
    /// assert_eq!(form.fields()[0], ("key".to_string(), "a.txt".to_string()));
    /// assert_eq!(form.fields().last().unwrap().0, "x-oss-signature");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The value of the field `name`, if sent.
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket").key("a.txt"))?;
    /// assert_eq!(form.field("x-oss-signature-version"), Some("OSS4-HMAC-SHA256"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The signed policy document (JSON).
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket").key("a.txt"))?;
    /// assert!(form.policy_json().contains(r#"["eq","$key","a.txt"]"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn policy_json(&self) -> &str {
        &self.policy_json
    }

    /// When the policy expires (for a [verbatim](PostPolicyRequest::verbatim) document: its
    /// `expiration` if it parses, else the signing instant).
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?)
    ///     .clock(FixedClock::new(SigningTime::from_unix_seconds(0)?)).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket").key("a.txt"))?;
    /// assert_eq!(form.expiration().unix_seconds(), 900);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn expiration(&self) -> SigningTime {
        self.expiration
    }
}

impl Client {
    /// Signs a V4 POST policy with the configured credentials (as [`presign`](Self::presign)
    /// does: static or cached, never waiting) and the cached signing key, and returns the form
    /// a browser posts to the bucket. V4 only; at most 7 days.
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_client::{Client, Config, ErrorKind, PostPolicyRequest};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = client.presign_post(&PostPolicyRequest::new("examplebucket")
    ///     .key_prefix("user/").content_length_range(1, 1 << 20))?;
    /// assert_eq!(form.field("key"), Some("user/"));
    /// let too_long = PostPolicyRequest::new("examplebucket").expires(Duration::from_secs(8 * 86_400));
    /// assert_eq!(client.presign_post(&too_long).unwrap_err().kind(), ErrorKind::InvalidExpiry);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn presign_post(&self, request: &PostPolicyRequest) -> Result<PostPolicyForm, Error> {
        if let Some(credentials) = &self.config().static_credentials {
            return self.presign_post_with_credentials(request, credentials);
        }
        let credentials = self.credentials_now()?;
        self.presign_post_with_credentials(request, &credentials)
    }

    /// [`presign_post`](Self::presign_post) after asking the provider for credentials (which
    /// may do network I/O), like [`presign_async`](Self::presign_async).
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(Credentials::new("ak", "sk")?).build()?);
    /// let form = futures_executor::block_on(client.presign_post_async(&PostPolicyRequest::new("examplebucket").key("k")))?;
    /// assert!(form.field("x-oss-signature").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn presign_post_async(
        &self,
        request: &PostPolicyRequest,
    ) -> Result<PostPolicyForm, Error> {
        let result = self.async_provider().provide_credentials().await;
        self.record_fetch(result.as_ref().err());
        let credentials = result.map_err(credentials_error)?;
        self.presign_post_with_credentials(request, &credentials)
    }

    /// [`presign_post`](Self::presign_post) with the given credentials.
    ///
    /// ```
    /// # use oss_client::*; use oss_credentials::Credentials;
    /// let client = Client::new(Config::builder().region("cn-hangzhou").build()?);
    /// let creds = Credentials::new("STS.ak", "sk")?.with_security_token("token");
    /// let form = client.presign_post_with_credentials(&PostPolicyRequest::new("examplebucket").key("k"), &creds)?;
    /// assert_eq!(form.field("x-oss-security-token"), Some("token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn presign_post_with_credentials(
        &self,
        request: &PostPolicyRequest,
        credentials: &Credentials,
    ) -> Result<PostPolicyForm, Error> {
        let config = self.config();
        if config.signature_version() == SignatureVersion::V1 {
            return Err(Error::without_field(
                ErrorKind::InvalidConfig,
                "POST policies are signed with V4 only here: configure SignatureVersion::V4",
            ));
        }
        request.validate()?;
        let now = self.now()?;
        let endpoint = config.endpoint();
        let key = self.signing_key(credentials, now);
        if let Some(document) = &request.document {
            let (base64, signature) = sign_policy_document(document, &key.key);
            let credential = format!(
                "{}/{}/{}/{}/{}",
                credentials.access_key_id(),
                now.date_stamp(),
                endpoint.signing_region(),
                endpoint.product(),
                oss_sign_core::v4::TERMINATOR
            );
            let mut fields = vec![
                ("policy".to_owned(), base64),
                ("x-oss-signature-version".to_owned(), ALGORITHM.to_owned()),
                ("x-oss-credential".to_owned(), credential),
                ("x-oss-date".to_owned(), now.x_oss_date()),
            ];
            if let Some(token) = credentials.security_token().filter(|t| !t.is_empty()) {
                fields.push(("x-oss-security-token".to_owned(), token.to_owned()));
            }
            fields.push(("x-oss-signature".to_owned(), signature));
            let expiration = oss_sign_core::post_policy::policy_expiration(document).unwrap_or(now);
            return Ok(PostPolicyForm {
                url: endpoint.object_url(&request.bucket, ""),
                fields,
                policy_json: document.clone(),
                expiration,
            });
        }
        let seconds = request
            .options
            .validity_seconds(now, SignatureVersion::V4)?;
        let expiration = now
            .checked_add_seconds(seconds)
            .ok_or_else(|| Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range"))?;

        let (key_field, key_condition) = match &request.key {
            KeyRule::Exact(key) => (key.clone(), Condition::eq("key", key.clone())),
            KeyRule::Prefix(prefix) => (
                prefix.clone(),
                Condition::starts_with("key", prefix.clone()),
            ),
        };
        let mut policy = PostPolicy::new(expiration)
            .condition(Condition::bucket(request.bucket.clone()))
            .condition(key_condition);
        for (name, value) in &request.fields {
            policy = policy.condition(Condition::eq(name.clone(), value.clone()));
        }
        for condition in &request.conditions {
            policy = policy.condition(condition.clone());
        }

        let params =
            PostPolicyParams::new(credentials.access_key_id(), endpoint.signing_region(), now)
                .product(endpoint.product())
                .security_token(credentials.security_token());
        let signed = sign_post_policy(&policy, &params, &key.key).map_err(sign_error)?;

        let mut fields = Vec::with_capacity(request.fields.len() + 7);
        fields.push(("key".to_owned(), key_field));
        fields.extend(request.fields.iter().cloned());
        fields.extend(
            signed
                .form_fields()
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned())),
        );
        Ok(PostPolicyForm {
            url: endpoint.object_url(&request.bucket, ""),
            fields,
            policy_json: signed.policy_json().to_owned(),
            expiration,
        })
    }
}
