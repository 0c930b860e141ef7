//! CORS as OSS does it: a bucket's rules (allowed origins with at most one `*`, methods,
//! headers, headers exposed to scripts, preflight cache time), the first matching rule
//! applying; the preflight `OPTIONS` answer, and the `Access-Control-*` headers added to actual
//! answers, errors included, so a page can read an OSS error. A bucket without rules (the
//! default, as on a new OSS bucket) refuses every preflight and adds no headers.

use std::collections::HashMap;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode};

use crate::body::{full, ResponseBody};
use crate::error::{ServerError, ServerErrorKind};
use crate::oss_error::OssError;
use crate::xml_text::{elements, text, unescape};

/// The most rules a bucket may have (OSS's limit).
pub const MAX_CORS_RULES: usize = 20;
/// The largest `CORSConfiguration` document accepted.
const MAX_CORS_XML: usize = 64 << 10;
const METHODS: [&str; 5] = ["GET", "PUT", "DELETE", "POST", "HEAD"];

/// One CORS rule, as in a `<CORSRule>` of OSS's `PutBucketCors`.
///
/// ```
/// use oss_testserver::CorsRule;
/// let rule = CorsRule::new()
///     .allowed_origin("https://*.example.com")
///     .allowed_method("PUT")
///     .allowed_header("*")
///     .expose_header("ETag")
///     .max_age_seconds(600);
/// assert!(rule.matches("https://app.example.com", "PUT"));
/// assert!(!rule.matches("https://example.org", "PUT"));
/// assert!(!rule.matches("https://app.example.com", "GET"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsRule {
    origins: Vec<String>,
    methods: Vec<String>,
    headers: Vec<String>,
    expose: Vec<String>,
    max_age: Option<u64>,
}

impl CorsRule {
    /// A rule allowing nothing yet.
    ///
    /// ```
    /// assert!(!oss_testserver::CorsRule::new().matches("https://a.example", "GET"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    crate::setters::setters! {
        /// Adds an allowed origin (`*` alone for any; at most one `*` wildcard).
        ///
        /// ```
        /// let r = oss_testserver::CorsRule::new().allowed_origin("*").allowed_method("GET");
        /// assert!(r.matches("http://anything:8080", "GET"));
        /// ```
        allowed_origin(origin: &str) => origins.push(origin.to_string());

        /// Adds an allowed method (`GET`, `PUT`, `DELETE`, `POST`, `HEAD`).
        ///
        /// ```
        /// let r = oss_testserver::CorsRule::new().allowed_origin("*").allowed_method("HEAD");
        /// assert!(r.matches("http://a", "HEAD"));
        /// ```
        allowed_method(method: &str) => methods.push(method.to_ascii_uppercase());

        /// Adds a request header a preflight may ask for (`*` for any; one `*` wildcard allowed,
        /// compared without case).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, CorsConfiguration, CorsRule, ServerBuilder};
        /// let rule = CorsRule::new().allowed_origin("*").allowed_method("PUT").allowed_header("x-oss-meta-*");
        /// let server = ServerBuilder::new().cors(CorsConfiguration::new().rule(rule)).start().await.unwrap();
        /// server.store().create_bucket("bucket").unwrap();
        /// let preflight = |headers: &str| {
        ///     format!("OPTIONS /bucket/key HTTP/1.1\r\norigin: https://a.example\r\n\
        ///              access-control-request-method: PUT\r\n{headers}connection: close\r\n\r\n")
        /// };
        /// let asks = |h: &str| preflight(&format!("access-control-request-headers: {h}\r\n"));
        /// assert_eq!(exchange(server.addr(), asks("X-OSS-Meta-Owner").as_bytes()).await?.status(), 200);
        /// assert_eq!(exchange(server.addr(), asks("content-md5").as_bytes()).await?.status(), 403);
        /// # Ok(())
        /// # }
        /// ```
        allowed_header(header: &str) => headers.push(header.to_ascii_lowercase());

        /// Adds a response header scripts may read (`Access-Control-Expose-Headers`).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, CorsConfiguration, CorsRule, ServerBuilder};
        /// let rule = CorsRule::new().allowed_origin("*").allowed_method("GET").expose_header("x-oss-request-id");
        /// let server = ServerBuilder::new().cors(CorsConfiguration::new().rule(rule)).start().await.unwrap();
        /// server.store().put("bucket", "key", b"data".to_vec()).unwrap();
        /// let get = b"GET /bucket/key HTTP/1.1\r\norigin: https://a.example\r\nconnection: close\r\n\r\n";
        /// let answer = exchange(server.addr(), get).await?;
        /// assert_eq!(answer.header("access-control-expose-headers"), Some("x-oss-request-id"));
        /// # Ok(())
        /// # }
        /// ```
        expose_header(header: &str) => expose.push(header.to_string());

