//! Endpoint resolution: from the configured region, endpoint and options to the scheme,
//! host, URL style and V4 scope a request is signed and sent with.
//!
//! The rules, in order (they are those of the official v2 SDKs, with the project's fixes):
//!
//! 1. An explicit endpoint (`host[:port]`, optionally with `http://` or `https://`) is used as
//!    given; the internal, dual-stack and accelerate options are then ignored. Without an
//!    endpoint the host is derived from the region:
//!
//!    | option | host |
//!    | --- | --- |
//!    | none | `oss-{region}.aliyuncs.com` |
//!    | internal | `oss-{region}-internal.aliyuncs.com` |
//!    | dual-stack | `{region}.oss.aliyuncs.com` |
//!    | accelerate | `oss-accelerate.aliyuncs.com` |
//!
//!    When several of these options are set, dual-stack wins over internal, which wins over
//!    accelerate (the order of alibabacloud-oss-v2 for Python, the reference SDK for them).
//! 2. The scheme is the endpoint's own one; otherwise `https`, or `http` with `disable_ssl`.
//! 3. URL style: CNAME over path style over virtual-hosted; an endpoint whose host is an IPv4
//!    or IPv6 literal always uses path style (IPv6 with brackets, `http://[::1]:9000/bucket/key`).
//! 4. The V4 scope region is always the configured region, whatever the host; a cloud box id
//!    replaces it and switches the product to `oss-cloudbox`.
//!
//! ```
//! use oss_client::{Config, UrlStyle};
//!
//! let config = Config::builder().region("cn-hangzhou").use_internal_endpoint(true).build()?;
//! let endpoint = config.endpoint();
//! assert_eq!(endpoint.authority(), "oss-cn-hangzhou-internal.aliyuncs.com");
//! assert_eq!(endpoint.style(), UrlStyle::VirtualHosted);
//! assert_eq!(endpoint.object_url("examplebucket", "a b.txt"),
//!            "https://examplebucket.oss-cn-hangzhou-internal.aliyuncs.com/a%20b.txt");
//!
//! let config = Config::builder().region("cn-hangzhou").endpoint("http://127.0.0.1:9000").build()?;
//! assert_eq!(config.endpoint().object_url("examplebucket", "k"), "http://127.0.0.1:9000/examplebucket/k");
//! # Ok::<(), oss_client::Error>(())
//! ```

use std::fmt;

use oss_sign_core::encoding::uri_encode_into;

use crate::error::{quoted, Error, ErrorKind};

mod ip_literal;

/// The signing product of ordinary OSS.
pub const PRODUCT_OSS: &str = "oss";
/// The signing product of OSS on CloudBox.
pub const PRODUCT_CLOUD_BOX: &str = "oss-cloudbox";

/// URL scheme of the endpoint.
///
/// ```
/// use oss_client::Scheme;
/// assert_eq!(Scheme::Https.as_str(), "https");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Plain HTTP (`disable_ssl`, or an `http://` endpoint).
    Http,
    /// HTTPS, the default.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    ///
    /// ```
    /// assert_eq!(oss_client::Scheme::Http.as_str(), "http");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the bucket name goes in a URL.
///
/// ```
/// use oss_client::{Config, UrlStyle};
/// let config = Config::builder().region("cn-hangzhou").use_path_style(true).build()?;
/// assert_eq!(config.endpoint().style(), UrlStyle::Path);
/// # Ok::<(), oss_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlStyle {
    /// `https://{bucket}.{host}/{key}` (the default).
    VirtualHosted,
    /// `https://{host}/{bucket}/{key}` (path style, and any IP-literal endpoint).
    Path,
    /// `https://{custom domain}/{key}`: the endpoint is a domain bound to the bucket.
    Cname,
}

