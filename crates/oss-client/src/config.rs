//! Client configuration: a validated builder for region, endpoint and its options, signature
//! version, additional signed headers, credentials and clock.

use std::fmt;
use std::sync::Arc;

use oss_credentials::{Credentials, ProvideCredentials, StaticProvider};

use crate::clock::{Clock, SystemClock};
use crate::endpoint::{self, EndpointOptions, ResolvedEndpoint};
use crate::error::{quoted, Error, ErrorKind};
use crate::validation;

/// Environment variable holding the region (`cn-hangzhou`), read by
/// [`ConfigBuilder::load_env`].
pub const ENV_REGION: &str = "OSS_REGION";
/// Environment variable holding the endpoint, read by [`ConfigBuilder::load_env`].
pub const ENV_ENDPOINT: &str = "OSS_ENDPOINT";

/// Which signature the client produces: V4 (`OSS4-HMAC-SHA256`, the default, at most 7 days
/// of validity) or V1 (`OSSAccessKeyId` / `Expires` / `Signature`, HMAC-SHA1, no expiry
/// maximum). The one type of the workspace, re-exported from `oss-sign-core`, whose verifier
/// reports the same value.
///
/// ```
/// use oss_client::{Config, SignatureVersion};
/// let config = Config::builder().region("cn-hangzhou").build()?;
/// assert_eq!(config.signature_version(), SignatureVersion::V4);
/// assert_eq!(oss_sign_core::verify::SignatureVersion::V1, SignatureVersion::V1);
/// # Ok::<(), oss_client::Error>(())
/// ```
pub use oss_sign_core::verify::SignatureVersion;

/// A validated client configuration. Build it with [`Config::builder`].
///
/// ```
/// use oss_client::{Config, SignatureVersion};
///
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .signature_version(SignatureVersion::V4)
///     .build()?;
/// assert_eq!(config.region(), Some("cn-hangzhou"));
/// assert_eq!(config.endpoint().authority(), "oss-cn-hangzhou.aliyuncs.com");
/// # Ok::<(), oss_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) endpoint: ResolvedEndpoint,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) additional_headers: Vec<String>,
    pub(crate) credentials: Option<Arc<dyn ProvideCredentials>>,
    /// Set when the credentials were given as a value: the sync path skips the provider.
    pub(crate) static_credentials: Option<Credentials>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Config {
    /// A builder with every option unset (V4, https, virtual-hosted style, system clock).
    ///
    /// ```
    /// let config = oss_client::Config::builder().region("cn-hangzhou").build()?;
    /// assert_eq!(config.signature_version(), oss_client::SignatureVersion::V4);
    /// assert_eq!(config.endpoint().authority(), "oss-cn-hangzhou.aliyuncs.com");
    /// // Without a region or an endpoint there is nothing to sign for.
    /// assert!(oss_client::Config::builder().build().is_err());
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The configured region, if any.
    ///
    /// ```
    /// let c = oss_client::Config::builder().region("eu-central-1").build()?;
    /// assert_eq!(c.region(), Some("eu-central-1"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The resolved endpoint (scheme, host, URL style, V4 scope region and product).
    ///
    /// ```
    /// let c = oss_client::Config::builder().region("cn-hangzhou").build()?;
    /// assert_eq!(c.endpoint().signing_region(), "cn-hangzhou");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn endpoint(&self) -> &ResolvedEndpoint {
        &self.endpoint
    }

    /// The signature version.
    ///
    /// ```
    /// use oss_client::{Config, SignatureVersion};
    /// let c = Config::builder().region("cn-hangzhou").signature_version(SignatureVersion::V1).build()?;
    /// assert_eq!(c.signature_version(), SignatureVersion::V1);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    /// Header names signed in addition to `x-oss-*`, `Content-Type` and `Content-MD5` (V4).
    ///
    /// ```
    /// let c = oss_client::Config::builder()
    ///     .region("cn-hangzhou")
    ///     .additional_headers(["Content-Disposition"])
    ///     .build()?;
    /// assert_eq!(c.additional_headers(), ["Content-Disposition"]);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn additional_headers(&self) -> &[String] {
        &self.additional_headers
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Config");
        d.field("region", &self.region)
            .field("endpoint", &self.endpoint);
        finish_debug(
            &mut d,
            self.signature_version,
            &self.additional_headers,
            &self.credentials,
            &self.clock,
        )
    }
}

