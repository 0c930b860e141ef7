//! The settings and the HTTP client a [`Downloader`](crate::Downloader) shares with every
//! download it runs (built by the builder, read by the engine).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::connect::HttpConnector;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::error::{DownloadError, DownloadErrorKind};
use crate::transfer_settings::TransferSettings;

pub(crate) use crate::progress::ProgressFn;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) transfer: TransferSettings,
    pub(crate) max_size: u64,
    pub(crate) write_buffer: usize,
}

/// The configuration and the connection pool, shared by a downloader's clones.
pub(crate) type Shared = crate::transfer_settings::Pooled<Config, Empty<Bytes>>;

/// Which HTTP versions the client speaks.
///
/// ```
/// use oss_transfer::{Downloader, HttpVersion};
/// assert_eq!(HttpVersion::default(), HttpVersion::Http1);
/// let downloader = Downloader::builder().http_version(HttpVersion::Auto).build();
/// assert!(downloader.is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HttpVersion {
    /// HTTP/1.1 only: one TCP connection per part in flight (best for throughput when the
    /// server limits bandwidth per connection). The default.
    #[default]
    Http1,
    /// Offer HTTP/2 and HTTP/1.1 over TLS (ALPN decides); HTTP/1.1 for plain `http://`.
    Auto,
    /// HTTP/2 only (ALPN `h2` over TLS, prior knowledge over plain `http://`).
    Http2,
}

/// The HTTPS-or-HTTP connector of a transfer client: rustls with the ring provider over
/// `roots` (default: the bundled webpki roots), TCP_NODELAY, the connect timeout, and the
/// ALPN choice of `version`. Shared by the downloader and the uploader.
pub(crate) fn https_connector(
    roots: Option<rustls::RootCertStore>,
    connect_timeout: Duration,
    version: HttpVersion,
) -> Result<hyper_rustls::HttpsConnector<HttpConnector>, DownloadError> {
    let roots = roots.unwrap_or_else(|| {
        rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DownloadError::new(DownloadErrorKind::InvalidInput, e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let base = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    Ok(match version {
        HttpVersion::Http1 => base.enable_http1().wrap_connector(http),
        HttpVersion::Auto => base.enable_http1().enable_http2().wrap_connector(http),
        HttpVersion::Http2 => base.enable_http2().wrap_connector(http),
    })
}

/// The trusted roots a builder collects: `None` until a root is given (then the bundled webpki
/// roots are used), and the first bad certificate, reported by `build`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustRoots {
    roots: Option<rustls::RootCertStore>,
    bad: Option<String>,
}

impl TrustRoots {
    pub(crate) fn set(&mut self, roots: rustls::RootCertStore) {
        self.roots = Some(roots);
    }

    pub(crate) fn add_der(&mut self, der: &[u8]) {
        let store = self.roots.get_or_insert_with(rustls::RootCertStore::empty);
        if let Err(e) = store.add(CertificateDer::from(der.to_vec())) {
            self.bad = Some(format!("root certificate rejected: {e}"));
        }
    }

    pub(crate) fn add_pem(&mut self, pem: &str) {
        let mut any = false;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            match cert {
                Ok(c) => {
                    any = true;
                    self.add_der(&c);
                }
                Err(e) => self.bad = Some(format!("bad PEM certificate: {e}")),
            }
        }
        if !any && self.bad.is_none() {
            self.bad = Some("the PEM text holds no CERTIFICATE block".to_string());
        }
    }

    /// The roots to use, or the first problem met while adding them.
    pub(crate) fn into_roots(self) -> Result<Option<rustls::RootCertStore>, String> {
        match self.bad {
            Some(e) => Err(e),
            None => Ok(self.roots),
        }
    }
}