/// Which region-derived host is used when no explicit endpoint is configured.
///
/// ```
/// use oss_client::{Config, EndpointKind};
/// let config = Config::builder().region("cn-hangzhou").use_dualstack_endpoint(true).build()?;
/// assert_eq!(config.endpoint().kind(), EndpointKind::DualStack);
/// # Ok::<(), oss_client::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointKind {
    /// `oss-{region}.aliyuncs.com`.
    Public,
    /// `oss-{region}-internal.aliyuncs.com` (from inside the region's VPC or ECS).
    Internal,
    /// `{region}.oss.aliyuncs.com` (IPv4 and IPv6).
    DualStack,
    /// `oss-accelerate.aliyuncs.com` (transfer acceleration; must be enabled on the bucket).
    Accelerate,
    /// An endpoint given explicitly, used as is.
    Custom,
}

/// The outcome of endpoint resolution: everything needed to write a URL and a V4 scope.
///
/// Obtained from [`Config::endpoint`](crate::Config::endpoint).
///
/// ```
/// use oss_client::{Config, Scheme, UrlStyle};
/// let config = Config::builder()
///     .region("cn-beijing")
///     .endpoint("static.example.com")
///     .use_cname(true)
///     .build()?;
/// let e = config.endpoint();
/// assert_eq!((e.scheme(), e.authority(), e.style()), (Scheme::Https, "static.example.com", UrlStyle::Cname));
/// assert_eq!((e.signing_region(), e.product()), ("cn-beijing", "oss"));
/// # Ok::<(), oss_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    scheme: Scheme,
    authority: String,
    style: UrlStyle,
    kind: EndpointKind,
    signing_region: String,
    product: &'static str,
    /// What an object URL holds before the bucket (`https://`, or `https://host/` in path
    /// style and for a CNAME), and after it (`.host/` in virtual-hosted style, `/` in path
    /// style; a CNAME URL has no bucket): written once here instead of piece by piece in every
    /// presign.
    url_before_bucket: String,
    url_after_bucket: String,
}