/// Ends the `Debug` of [`Config`] and of its builder with the fields they share: the signature
/// version, the additional headers, the credentials (by provider name only, never a secret)
/// and the clock.
fn finish_debug(
    d: &mut fmt::DebugStruct<'_, '_>,
    signature_version: SignatureVersion,
    additional_headers: &[String],
    credentials: &Option<Arc<dyn ProvideCredentials>>,
    clock: &dyn fmt::Debug,
) -> fmt::Result {
    d.field("signature_version", &signature_version)
        .field("additional_headers", &additional_headers)
        .field(
            "credentials",
            &credentials.as_ref().map(|provider| provider.name()),
        )
        .field("clock", clock)
        .finish()
}

/// Builder of [`Config`]; every setter takes and returns the builder, and [`build`](Self::build)
/// checks everything at once.
///
/// ```
/// use oss_client::{Config, FixedClock, SigningTime, UrlStyle};
/// use oss_credentials::Credentials;
///
/// let config = Config::builder()
///     .region("cn-hangzhou")
///     .endpoint("http://127.0.0.1:9000")
///     .credentials(Credentials::new("LTAI5tExampleAccessKeyId", "ExampleSecret")?)
///     .clock(FixedClock::new(SigningTime::parse_rfc3339("2024-11-12T09:27:56Z")?))
///     .build()?;
/// assert_eq!(config.endpoint().style(), UrlStyle::Path);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    use_internal: bool,
    use_accelerate: bool,
    use_dualstack: bool,
    use_cname: bool,
    use_path_style: bool,
    disable_ssl: bool,
    cloud_box_id: Option<String>,
    auto_detect_cloud_box: bool,
    /// `None` until set: V4.
    signature_version: Option<SignatureVersion>,
    additional_headers: Vec<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    static_credentials: Option<Credentials>,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ConfigBuilder");
        d.field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("use_internal", &self.use_internal)
            .field("use_accelerate", &self.use_accelerate)
            .field("use_dualstack", &self.use_dualstack)
            .field("use_cname", &self.use_cname)
            .field("use_path_style", &self.use_path_style)
            .field("disable_ssl", &self.disable_ssl)
            .field("cloud_box_id", &self.cloud_box_id)
            .field("auto_detect_cloud_box", &self.auto_detect_cloud_box);
        finish_debug(
            &mut d,
            self.version(),
            &self.additional_headers,
            &self.credentials,
            &self.clock,
        )
    }
}

