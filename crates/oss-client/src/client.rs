//! The [`Client`]: validates a request, signs it at the clock's instant and writes the URL.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, RwLock};

use oss_credentials::Credentials;
use oss_sign_core::{v1, v4, SignError, SignErrorKind, SignableRequest, SigningTime};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::config::{Config, SignatureVersion};
use crate::error::{quoted, Error, ErrorKind};
use crate::presign::{PresignOptions, PresignResult};
use crate::request::{Pair, PresignParts, Presignable};
use crate::validation;

/// Presigns OSS requests. Cheap to clone (the state is shared) and safe to use from many
/// threads at once.
///
/// The V4 signing key (four chained HMACs) is derived once per secret, UTC day, region and
/// product and reused by every later call.
///
/// ```
/// use std::time::Duration;
/// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
/// use oss_credentials::Credentials;
///
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .credentials(Credentials::new("LTAI5tExampleAccessKeyId", "ExampleAccessKeySecret")?)
///     .build()?;
/// let client = Client::new(config);
///
/// let get = GetObjectRequest::new("examplebucket", "exampleobject.txt");
/// let result = client.presign_with(&get, &PresignOptions::new().expires(Duration::from_secs(3600)))?;
/// assert!(result.url().contains("x-oss-expires=3600"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    keys: KeyCache,
    /// The official default chain, built on first use by the async paths when the
    /// configuration names no credentials.
    default_chain: std::sync::OnceLock<Arc<dyn oss_credentials::ProvideCredentials>>,
    /// Why the last credentials fetch of an async path or refresher failed (secret-free
    /// `Display` text), cleared by the next success; quoted by the sync path's error.
    last_fetch_error: Mutex<Option<String>>,
}