impl ResolvedEndpoint {
    /// The URL scheme.
    ///
    /// ```
    /// use oss_client::{Config, Scheme};
    /// let c = Config::builder().region("cn-hangzhou").disable_ssl(true).build()?;
    /// assert_eq!(c.endpoint().scheme(), Scheme::Http);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The endpoint host with its port, if any (`oss-cn-hangzhou.aliyuncs.com`,
    /// `localhost:8443`, `[::1]:9000`), without the bucket.
    ///
    /// ```
    /// use oss_client::Config;
    /// let c = Config::builder().region("cn-hangzhou").endpoint("https://[::1]:9000").build()?;
    /// assert_eq!(c.endpoint().authority(), "[::1]:9000");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The URL style in effect (after the IP-literal rule).
    ///
    /// ```
    /// use oss_client::{Config, UrlStyle};
    /// let c = Config::builder().region("cn-hangzhou").endpoint("10.0.0.1").use_cname(true).build()?;
    /// assert_eq!(c.endpoint().style(), UrlStyle::Path);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn style(&self) -> UrlStyle {
        self.style
    }

    /// Which kind of host this is.
    ///
    /// ```
    /// use oss_client::{Config, EndpointKind};
    /// let c = Config::builder().region("cn-hangzhou").build()?;
    /// assert_eq!(c.endpoint().kind(), EndpointKind::Public);
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn kind(&self) -> EndpointKind {
        self.kind
    }

    /// The region of the V4 scope (the configured region, or the cloud box id).
    ///
    /// ```
    /// use oss_client::Config;
    /// let c = Config::builder().region("cn-hangzhou").use_accelerate_endpoint(true).build()?;
    /// assert_eq!(c.endpoint().authority(), "oss-accelerate.aliyuncs.com");
    /// assert_eq!(c.endpoint().signing_region(), "cn-hangzhou");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn signing_region(&self) -> &str {
        &self.signing_region
    }

    /// The product of the V4 scope: `oss`, or `oss-cloudbox` with a cloud box.
    ///
    /// ```
    /// use oss_client::Config;
    /// let c = Config::builder()
    ///     .region("cn-hangzhou")
    ///     .endpoint("cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com")
    ///     .cloud_box_id("cb-123")
    ///     .build()?;
    /// assert_eq!((c.endpoint().signing_region(), c.endpoint().product()), ("cb-123", "oss-cloudbox"));
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn product(&self) -> &str {
        self.product
    }

    /// The URL of an object, without a query: scheme, host (with the bucket for
    /// virtual-hosted style) and the escaped key (`/` kept, everything outside
    /// `A-Z a-z 0-9 - . _ ~` percent-encoded).
    ///
    /// The bucket and key are not validated here; [`Client::presign`](crate::Client::presign)
    /// does that.
    ///
    /// ```
    /// use oss_client::Config;
    /// let c = Config::builder().region("cn-hangzhou").build()?;
    /// assert_eq!(c.endpoint().object_url("examplebucket", "a+b/c!"),
    ///            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%2Bb/c%21");
    /// # Ok::<(), oss_client::Error>(())
    /// ```
    pub fn object_url(&self, bucket: &str, key: &str) -> String {
        let mut out = String::with_capacity(self.url_capacity(bucket, key));
        self.write_object_url(&mut out, bucket, key);
        out
    }

    /// A capacity that fits the URL without its query (keys may triple when escaped).
    pub(crate) fn url_capacity(&self, bucket: &str, key: &str) -> usize {
        self.authority.len() + bucket.len() + key.len() * 3 + 12
    }

    /// The exact length of the URL without its query, for a key whose encoded form is
    /// `encoded_key_len` bytes long.
    #[inline]
    pub(crate) fn url_capacity_encoded(&self, bucket: &str, encoded_key_len: usize) -> usize {
        let bucket_part = if self.style == UrlStyle::Cname {
            0
        } else {
            bucket.len() + self.url_after_bucket.len()
        };
        self.url_before_bucket.len() + bucket_part + encoded_key_len
    }

    pub(crate) fn write_object_url(&self, out: &mut String, bucket: &str, key: &str) {
        self.write_object_prefix(out, bucket);
        uri_encode_into(out, key, true);
    }

    /// [`write_object_url`](Self::write_object_url) with the key already encoded (as the
    /// canonical URI holds it).
    #[inline]
    pub(crate) fn write_object_url_encoded(&self, out: &mut String, bucket: &str, key: &str) {
        self.write_object_prefix(out, bucket);
        out.push_str(key);
    }

    #[inline]
    fn write_object_prefix(&self, out: &mut String, bucket: &str) {
        out.push_str(&self.url_before_bucket);
        if self.style != UrlStyle::Cname {
            out.push_str(bucket);
            out.push_str(&self.url_after_bucket);
        }
    }
}

/// The options that take part in endpoint resolution, collected by the config builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct EndpointOptions<'a> {
    pub(crate) region: Option<&'a str>,
    pub(crate) endpoint: Option<&'a str>,
    pub(crate) use_internal: bool,
    pub(crate) use_accelerate: bool,
    pub(crate) use_dualstack: bool,
    pub(crate) use_cname: bool,
    pub(crate) use_path_style: bool,
    pub(crate) disable_ssl: bool,
    pub(crate) cloud_box_id: Option<&'a str>,
    pub(crate) auto_detect_cloud_box: bool,
}