        /// How long a browser may cache the preflight answer (`Access-Control-Max-Age`).
        ///
        /// ```
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> std::io::Result<()> {
        /// use oss_testserver::{loopback::exchange, CorsConfiguration, CorsRule, ServerBuilder};
        /// let rule = CorsRule::new().allowed_origin("*").allowed_method("PUT").max_age_seconds(60);
        /// let server = ServerBuilder::new().cors(CorsConfiguration::new().rule(rule)).start().await.unwrap();
        /// server.store().create_bucket("bucket").unwrap();
        /// let preflight = |headers: &str| {
        ///     format!("OPTIONS /bucket/key HTTP/1.1\r\norigin: https://a.example\r\n\
        ///              access-control-request-method: PUT\r\n{headers}connection: close\r\n\r\n")
        /// };
        /// let answer = exchange(server.addr(), preflight("").as_bytes()).await?;
        /// assert_eq!(answer.header("access-control-max-age"), Some("60"));
        /// # Ok(())
        /// # }
        /// ```
        max_age_seconds(seconds: u64) => max_age = Some(seconds);
    }

    /// Whether the rule allows `method` from `origin` (the check of an actual request).
    ///
    /// ```
    /// let r = oss_testserver::CorsRule::new().allowed_origin("http://a").allowed_method("GET");
    /// assert!(r.matches("http://a", "GET") && !r.matches("http://b", "GET"));
    /// ```
    pub fn matches(&self, origin: &str, method: &str) -> bool {
        self.origins
            .iter()
            .any(|o| wildcard_match(o, origin, false))
            && self.methods.iter().any(|m| m == method)
    }

    fn allows_headers(&self, requested: &[String]) -> bool {
        requested
            .iter()
            .all(|h| self.headers.iter().any(|p| wildcard_match(p, h, true)))
    }

    fn check(&self) -> Result<(), String> {
        if self.origins.is_empty() || self.methods.is_empty() {
            return Err("a rule needs at least one AllowedOrigin and one AllowedMethod".into());
        }
        if let Some(o) = self.origins.iter().find(|o| o.matches('*').count() > 1) {
            return Err(format!("AllowedOrigin {o:?} has more than one `*`"));
        }
        if let Some(h) = self.headers.iter().find(|h| h.matches('*').count() > 1) {
            return Err(format!("AllowedHeader {h:?} has more than one `*`"));
        }
        if let Some(m) = self.methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
            return Err(format!(
                "AllowedMethod {m:?} is not one of GET, PUT, DELETE, POST, HEAD"
            ));
        }
        Ok(())
    }
}

/// `pattern` with at most one `*` against `value`.
fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let (p, v) = if ignore_case {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_string(), value.to_string())
    };
    match p.split_once('*') {
        None => p == v,
        Some((pre, post)) => {
            v.len() >= pre.len() + post.len() && v.starts_with(pre) && v.ends_with(post)
        }
    }
}

/// A bucket's CORS rules: at most [`MAX_CORS_RULES`], the first matching one applies.
///
/// ```
/// use oss_testserver::{CorsConfiguration, CorsRule};
/// let xml = "<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin>\
///     <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>\
///     <AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>\
///     <MaxAgeSeconds>600</MaxAgeSeconds></CORSRule><ResponseVary>false</ResponseVary>\
///     </CORSConfiguration>";
/// let config = CorsConfiguration::from_xml(xml).unwrap();
/// assert_eq!(config.rules().len(), 1);
/// assert!(config.rules()[0].matches("https://app.example.com", "PUT"));
/// let built = CorsConfiguration::new().rule(CorsRule::new().allowed_origin("*").allowed_method("GET"));
/// assert_eq!(built.rules().len(), 1);
/// assert!(CorsConfiguration::from_xml("<CORSConfiguration/>").unwrap().rules().is_empty());
/// assert!(CorsConfiguration::from_xml("<CORSRule>").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfiguration {
    rules: Vec<CorsRule>,
    vary: bool,
}