impl Client {
    /// A client for `config`.
    ///
    /// ```
    /// let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou").build()?);
    /// assert_eq!(client.config().region(), Some("cn-hangzhou"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn new(config: Config) -> Self {
        Client {
            inner: Arc::new(Inner {
                config,
                keys: KeyCache::default(),
                default_chain: std::sync::OnceLock::new(),
                last_fetch_error: Mutex::new(None),
            }),
        }
    }

    /// The configuration the client was built with.
    ///
    /// ```
    /// let client = oss_client::Client::new(oss_client::Config::builder().region("cn-hangzhou").build()?);
    /// assert_eq!(client.config().endpoint().authority(), "oss-cn-hangzhou.aliyuncs.com");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Presigns `request`, valid for the default 15 minutes.
    ///
    /// Credentials come from the configured provider without waiting: static credentials,
    /// environment variables, or whatever valid value a [`CachingProvider`] holds
    /// ([`ProvideCredentials::credentials_if_cached`]). The sync path never starts, polls or
    /// cancels a refresh; keep the cache fresh with [`credentials_refresher`](Self::credentials_refresher)
    /// (a task on your runtime) or by calling [`presign_async`](Self::presign_async) now and
    /// then. It fails with [`ErrorKind::Credentials`] only when no valid credentials are cached
    /// (never fetched yet, or expired because every refresh failed), saying how to fix it.
    /// Presigning does no I/O.
    ///
    /// [`CachingProvider`]: oss_credentials::CachingProvider
    /// [`ProvideCredentials::credentials_if_cached`]: oss_credentials::ProvideCredentials::credentials_if_cached
    ///
    /// ```
    /// use oss_client::{Client, Config, HeadObjectRequest};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let result = client.presign(&HeadObjectRequest::new("examplebucket", "k"))?;
    /// assert_eq!(result.method(), "HEAD");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign<R: Presignable + ?Sized>(&self, request: &R) -> Result<PresignResult, Error> {
        self.presign_with(request, &PresignOptions::default())
    }

    /// Presigns `request` with explicit options (expiry).
    ///
    /// ```
    /// use std::time::Duration;
    /// use oss_client::{Client, Config, ErrorKind, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// let eight_days = PresignOptions::new().expires(Duration::from_secs(8 * 86_400));
    /// assert_eq!(client.presign_with(&get, &eight_days).unwrap_err().kind(), ErrorKind::InvalidExpiry);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign_with<R: Presignable + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
    ) -> Result<PresignResult, Error> {
        if let Some(credentials) = &self.inner.config.static_credentials {
            return self.presign_with_credentials(request, options, credentials);
        }
        let credentials = self.credentials_now()?;
        self.presign_with_credentials(request, options, &credentials)
    }

    /// Presigns `request` with the given credentials instead of the configured provider.
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder().region("cn-hangzhou").build()?);
    /// let creds = Credentials::new("STS.example", "secret")?.with_security_token("token");
    /// let result = client.presign_with_credentials(
    ///     &GetObjectRequest::new("examplebucket", "k"), &PresignOptions::new(), &creds)?;
    /// assert!(result.url().contains("x-oss-security-token=token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn presign_with_credentials<R: Presignable + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
        credentials: &Credentials,
    ) -> Result<PresignResult, Error> {
        let parts = request.presign_parts();
        let now = self.now()?;
        self.presign_parts_at(&parts, options, credentials, now)
    }

    /// The clock's instant.
    pub(crate) fn now(&self) -> Result<SigningTime, Error> {
        self.inner.config.clock.now().ok_or_else(|| {
            Error::without_field(
                ErrorKind::InvalidConfig,
                "the clock gave no usable instant (before 1970 or after 9999, or no system clock at all, as on wasm32-unknown-unknown); check the system clock, or give the instant with ConfigBuilder::clock (FixedClock)",
            )
        })
    }

    /// The cached V4 signing key for these inputs (derived when the cache holds another).
    pub(crate) fn signing_key(
        &self,
        secret: &str,
        time: SigningTime,
        region: &str,
        product: &str,
    ) -> Arc<CachedKey> {
        self.inner.keys.get(secret, time, region, product)
    }

    /// Presigns `request` after asking the configured provider for credentials, which may do
    /// network I/O (STS, ECS metadata, ...). The signing itself does none. When the configuration
    /// names no credentials, the official default chain is used
    /// ([`oss_credentials::DefaultChain`]: environment, OIDC, CLI config, credentials file, ECS
    /// metadata, credentials URI); call it inside the runtime your HTTP providers need (tokio).
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest, PresignOptions};
    /// use oss_credentials::Credentials;
    ///
    /// let client = Client::new(Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// let result = futures_executor::block_on(client.presign_async(&get, &PresignOptions::new()))?;
    /// assert_eq!(result.method(), "GET");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn presign_async<R: Presignable + Sync + ?Sized>(
        &self,
        request: &R,
        options: &PresignOptions,
    ) -> Result<PresignResult, Error> {
        let provider = self.async_provider();
        let result = provider.provide_credentials().await;
        self.record_fetch(result.as_ref().err());
        let credentials = result.map_err(credentials_error)?;
        self.presign_with_credentials(request, options, &credentials)
    }

    /// A [`Refresher`](oss_credentials::Refresher) for the client's credentials provider (the
    /// default chain when none is configured): spawn it on your runtime so that the sync
    /// [`presign`](Self::presign) always finds valid cached credentials, also across STS
    /// refreshes. The first round fetches at once (warming the cache); later rounds refresh
    /// ahead of expiry. Failures are remembered and quoted by the sync path's error.
    ///
    /// ```
    /// use oss_client::{Client, Config, GetObjectRequest};
    /// use oss_credentials::{CachingProvider, Credentials, FnProvider};
    ///
    /// let sts = CachingProvider::new(FnProvider::new("sts", || async {
    ///     Ok(Credentials::new("STS.example", "secret")?
    ///         .with_security_token("token")
    ///         .with_expiration(std::time::SystemTime::now() + std::time::Duration::from_secs(3600)))
    /// }));
    /// let client = Client::new(Config::builder().region("cn-hangzhou").credentials_provider(sts).build()?);
    /// let get = GetObjectRequest::new("examplebucket", "k");
    /// assert!(client.presign(&get).is_err()); // nothing cached yet
    /// let refresher = client.credentials_refresher();
    /// futures_executor::block_on(refresher.refresh_once())?; // what the spawned task does first
    /// assert!(client.presign(&get)?.url().contains("x-oss-security-token=token"));
    /// // On tokio: tokio::spawn(client.credentials_refresher().run(tokio::time::sleep));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credentials_refresher(&self) -> oss_credentials::Refresher {
        let inner = Arc::downgrade(&self.inner);
        oss_credentials::Refresher::new(self.async_provider().clone()).on_result(move |result| {
            if let Some(inner) = inner.upgrade() {
                inner.record_fetch(result.err());
            }
        })
    }

    pub(crate) fn record_fetch(&self, error: Option<&oss_credentials::CredentialsError>) {
        self.inner.record_fetch(error);
    }

    pub(crate) fn provider(&self) -> Result<&Arc<dyn oss_credentials::ProvideCredentials>, Error> {
        self.inner.config.credentials.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Credentials,
                "credentials",
                "no credentials are configured; set them with ConfigBuilder::credentials or credentials_provider, or use presign_async, which falls back to the default credentials chain",
            )
        })
    }

    /// The configured provider, or the default chain (built once) when there is none.
    pub(crate) fn async_provider(&self) -> &Arc<dyn oss_credentials::ProvideCredentials> {
        match &self.inner.config.credentials {
            Some(provider) => provider,
            None => self
                .inner
                .default_chain
                .get_or_init(|| Arc::new(oss_credentials::DefaultChain::new())),
        }
    }

    /// The provider's valid cached credentials, without waiting (never polls, so it can
    /// neither start nor cancel a refresh).
    pub(crate) fn credentials_now(&self) -> Result<Credentials, Error> {
        let provider = self.provider()?;
        if let Some(credentials) = provider.credentials_if_cached() {
            return Ok(credentials);
        }
        let last = self
            .inner
            .last_fetch_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let cause = match last {
            Some(error) => format!(" (the last fetch failed: {error})"),
            None => String::new(),
        };
        Err(Error::new(
            ErrorKind::Credentials,
            "credentials",
            format!(
                "the credentials provider {:?} has no valid credentials cached{cause}; the sync presign never waits for a fetch: warm the cache first (await presign_async or provide_credentials once), keep it fresh with Client::credentials_refresher spawned on your runtime, or use Client::presign_async",
                provider.name()
            ),
        ))
    }

    /// The whole presign at a given instant (the clock has been asked already).
    pub(crate) fn presign_parts_at(
        &self,
        parts: &PresignParts<'_>,
        options: &PresignOptions,
        credentials: &Credentials,
        now: SigningTime,
    ) -> Result<PresignResult, Error> {
        let config = &self.inner.config;
        let version = config.signature_version;

        let method = check_parts(parts, version)?;
        let seconds = options.validity_seconds(now, version)?;

        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        let query: Vec<(&str, &str)> = parts
            .query
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        let signable = SignableRequest::new(&method)
            .bucket(parts.bucket)
            .key(parts.key)
            .query(&query)
            .headers(&headers);

        let endpoint = &config.endpoint;
        let mut url = String::with_capacity(endpoint.url_capacity(parts.bucket, parts.key) + 512);
        endpoint.write_object_url(&mut url, parts.bucket, parts.key);
        url.push('?');

        let (expiration, signed_headers) = match version {
            SignatureVersion::V1 => {
                // Checked by validity_seconds: fits before the year 10000.
                let expiration = now.checked_add_seconds(seconds).ok_or_else(|| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                let params = v1::PresignParams::new(
                    credentials.access_key_id(),
                    credentials.access_key_secret(),
                    expiration.unix_seconds(),
                )
                .security_token(credentials.security_token());
                let presigned = v1::presign(&signable, &params).map_err(sign_error)?;
                url.push_str(presigned.url_query());
                (expiration, presigned.signed_headers().to_vec())
            }
            _ => {
                let expires = u32::try_from(seconds).map_err(|_| {
                    Error::without_field(ErrorKind::InvalidExpiry, "expiry out of range")
                })?;
                let key = self.signing_key(
                    credentials.access_key_secret(),
                    now,
                    endpoint.signing_region(),
                    endpoint.product(),
                );
                let additional: Vec<&str> = config
                    .additional_headers
                    .iter()
                    .map(String::as_str)
                    .collect();
                let params = v4::PresignParams::new(
                    credentials.access_key_id(),
                    endpoint.signing_region(),
                    now,
                    expires,
                )
                .product(endpoint.product())
                .security_token(credentials.security_token())
                .additional_headers(&additional);
                let presigned = v4::presign(&signable, &params, &key.key).map_err(sign_error)?;
                presigned.write_url_query(&mut url);
                // One copy of each signed header, straight from the borrowed pairs (the owned
                // list of `signed_headers()` would be built and then copied again).
                let signed: Vec<(String, String)> = presigned
                    .signed_header_pairs()
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect();
                (presigned.expiration(), signed)
            }
        };
        if url.ends_with('?') {
            url.pop();
        }

        let unsigned_headers = parts
            .headers
            .iter()
            .filter(|(name, _)| !is_listed(&signed_headers, name))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();

        Ok(PresignResult {
            method: static_method(method),
            url,
            expiration,
            signed_headers,
            unsigned_headers,
            credentials_expiration: credentials
                .expiration()
                .and_then(|at| SigningTime::try_from(at).ok()),
        })
    }
}

