//! The options the [`DownloaderBuilder`](crate::DownloaderBuilder) and the
//! [`UploaderBuilder`](crate::UploaderBuilder) share: how connections are made (connect
//! timeout, HTTP version, trusted roots, the pooled client built from them), the setters for
//! them, and the checks of the limits both apply (parallelism, timeouts, checkpoint folder).

use std::path::PathBuf;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::config::{https_connector, HttpVersion, TrustRoots};
use crate::transfer_settings::{Pooled, TransferSettings};

/// How a transfer client connects: set by the builders, turned into the pooled client by
/// [`ConnectionOptions::client`].
#[derive(Debug, Clone)]
pub(crate) struct ConnectionOptions {
    pub(crate) connect_timeout: Duration,
    pub(crate) http_version: HttpVersion,
    pub(crate) trust: TrustRoots,
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            http_version: HttpVersion::Http1,
            trust: TrustRoots::default(),
        }
    }
}

impl ConnectionOptions {
    /// The pooled HTTP client (idle connections kept 60 s, up to 64 per host; HTTP/2 only when
    /// asked), or what is wrong with the trusted roots or the TLS setup.
    pub(crate) fn client<B>(
        self,
    ) -> Result<Client<hyper_rustls::HttpsConnector<HttpConnector>, B>, String>
    where
        B: hyper::body::Body + Send,
        B::Data: Send,
    {
        let roots = self.trust.into_roots()?;
        let connector = https_connector(roots, self.connect_timeout, self.http_version)
            .map_err(|e| e.to_string())?;
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64);
        if self.http_version == HttpVersion::Http2 {
            builder.http2_only(true);
        }
        Ok(builder.build(connector))
    }
}

/// `Ok` when `value` lies in `range`, else the message "`what` `value` is out of range:
/// `allowed` allowed" (the form of every range check of the builders).
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display>(
    what: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    allowed: &str,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!("{what} {value} is out of range: {allowed} allowed"))
    }
}

/// Checks the limits both builders apply: parallelism 1 to 64, non-zero idle and whole
/// transfer timeouts (`what` names the transfer: "download", "upload"), an existing
/// checkpoint folder.
pub(crate) fn check_shared_limits(
    parallelism: usize,
    idle_timeout: Duration,
    timeout: Option<Duration>,
    checkpoint_dir: Option<&PathBuf>,
    what: &str,
) -> Result<(), String> {
    check_range("parallelism", parallelism, 1..=64, "1 to 64")?;
    if idle_timeout.is_zero() {
        return Err("idle timeout must be greater than zero".to_string());
    }
    if timeout.is_some_and(|t| t.is_zero()) {
        return Err(format!("the {what} timeout must be greater than zero"));
    }
    if let Some(dir) = checkpoint_dir {
        if !dir.is_dir() {
            return Err(format!(
                "checkpoint directory {} does not exist",
                dir.display()
            ));
        }
    }
    Ok(())
}

impl<C, B> Pooled<C, B>
where
    B: hyper::body::Body + Send,
    B::Data: Send,
{
    /// Checks the limits both builders apply to the `settings` of `config`
    /// ([`check_shared_limits`]; `what` names the transfer), then builds the pooled client of
    /// `connection`; the error is the message for an `InvalidInput` error.
    pub(crate) fn build(
        connection: ConnectionOptions,
        config: C,
        settings: fn(&C) -> &TransferSettings,
        what: &str,
    ) -> Result<std::sync::Arc<Self>, String> {
        let s = settings(&config);
        check_shared_limits(
            s.parallelism,
            s.idle_timeout,
            s.timeout,
            s.checkpoint_dir.as_ref(),
            what,
        )?;
        let client = connection.client()?;
        Ok(std::sync::Arc::new(Self { client, config }))
    }
}

/// The connection setters of a builder with a `connection: ConnectionOptions` field;
/// `$client` names the built type in the examples ("Downloader", "Uploader").
macro_rules! connection_setters {
    ($client:literal) => {
        /// TCP connect timeout (default 10 s).
        ///
        /// ```
        #[doc = concat!("let b = oss_transfer::", $client, "::builder().connect_timeout(std::time::Duration::from_secs(3));")]
        /// assert!(format!("{b:?}").contains("connect_timeout: 3s"));
        /// ```
        pub fn connect_timeout(mut self, d: std::time::Duration) -> Self {
            self.connection.connect_timeout = d;
            self
        }

        /// HTTP version policy (default [`HttpVersion::Http1`](crate::HttpVersion::Http1): a
        /// connection per part in flight).
        ///
        /// ```
        #[doc = concat!("let b = oss_transfer::", $client, "::builder().http_version(oss_transfer::HttpVersion::Auto);")]
        /// assert!(format!("{b:?}").contains("http_version: Auto"));
        /// ```
        pub fn http_version(mut self, v: crate::HttpVersion) -> Self {
            self.connection.http_version = v;
            self
        }

        /// Trusts exactly these roots instead of the bundled Mozilla (webpki) roots.
        ///
        /// ```
        #[doc = concat!("let b = oss_transfer::", $client, "::builder().root_certificates(rustls::RootCertStore::empty());")]
        /// // No root at all: no `https://` server will be trusted.
        /// assert!(format!("{b:?}").contains("(0 roots)"));
        /// ```
        pub fn root_certificates(mut self, roots: rustls::RootCertStore) -> Self {
            self.connection.trust.set(roots);
            self
        }

        /// Adds a trusted root (DER). The first call replaces the default webpki roots, so a
        /// test trusts only its own CA.
        ///
        /// ```
        #[doc = concat!("let b = oss_transfer::", $client, "::builder().add_root_certificate_der(b\"junk\");")]
        /// assert!(b.build().is_err());
        /// ```
        pub fn add_root_certificate_der(mut self, der: &[u8]) -> Self {
            self.connection.trust.add_der(der);
            self
        }

        /// Adds trusted roots from PEM text (every `CERTIFICATE` block); like
        /// [`add_root_certificate_der`](Self::add_root_certificate_der) it replaces the
        /// defaults.
        ///
        /// ```
        #[doc = concat!("let b = oss_transfer::", $client, "::builder().add_root_certificates_pem(\"no pem here\");")]
        /// assert!(b.build().is_err());
        /// ```
        pub fn add_root_certificates_pem(mut self, pem: &str) -> Self {
            self.connection.trust.add_pem(pem);
            self
        }
    };
}
pub(crate) use connection_setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_limits() {
        let idle = Duration::from_secs(30);
        assert!(check_shared_limits(4, idle, None, None, "upload").is_ok());
        let e = check_shared_limits(0, idle, None, None, "upload").unwrap_err();
        assert!(e.contains("1 to 64"), "{e}");
        assert!(check_shared_limits(65, idle, None, None, "upload").is_err());
        assert!(check_shared_limits(4, Duration::ZERO, None, None, "upload").is_err());
        let e = check_shared_limits(4, idle, Some(Duration::ZERO), None, "download").unwrap_err();
        assert_eq!(e, "the download timeout must be greater than zero");
        let missing = PathBuf::from("/nonexistent/w13d/checkpoints");
        let e = check_shared_limits(4, idle, None, Some(&missing), "upload").unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }
}