impl CorsConfiguration {
    /// No rules: every cross-origin request is refused, as on a new bucket.
    ///
    /// ```
    /// assert!(oss_testserver::CorsConfiguration::new().rules().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    crate::setters::setters! {
        /// Adds a rule after the existing ones (checked when the server starts).
        ///
        /// ```
        /// use oss_testserver::{CorsConfiguration, CorsRule};
        /// let c = CorsConfiguration::new().rule(CorsRule::new().allowed_origin("*").allowed_method("GET"));
        /// assert_eq!(c.rules().len(), 1);
        /// ```
        rule(rule: CorsRule) => rules.push(rule);
    }

    /// The shortcut of `oss-presign serve --cors ORIGIN`: one rule allowing GET, PUT, POST and
    /// HEAD with any request header from these origins (`*` for any), exposing `ETag`,
    /// `x-oss-request-id` and `x-oss-hash-crc64ecma`.
    ///
    /// ```
    /// let c = oss_testserver::CorsConfiguration::allow_origins(&["http://localhost:3000"]);
    /// assert!(c.rules()[0].matches("http://localhost:3000", "PUT"));
    /// assert!(!c.rules()[0].matches("http://localhost:3000", "DELETE"));
    /// ```
    pub fn allow_origins(origins: &[&str]) -> Self {
        let mut rule = CorsRule::new();
        for o in origins {
            rule = rule.allowed_origin(o);
        }
        for m in ["GET", "PUT", "POST", "HEAD"] {
            rule = rule.allowed_method(m);
        }
        rule = rule
            .allowed_header("*")
            .expose_header("ETag")
            .expose_header("x-oss-request-id")
            .expose_header("x-oss-hash-crc64ecma");
        Self::new().rule(rule)
    }

    /// Parses OSS's `CORSConfiguration` XML (what `PutBucketCors` takes).
    ///
    /// ```
    /// let err = oss_testserver::CorsConfiguration::from_xml(
    ///     "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
    ///      <AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
    /// )
    /// .unwrap_err();
    /// assert!(err.to_string().contains("PATCH"));
    /// ```
    pub fn from_xml(xml: &str) -> Result<Self, ServerError> {
        let bad = |why: String| {
            ServerError::new(
                ServerErrorKind::InvalidInput,
                format!("invalid CORSConfiguration: {why}"),
            )
        };
        if xml.len() > MAX_CORS_XML {
            return Err(bad(format!("larger than {MAX_CORS_XML} bytes")));
        }
        let roots = elements(xml, "CORSConfiguration").map_err(|e| bad(e.0))?;
        let [root] = roots.as_slice() else {
            return Err(bad("one <CORSConfiguration> element is required".into()));
        };
        let mut config = Self::new();
        for rule_xml in elements(root, "CORSRule").map_err(|e| bad(e.0))? {
            let all = |name: &str| -> Result<Vec<String>, ServerError> {
                elements(rule_xml, name)
                    .map_err(|e| bad(e.0))?
                    .into_iter()
                    .map(|t| unescape(t.trim()).map_err(|e| bad(e.0)))
                    .collect()
            };
            let mut rule = CorsRule::new();
            for o in all("AllowedOrigin")? {
                rule = rule.allowed_origin(&o);
            }
            for m in all("AllowedMethod")? {
                rule = rule.allowed_method(&m);
            }
            for h in all("AllowedHeader")? {
                rule = rule.allowed_header(&h);
            }
            for h in all("ExposeHeader")? {
                rule = rule.expose_header(&h);
            }
            if let Some(age) = text(rule_xml, "MaxAgeSeconds").map_err(|e| bad(e.0))? {
                let age = age
                    .parse()
                    .map_err(|_| bad(format!("MaxAgeSeconds {age:?} is not a whole number")))?;
                rule = rule.max_age_seconds(age);
            }
            config = config.rule(rule);
        }
        // ResponseVary sits after the rules; look for it outside them.
        let outside: String = root
            .split("</CORSRule>")
            .map(|s| s.split("<CORSRule>").next().unwrap_or(""))
            .collect();
        if let Some(v) = text(&outside, "ResponseVary").map_err(|e| bad(e.0))? {
            config.vary = v.eq_ignore_ascii_case("true");
        }
        config.check()?;
        Ok(config)
    }

    /// The rules, in order.
    ///
    /// ```
    /// assert!(oss_testserver::CorsConfiguration::new().rules().is_empty());
    /// ```
    pub fn rules(&self) -> &[CorsRule] {
        &self.rules
    }

    /// Checks the limits OSS sets: at most 20 rules, each complete and well-formed.
    pub(crate) fn check(&self) -> Result<(), ServerError> {
        if self.rules.len() > MAX_CORS_RULES {
            return Err(ServerError::new(
                ServerErrorKind::InvalidInput,
                format!(
                    "{} CORS rules given: at most {MAX_CORS_RULES} are allowed",
                    self.rules.len()
                ),
            ));
        }
        for (i, r) in self.rules.iter().enumerate() {
            r.check().map_err(|why| {
                ServerError::new(
                    ServerErrorKind::InvalidInput,
                    format!("CORS rule {}: {why}", i + 1),
                )
            })?;
        }
        Ok(())
    }
}