/// Resolves the endpoint. The region and cloud box id must already be validated.
pub(crate) fn resolve(opts: &EndpointOptions<'_>) -> Result<ResolvedEndpoint, Error> {
    let default_scheme = if opts.disable_ssl {
        Scheme::Http
    } else {
        Scheme::Https
    };
    let (scheme, authority, kind, ip_literal, host_only) = match opts.endpoint {
        Some(raw) => {
            let parsed = parse_endpoint(raw)?;
            (
                parsed.scheme.unwrap_or(default_scheme),
                parsed.authority,
                EndpointKind::Custom,
                parsed.ip_literal,
                parsed.host,
            )
        }
        None => {
            let Some(region) = opts.region else {
                return Err(Error::new(
                    ErrorKind::InvalidConfig,
                    "region",
                    "neither a region nor an endpoint is set; set the region (e.g. \"cn-hangzhou\") or OSS_REGION",
                ));
            };
            let (host, kind) = if opts.use_dualstack {
                (
                    format!("{region}.oss.aliyuncs.com"),
                    EndpointKind::DualStack,
                )
            } else if opts.use_internal {
                (
                    format!("oss-{region}-internal.aliyuncs.com"),
                    EndpointKind::Internal,
                )
            } else if opts.use_accelerate {
                (
                    "oss-accelerate.aliyuncs.com".to_owned(),
                    EndpointKind::Accelerate,
                )
            } else {
                (format!("oss-{region}.aliyuncs.com"), EndpointKind::Public)
            };
            (default_scheme, host.clone(), kind, false, host)
        }
    };

    let style = if ip_literal {
        UrlStyle::Path
    } else if opts.use_cname {
        UrlStyle::Cname
    } else if opts.use_path_style {
        UrlStyle::Path
    } else {
        UrlStyle::VirtualHosted
    };

    let (signing_region, product) = if let Some(id) = opts.cloud_box_id {
        (id.to_owned(), PRODUCT_CLOUD_BOX)
    } else if let Some(id) = opts
        .auto_detect_cloud_box
        .then(|| detect_cloud_box_id(&host_only))
        .flatten()
    {
        (id, PRODUCT_CLOUD_BOX)
    } else {
        match opts.region {
            Some(region) => (region.to_owned(), PRODUCT_OSS),
            None => (String::new(), PRODUCT_OSS),
        }
    };

    let (url_before_bucket, url_after_bucket) = match style {
        UrlStyle::VirtualHosted => (format!("{scheme}://"), format!(".{authority}/")),
        UrlStyle::Path => (format!("{scheme}://{authority}/"), "/".to_owned()),
        UrlStyle::Cname => (format!("{scheme}://{authority}/"), String::new()),
    };
    Ok(ResolvedEndpoint {
        scheme,
        authority,
        style,
        kind,
        signing_region,
        product,
        url_before_bucket,
        url_after_bucket,
    })
}

/// `cb-xxx.<region>.oss-cloudbox[-control].aliyuncs.com`, exactly five labels: the first
/// label is the cloud box id.
fn detect_cloud_box_id(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    if !(host.ends_with(".oss-cloudbox.aliyuncs.com")
        || host.ends_with(".oss-cloudbox-control.aliyuncs.com"))
    {
        return None;
    }
    if host.split('.').count() != 5 {
        return None;
    }
    host.split('.')
        .next()
        .filter(|label| label.starts_with("cb-"))
        .map(str::to_owned)
}

/// An endpoint as the user wrote it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedEndpoint {
    pub(crate) scheme: Option<Scheme>,
    /// host[:port], IPv6 literals in brackets.
    pub(crate) authority: String,
    /// The host without port (IPv6 in brackets).
    pub(crate) host: String,
    pub(crate) ip_literal: bool,
}

fn endpoint_error(raw: &str, rule: impl fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidEndpoint,
        "endpoint",
        format!("endpoint {} {rule}", quoted(raw)),
    )
}