/// Whether `name` (any case) is in `signed`, a list sorted by lower-case name. Both V4 and V1
/// sign every `x-oss-*`, `content-type` and `content-md5` header, so those are answered from the
/// name alone; the others (additional headers) by a binary search, not a scan per header.
fn is_listed(signed: &[(String, String)], name: &str) -> bool {
    let bytes = name.as_bytes();
    let signed_by_default = (bytes.len() >= 6 && bytes[..6].eq_ignore_ascii_case(b"x-oss-"))
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5");
    if signed_by_default {
        return true;
    }
    signed
        .binary_search_by(|(listed, _)| cmp_with_lowercase(listed.as_bytes(), name.as_bytes()))
        .is_ok()
}

/// Orders `lower` (lower-case) against the lower-case form of `name`, without building it (a
/// plain byte loop: the iterator `cmp` it replaces cost 3 ns a byte).
fn cmp_with_lowercase(lower: &[u8], name: &[u8]) -> std::cmp::Ordering {
    for (&a, &b) in lower.iter().zip(name) {
        let b = b.to_ascii_lowercase();
        if a != b {
            return a.cmp(&b);
        }
    }
    lower.len().cmp(&name.len())
}

/// The method as a `'static` string when it is a common one (no allocation), else owned.
fn static_method(method: Cow<'_, str>) -> Cow<'static, str> {
    match method.as_ref() {
        "GET" => Cow::Borrowed("GET"),
        "PUT" => Cow::Borrowed("PUT"),
        "HEAD" => Cow::Borrowed("HEAD"),
        "POST" => Cow::Borrowed("POST"),
        "DELETE" => Cow::Borrowed("DELETE"),
        _ => Cow::Owned(method.into_owned()),
    }
}

/// Checks the method, bucket, key, headers and query of a request; returns the upper-cased
/// method.
pub(crate) fn check_parts<'a>(
    parts: &'a PresignParts<'_>,
    version: SignatureVersion,
) -> Result<Cow<'a, str>, Error> {
    let method: Cow<'a, str> =
        if !parts.method.is_empty() && parts.method.bytes().all(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(parts.method.as_ref())
        } else {
            Cow::Owned(validation::normalize_method(&parts.method)?)
        };
    validation::validate_bucket_name(parts.bucket)?;
    validation::validate_object_key(parts.key)?;
    if version == SignatureVersion::V1 {
        validation::validate_object_key_v1(parts.key)?;
    }
    check_headers(&parts.headers)?;
    check_query(&parts.query)?;
    Ok(method)
}