/// The rules of every bucket: one configuration for all, and per-bucket replacements.
#[derive(Debug, Clone, Default)]
pub(crate) struct CorsRules {
    pub(crate) all: CorsConfiguration,
    pub(crate) buckets: HashMap<String, CorsConfiguration>,
}

impl CorsRules {
    fn of(&self, bucket: &str) -> &CorsConfiguration {
        self.buckets.get(bucket).unwrap_or(&self.all)
    }
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn forbidden(message: &str) -> OssError {
    OssError::new(403, "AccessForbidden", message.to_string())
}

/// The preflight `OPTIONS` answer: `200` with the matching rule's `Access-Control-*`, `403
/// AccessForbidden` when no rule matches origin, method and every requested header.
pub(crate) fn preflight(
    rules: &CorsRules,
    bucket: &str,
    parts: &Parts,
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    let origin = header(parts, "origin")
        .ok_or_else(|| forbidden("Insufficient information. Origin request header needed."))?;
    let method = header(parts, "access-control-request-method").ok_or_else(|| {
        forbidden("Insufficient information. Access-Control-Request-Method request header needed.")
    })?;
    let requested: Vec<String> = header(parts, "access-control-request-headers")
        .unwrap_or("")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let config = rules.of(bucket);
    let rule = config
        .rules
        .iter()
        .find(|r| r.matches(origin, method) && r.allows_headers(&requested))
        .ok_or_else(|| {
            forbidden(
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
            )
        })?;
    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header("server", "AliyunOSS")
        .header("x-oss-request-id", request_id)
        .header("content-length", 0)
        .header("access-control-allow-origin", allow_origin(rule, origin))
        .header("access-control-allow-methods", rule.methods.join(", "));
    if !requested.is_empty() {
        builder = builder.header("access-control-allow-headers", requested.join(", "));
    }
    if !rule.expose.is_empty() {
        builder = builder.header("access-control-expose-headers", rule.expose.join(", "));
    }
    if let Some(age) = rule.max_age {
        builder = builder.header("access-control-max-age", age);
    }
    if config.vary {
        builder = builder.header("vary", "Origin");
    }
    builder
        .body(full(Bytes::new()))
        .map_err(|_| OssError::for_status(500))
}

fn allow_origin(rule: &CorsRule, origin: &str) -> String {
    if rule.origins.iter().any(|o| o == "*") {
        "*".to_string()
    } else {
        origin.to_string()
    }
}

/// Adds `Access-Control-*` to an actual answer (success or error) when its `Origin` and method
/// match a rule.
pub(crate) fn annotate(
    rules: &CorsRules,
    bucket: &str,
    parts: &Parts,
    resp: &mut Response<ResponseBody>,
) {
    let Some(origin) = header(parts, "origin") else {
        return;
    };
    let config = rules.of(bucket);
    let Some(rule) = config
        .rules
        .iter()
        .find(|r| r.matches(origin, parts.method.as_str()))
    else {
        return;
    };
    let h = resp.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set("access-control-allow-origin", allow_origin(rule, origin));
    set("access-control-allow-methods", rule.methods.join(", "));
    if !rule.expose.is_empty() {
        set("access-control-expose-headers", rule.expose.join(", "));
    }
    if let Some(age) = rule.max_age {
        set("access-control-max-age", age.to_string());
    }
    if config.vary {
        set("vary", "Origin".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_star() {
        assert!(wildcard_match(
            "https://*.example.com",
            "https://a.b.example.com",
            false
        ));
        assert!(!wildcard_match(
            "https://*.example.com",
            "https://example.com",
            false
        ));
        assert!(wildcard_match("x-oss-meta-*", "X-OSS-META-A", true));
        assert!(wildcard_match("*", "", false));
        assert!(!wildcard_match("http://a", "http://A", false));
    }

    #[test]
    fn configuration_limits_are_checked() {
        let rule = CorsRule::new().allowed_origin("*").allowed_method("GET");
        let mut many = CorsConfiguration::new();
        for _ in 0..21 {
            many = many.rule(rule.clone());
        }
        assert!(many.check().is_err());
        let two_stars = CorsConfiguration::new().rule(
            CorsRule::new()
                .allowed_origin("http://*.*")
                .allowed_method("GET"),
        );
        assert!(two_stars.check().is_err());
        let no_method = CorsConfiguration::new().rule(CorsRule::new().allowed_origin("*"));
        assert!(no_method.check().is_err());
    }
}