/// Builder setters that store their argument in a field: `name => field: bool;` sets the
/// flag, `name => field: String;` sets `Some(value.into())`; each keeps the docs written above
/// it.
macro_rules! builder_setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident: $kind:ident;)*) => {
        $(builder_setters!(@one $(#[$doc])* $name, $field, $kind);)*
    };
    (@one $(#[$doc:meta])* $name:ident, $field:ident, bool) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, yes: bool) -> Self {
            self.$field = yes;
            self
        }
    };
    (@one $(#[$doc:meta])* $name:ident, $field:ident, String) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
}

impl ConfigBuilder {
    /// The signature version set, or V4.
    fn version(&self) -> SignatureVersion {
        self.signature_version.unwrap_or(SignatureVersion::V4)
    }

    builder_setters! {
        /// The region id, e.g. `cn-hangzhou` (not `oss-cn-hangzhou`). Used for the derived host
        /// and always as the V4 scope region.
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("ap-southeast-1").build()?;
        /// assert_eq!(c.endpoint().authority(), "oss-ap-southeast-1.aliyuncs.com");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        region => region: String;

        /// An explicit endpoint, `host[:port]` with or without `http://` / `https://`. It is used
        /// as given and overrides the internal, dual-stack and accelerate options.
        ///
        /// ```
        /// let c = oss_client::Config::builder()
        ///     .region("cn-hangzhou")
        ///     .endpoint("https://oss-cn-hangzhou.aliyuncs.com:8443")
        ///     .build()?;
        /// assert_eq!(c.endpoint().object_url("examplebucket", "k"),
        ///            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com:8443/k");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        endpoint => endpoint: String;

        /// Use the region's internal host `oss-{region}-internal.aliyuncs.com`.
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("cn-hangzhou").use_internal_endpoint(true).build()?;
        /// assert_eq!(c.endpoint().authority(), "oss-cn-hangzhou-internal.aliyuncs.com");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        use_internal_endpoint => use_internal: bool;

        /// Use the global acceleration host `oss-accelerate.aliyuncs.com`.
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("cn-hangzhou").use_accelerate_endpoint(true).build()?;
        /// assert_eq!(c.endpoint().authority(), "oss-accelerate.aliyuncs.com");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        use_accelerate_endpoint => use_accelerate: bool;

        /// Use the dual-stack (IPv4 + IPv6) host `{region}.oss.aliyuncs.com`.
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("cn-hangzhou").use_dualstack_endpoint(true).build()?;
        /// assert_eq!(c.endpoint().authority(), "cn-hangzhou.oss.aliyuncs.com");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        use_dualstack_endpoint => use_dualstack: bool;

        /// The endpoint is a custom domain bound to the bucket: the bucket is not put in the URL.
        ///
        /// ```
        /// let c = oss_client::Config::builder()
        ///     .region("cn-hangzhou").endpoint("static.example.com").use_cname(true).build()?;
        /// assert_eq!(c.endpoint().object_url("examplebucket", "k"), "https://static.example.com/k");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        use_cname => use_cname: bool;

        /// Put the bucket in the path (`https://host/bucket/key`) instead of the host.
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("cn-beijing").use_path_style(true).build()?;
        /// assert_eq!(c.endpoint().object_url("examplebucket", "k"),
        ///            "https://oss-cn-beijing.aliyuncs.com/examplebucket/k");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        use_path_style => use_path_style: bool;

        /// Use `http` for endpoints that have no scheme of their own (and derived ones).
        ///
        /// ```
        /// let c = oss_client::Config::builder().region("cn-hangzhou").disable_ssl(true).build()?;
        /// assert_eq!(c.endpoint().scheme().as_str(), "http");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        disable_ssl => disable_ssl: bool;

        /// A CloudBox id: it replaces the region in the V4 scope and the product becomes
        /// `oss-cloudbox`. The endpoint must be given as well.
        ///
        /// ```
        /// let c = oss_client::Config::builder()
        ///     .region("cn-hangzhou")
        ///     .endpoint("cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com")
        ///     .cloud_box_id("cb-123")
        ///     .build()?;
        /// assert_eq!(c.endpoint().product(), "oss-cloudbox");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        cloud_box_id => cloud_box_id: String;

        /// Take the CloudBox id from an endpoint of the form
        /// `cb-xxx.{region}.oss-cloudbox[-control].aliyuncs.com` (an explicit id wins).
        ///
        /// ```
        /// let c = oss_client::Config::builder()
        ///     .region("cn-hangzhou")
        ///     .endpoint("cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com")
        ///     .auto_detect_cloud_box_id(true)
        ///     .build()?;
        /// assert_eq!(c.endpoint().signing_region(), "cb-123");
        /// # Ok::<(), oss_client::Error>(())
        /// ```
        auto_detect_cloud_box_id => auto_detect_cloud_box: bool;
    }

    /// V4 (default) or V1 signatures.
    ///
    /// ```
    /// use oss_client::{Config, SignatureVersion};
    /// let c = Config::builder().region("cn-hangzhou").signature_version(SignatureVersion::V1).build()?;
    /// assert_eq!(c.signature_version(), SignatureVersion::V1);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    #[must_use]
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = Some(version);
        self
    }

    /// Further header names to sign (V4), e.g. `Content-Disposition` or `Host`. Names are
    /// compared case-insensitively; names the request does not carry (and empty names) are
    /// skipped, and names signed anyway (`x-oss-*`, `Content-Type`, `Content-MD5`) are not
    /// listed twice. A name that is not a valid header name is an error at `build()`.
    ///
    /// ```
    /// let c = oss_client::Config::builder()
    ///     .region("cn-hangzhou")
    ///     .additional_headers(["Host", "Content-Language"])
    ///     .build()?;
    /// assert_eq!(c.additional_headers().len(), 2);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    #[must_use]
    pub fn additional_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.additional_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// Fixed credentials (a [`StaticProvider`]).
    ///
    /// ```
    /// use oss_credentials::Credentials;
    /// let c = oss_client::Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials(Credentials::new("LTAIexample", "secret")?)
    ///     .build()?;
    /// let client = oss_client::Client::new(c);
    /// let result = client.presign(&oss_client::GetObjectRequest::new("examplebucket", "k"))?;
    /// assert!(result.url().contains("x-oss-credential=LTAIexample%2F"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::from_credentials(
            credentials.clone(),
        )));
        self.static_credentials = Some(credentials);
        self
    }

    /// Any credentials provider (environment, default chain, STS, ...). The sync
    /// [`Client::presign`](crate::Client::presign) uses what it has cached; providers that
    /// need I/O are fetched by [`Client::presign_async`](crate::Client::presign_async) or a
    /// [`Client::credentials_refresher`](crate::Client::credentials_refresher).
    ///
    /// ```
    /// use oss_credentials::{EnvProvider, Environment};
    /// let env = Environment::from_map([
    ///     ("OSS_ACCESS_KEY_ID", "LTAIfromenv"),
    ///     ("OSS_ACCESS_KEY_SECRET", "secret"),
    /// ]);
    /// let c = oss_client::Config::builder()
    ///     .region("cn-hangzhou")
    ///     .credentials_provider(EnvProvider::with_environment(env))
    ///     .build()?;
    /// let client = oss_client::Client::new(c);
    /// let request = oss_client::GetObjectRequest::new("examplebucket", "k");
    /// let options = oss_client::PresignOptions::new();
    /// let result = futures_executor::block_on(client.presign_async(&request, &options))?;
    /// assert!(result.url().contains("x-oss-credential=LTAIfromenv%2F"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    #[must_use]
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self.static_credentials = None;
        self
    }

    /// A shared credentials provider.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use oss_credentials::{Credentials, ProvideCredentials, StaticProvider};
    /// let shared: Arc<dyn ProvideCredentials> =
    ///     Arc::new(StaticProvider::from_credentials(Credentials::new("id", "secret")?));
    /// let c = oss_client::Config::builder().region("cn-hangzhou").shared_credentials_provider(shared).build()?;
    /// let client = oss_client::Client::new(c);
    /// let request = oss_client::GetObjectRequest::new("examplebucket", "k");
    /// let options = oss_client::PresignOptions::new();
    /// let result = futures_executor::block_on(client.presign_async(&request, &options))?;
    /// assert!(result.url().contains("x-oss-credential=id%2F"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn shared_credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self.static_credentials = None;
        self
    }

    /// The clock that gives the signing instant (default: [`SystemClock`]).
    ///
    /// ```
    /// use oss_client::{Config, FixedClock, SigningTime};
    /// let c = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .clock(FixedClock::new(SigningTime::from_unix_seconds(1_700_000_000)?))
    ///     .credentials(oss_client::credentials::Credentials::new("ak", "sk")?)
    ///     .build()?;
    /// let result = oss_client::Client::new(c).presign(&oss_client::GetObjectRequest::new("examplebucket", "k"))?;
    /// assert!(result.url().contains("x-oss-date=20231114T221320Z&"));
    /// assert_eq!(result.expiration().unix_seconds(), 1_700_000_000 + 900);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Fills the region and endpoint from `OSS_REGION` and `OSS_ENDPOINT` where they are not
    /// set already (explicit settings win; empty variables are ignored).
    ///
    /// ```
    /// // With OSS_REGION unset, an explicit region is kept either way.
    /// let c = oss_client::Config::builder().region("cn-hangzhou").load_env().build()?;
    /// assert!(c.region().is_some());
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    #[must_use]
    pub fn load_env(self) -> Self {
        self.load_env_from(|name| std::env::var(name).ok())
    }

    /// Like [`load_env`](Self::load_env), reading variables through `lookup` (for tests and
    /// for callers with their own environment map).
    ///
    /// ```
    /// let c = oss_client::Config::builder()
    ///     .load_env_from(|name| (name == "OSS_REGION").then(|| "cn-shanghai".to_string()))
    ///     .build()?;
    /// assert_eq!(c.region(), Some("cn-shanghai"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    #[must_use]
    pub fn load_env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if self.region.is_none() {
            self.region = non_empty(ENV_REGION);
        }
        if self.endpoint.is_none() {
            self.endpoint = non_empty(ENV_ENDPOINT);
        }
        self
    }

    /// Checks every option and resolves the endpoint.
    ///
    /// Errors: an invalid or `oss-`-prefixed region, an unparsable endpoint, no region and no
    /// endpoint, no region (or cloud box id) for V4 signing, an invalid additional header name.
    ///
    /// ```
    /// use oss_client::{Config, ErrorKind};
    /// assert_eq!(Config::builder().build().unwrap_err().kind(), ErrorKind::InvalidConfig);
    /// assert_eq!(
    ///     Config::builder().region("cn-hangzhou").endpoint("ftp://x").build().unwrap_err().kind(),
    ///     ErrorKind::InvalidEndpoint
    /// );
    /// ```
    pub fn build(mut self) -> Result<Config, Error> {
        // An empty name names no header: like a name the request does not carry, it is
        // dropped (policy b of the conformance format).
        self.additional_headers.retain(|name| !name.is_empty());
        if let Some(region) = &self.region {
            validation::validate_region(region)?;
        }
        if let Some(id) = &self.cloud_box_id {
            validation::validate_cloud_box_id(id)?;
        }
        for name in &self.additional_headers {
            validation::validate_header(name, "").map_err(|_| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    "additional_headers",
                    format!(
                        "additional header {} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                        quoted(name)
                    ),
                )
            })?;
        }
        let resolved = endpoint::resolve(&EndpointOptions {
            region: self.region.as_deref(),
            endpoint: self.endpoint.as_deref(),
            use_internal: self.use_internal,
            use_accelerate: self.use_accelerate,
            use_dualstack: self.use_dualstack,
            use_cname: self.use_cname,
            use_path_style: self.use_path_style,
            disable_ssl: self.disable_ssl,
            cloud_box_id: self.cloud_box_id.as_deref(),
            auto_detect_cloud_box: self.auto_detect_cloud_box,
        })?;
        let signature_version = self.version();
        if signature_version == SignatureVersion::V4 && resolved.signing_region().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "region",
                "V4 signing needs the region for its scope, also with an explicit endpoint; set the region (e.g. \"cn-hangzhou\") or OSS_REGION",
            ));
        }
        Ok(Config {
            region: self.region,
            endpoint: resolved,
            signature_version,
            additional_headers: self.additional_headers,
            credentials: self.credentials,
            static_credentials: self.static_credentials,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        })
    }
}