/// Checks every header and refuses a repeated name (case-insensitive).
///
/// The same error as checking header by header (each one validated, then compared with the
/// earlier ones): the repeat is found by sorting (`first_repeated_name`, O(n log n) instead of
/// every name against every earlier one), the headers up to and including it are validated in
/// order, and then the repeat is reported.
fn check_headers(headers: &[Pair<'_>]) -> Result<(), Error> {
    let repeated = oss_sign_core::first_repeated_name(headers, |(name, _)| name, true);
    let checked = repeated.map_or(headers.len(), |d| d + 1);
    for (name, value) in &headers[..checked] {
        validation::validate_header(name, value)?;
    }
    match repeated {
        Some(d) => Err(Error::new(
            ErrorKind::InvalidRequest,
            "header",
            format!(
                "header {} is given twice (names are case-insensitive); give each header once",
                quoted(&headers[d].0)
            ),
        )),
        None => Ok(()),
    }
}

/// Refuses empty and repeated (exact) query parameter names, with the error a check parameter
/// by parameter would give first (see [`check_headers`]).
fn check_query(query: &[Pair<'_>]) -> Result<(), Error> {
    let repeated = oss_sign_core::first_repeated_name(query, |(name, _)| name, false);
    let checked = repeated.map_or(query.len(), |d| d + 1);
    if query[..checked].iter().any(|(name, _)| name.is_empty()) {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "query",
            "a query parameter has an empty name; every parameter needs a name",
        ));
    }
    match repeated {
        Some(d) => Err(Error::new(
            ErrorKind::InvalidRequest,
            "query",
            format!(
                "query parameter {} is given twice; give each parameter once",
                quoted(&query[d].0)
            ),
        )),
        None => Ok(()),
    }
}