/// Parses `[scheme://]host[:port][/]`.
pub(crate) fn parse_endpoint(raw: &str) -> Result<ParsedEndpoint, Error> {
    const FORM: &str = "expected [http:// or https://]host[:port], e.g. \"oss-cn-hangzhou.aliyuncs.com\" or \"http://127.0.0.1:9000\"";
    // Byte windows rather than `str::find` (whose two-way searcher is 2 KB in the
    // WebAssembly module): the same first position.
    let (scheme, rest) = match raw.as_bytes().windows(3).position(|w| w == b"://") {
        Some(at) => {
            let scheme = &raw[..at];
            let scheme = if scheme.eq_ignore_ascii_case("https") {
                Scheme::Https
            } else if scheme.eq_ignore_ascii_case("http") {
                Scheme::Http
            } else {
                return Err(endpoint_error(
                    raw,
                    format_args!(
                        "has the scheme {}; only http and https are supported",
                        quoted(scheme)
                    ),
                ));
            };
            (Some(scheme), &raw[at + 3..])
        }
        None => (None, raw),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Err(endpoint_error(raw, format_args!("has no host; {FORM}")));
    }
    if let Some(c) = rest
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#' | '@' | '\\') || c.is_whitespace() || c.is_control())
    {
        let what = match c {
            '/' => "a path (an endpoint must not contain the bucket or a path)".to_owned(),
            '?' => "a query".to_owned(),
            '#' => "a fragment".to_owned(),
            '@' => "user information".to_owned(),
            _ => format!("the character {c:?}"),
        };
        return Err(endpoint_error(raw, format_args!("contains {what}; {FORM}")));
    }

    // IPv6 literal in brackets, with an optional port.
    if let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(endpoint_error(
                raw,
                format_args!("has an IPv6 literal without its closing ']'; {FORM}"),
            ));
        };
        let addr = &inner[..close];
        if !ip_literal::is_ipv6(addr) {
            return Err(endpoint_error(
                raw,
                format_args!(
                    "has {} in brackets, which is not an IPv6 address",
                    quoted(addr)
                ),
            ));
        }
        let after = &inner[close + 1..];
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => {
                    return Err(endpoint_error(
                        raw,
                        format_args!("has {} after the IPv6 literal; {FORM}", quoted(after)),
                    ))
                }
            },
        };
        if let Some(port) = port {
            check_port(raw, port)?;
        }
        return Ok(ParsedEndpoint {
            scheme,
            authority: rest.to_owned(),
            host: format!("[{addr}]"),
            ip_literal: true,
        });
    }

    // A bare IPv6 literal (several colons, no brackets, hence no port).
    if rest.bytes().filter(|&b| b == b':').count() > 1 {
        if !ip_literal::is_ipv6(rest) {
            return Err(endpoint_error(
                raw,
                format_args!(
                    "has several ':' but is not an IPv6 address; write IPv6 with a port as [addr]:port"
                ),
            ));
        }
        let bracketed = format!("[{rest}]");
        return Ok(ParsedEndpoint {
            scheme,
            authority: bracketed.clone(),
            host: bracketed,
            ip_literal: true,
        });
    }

    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    if let Some(port) = port {
        check_port(raw, port)?;
    }
    if host.is_empty() {
        return Err(endpoint_error(raw, format_args!("has no host; {FORM}")));
    }
    if let Some(c) = host
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'))
    {
        return Err(endpoint_error(
            raw,
            format_args!(
                "has a host with {c:?}; a host name has only letters, digits, '-', '_' and '.'"
            ),
        ));
    }
    if host.starts_with('.')
        || host.ends_with('.')
        || host.as_bytes().windows(2).any(|w| w == b"..")
    {
        return Err(endpoint_error(
            raw,
            format_args!("has an empty label in its host name; {FORM}"),
        ));
    }
    Ok(ParsedEndpoint {
        scheme,
        authority: rest.to_owned(),
        host: host.to_owned(),
        ip_literal: ip_literal::is_ipv4(host),
    })
}

fn check_port(raw: &str, port: &str) -> Result<(), Error> {
    let ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && matches!(port.parse::<u32>(), Ok(1..=65535));
    if ok {
        Ok(())
    } else {
        Err(endpoint_error(
            raw,
            format_args!(
                "has the port {}; a port is a number from 1 to 65535",
                quoted(port)
            ),
        ))
    }
}