pub(crate) fn sign_error(err: SignError) -> Error {
    let kind = match err.kind() {
        SignErrorKind::InvalidExpiry => ErrorKind::InvalidExpiry,
        SignErrorKind::InvalidInput | SignErrorKind::InvalidEncoding => ErrorKind::InvalidRequest,
        _ => ErrorKind::Signing,
    };
    Error::without_field(kind, err.message().to_owned()).with_source(err)
}

pub(crate) fn credentials_error(err: oss_credentials::CredentialsError) -> Error {
    Error::new(
        ErrorKind::Credentials,
        "credentials",
        format!("could not get credentials: {err}"),
    )
    .with_source(err)
}

impl Inner {
    fn record_fetch(&self, error: Option<&oss_credentials::CredentialsError>) {
        let mut slot = self
            .last_fetch_error
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *slot = error.map(ToString::to_string);
    }
}

/// The most recently derived V4 signing key, with the secret it was derived from.
#[derive(Default)]
struct KeyCache {
    slot: RwLock<Option<Arc<CachedKey>>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").finish_non_exhaustive()
    }
}

pub(crate) struct CachedKey {
    secret: Zeroizing<String>,
    /// The UTC day of the key, in days since 1970 (cheaper to compare than the date text).
    day: i64,
    pub(crate) key: v4::SigningKey,
}

fn utc_day(time: SigningTime) -> i64 {
    time.unix_seconds().div_euclid(86_400)
}

impl CachedKey {
    fn matches(&self, secret: &str, time: SigningTime, region: &str, product: &str) -> bool {
        self.day == utc_day(time)
            && self.key.region() == region
            && self.key.product() == product
            && same_secret(self.secret.as_bytes(), secret.as_bytes())
    }
}

/// Equality of two secrets without an early exit: the bytes are XOR-folded branch-free (which
/// the compiler vectorises; `subtle`'s byte-wise `ct_eq` costs about 90 ns on a 36-byte secret,
/// a tenth of a whole presign) and the folded byte is compared with `subtle`.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    bool::from(diff.ct_eq(&0))
}

impl KeyCache {
    fn get(&self, secret: &str, time: SigningTime, region: &str, product: &str) -> Arc<CachedKey> {
        if let Ok(slot) = self.slot.read() {
            if let Some(cached) = slot.as_ref() {
                if cached.matches(secret, time, region, product) {
                    return Arc::clone(cached);
                }
            }
        }
        let fresh = Arc::new(CachedKey {
            secret: Zeroizing::new(secret.to_owned()),
            day: utc_day(time),
            key: v4::SigningKey::derive(secret, time, region, product),
        });
        // A poisoned lock only means another thread panicked while storing; the slot is
        // overwritten either way.
        let mut slot = match self.slot.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Some(Arc::clone(&fresh));
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks as they were before issue 17 (every name against every earlier one).
    fn pairwise_headers(headers: &[Pair<'_>]) -> Result<(), Error> {
        for (index, (name, value)) in headers.iter().enumerate() {
            validation::validate_header(name, value)?;
            if headers[..index]
                .iter()
                .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
            {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "header",
                    format!(
                        "header {} is given twice (names are case-insensitive); give each header once",
                        quoted(name)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn pairwise_query(query: &[Pair<'_>]) -> Result<(), Error> {
        for (index, (name, _)) in query.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "query",
                    "a query parameter has an empty name; every parameter needs a name",
                ));
            }
            if query[..index].iter().any(|(earlier, _)| earlier == name) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "query",
                    format!(
                        "query parameter {} is given twice; give each parameter once",
                        quoted(name)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn outcome(result: Result<(), Error>) -> Option<(ErrorKind, String)> {
        result.err().map(|e| (e.kind(), e.to_string()))
    }

    fn pairs(items: &[(&'static str, &'static str)]) -> Vec<Pair<'static>> {
        items
            .iter()
            .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
            .collect()
    }

    #[test]
    fn duplicate_header_refusal_is_unchanged() {
        let cases: [&[(&str, &str)]; 5] = [
            &[
                ("Content-Type", "a"),
                ("x-oss-meta-a", "1"),
                ("content-type", "b"),
            ],
            // the repeat is reported, not the later bad value
            &[
                ("x-oss-meta-a", "1"),
                ("X-OSS-META-A", "2"),
                ("bad name", "v"),
            ],
            // a bad header before the repeat wins
            &[
                ("x-oss-meta-a", "1"),
                ("x-oss-meta-b", "a\nb"),
                ("x-oss-meta-a", "2"),
            ],
            // the repeated header itself is validated first
            &[("x-oss-meta-a", "1"), ("x-oss-meta-a", "a\rb")],
            // the first repeat by position, not by name order
            &[("z", "1"), ("b", "1"), ("Z", "2"), ("B", "2")],
        ];
        for case in cases {
            let headers = pairs(case);
            let before = outcome(pairwise_headers(&headers));
            assert!(before.is_some(), "{case:?}");
            assert_eq!(outcome(check_headers(&headers)), before, "{case:?}");
        }
        let headers = pairs(&[("Content-Type", "a"), ("x", "1"), ("content-type", "b")]);
        let (kind, message) = outcome(check_headers(&headers)).unwrap_or_else(|| unreachable!());
        assert_eq!(kind, ErrorKind::InvalidRequest);
        assert!(
            message.contains(
                "header \"content-type\" is given twice (names are case-insensitive); give each header once"
            ),
            "{message}"
        );
    }

    proptest::proptest! {
        #[test]
        fn checks_answer_what_the_pairwise_checks_answered(
            items in proptest::collection::vec(
                (proptest::sample::select(vec![
                    "a", "A", "b", "x-oss-meta-k", "X-Oss-Meta-K", "", "bad name", "Range", "range",
                ]), proptest::sample::select(vec!["v", "", "a\nb", " x "])),
                0..40,
            ),
        ) {
            let list: Vec<Pair<'static>> = items
                .iter()
                .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
                .collect();
            proptest::prop_assert_eq!(outcome(check_headers(&list)), outcome(pairwise_headers(&list)));
            proptest::prop_assert_eq!(outcome(check_query(&list)), outcome(pairwise_query(&list)));
        }
    }

    #[test]
    fn listed_is_case_insensitive_membership() {
        let signed: Vec<(String, String)> =
            ["content-type", "host", "x-oss-meta-a", "x-oss-meta-b"]
                .iter()
                .map(|n| ((*n).to_owned(), String::new()))
                .collect();
        for name in [
            "Content-Type",
            "x-oss-meta-a",
            "X-OSS-META-B",
            "Host",
            "host",
        ] {
            assert!(is_listed(&signed, name), "{name}");
        }
        for name in ["Range", "hos", "hosts", "content-typ", ""] {
            assert!(!is_listed(&signed, name), "{name}");
        }
    }

    #[test]
    fn same_secret_is_plain_equality() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(same_secret(b"", b""));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"\x00", b""));
    }

    #[test]
    fn common_methods_are_static() {
        assert!(matches!(
            static_method(Cow::Owned("GET".into())),
            Cow::Borrowed("GET")
        ));
        assert!(matches!(static_method(Cow::Borrowed("PATCH")), Cow::Owned(m) if m == "PATCH"));
    }
}
