//! Certificates for the HTTPS mode: a generated CA plus a leaf for loopback names, or a PEM pair.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{ServerError, ServerErrorKind};

/// The certificate chain and key the server presents over TLS, plus the CA a client must trust.
///
/// [`TlsIdentity::generate`] makes a fresh certificate authority and a leaf certificate signed by
/// it for `localhost`, `127.0.0.1`, `::1` and any extra names, so a client can trust exactly this
/// server without an insecure mode.
///
/// ```
/// let tls = oss_testserver::TlsIdentity::generate(&["bucket.oss-test.localhost"]).unwrap();
/// assert!(tls.ca_certificate_pem().starts_with("-----BEGIN CERTIFICATE-----"));
/// ```
#[derive(Clone)]
pub struct TlsIdentity {
    chain: Vec<CertificateDer<'static>>,
    key_der: Arc<Vec<u8>>,
    key_kind: KeyKind,
    ca_der: Vec<u8>,
    ca_pem: String,
}

#[derive(Clone, Copy)]
enum KeyKind {
    Pkcs8,
    FromPem,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("chain_len", &self.chain.len())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl TlsIdentity {
    /// Generates a CA and a leaf certificate valid for the loopback names and `extra_names`.
    ///
    /// Extra names may be DNS names (wildcards such as `*.oss-test.localhost` are allowed) or IP
    /// addresses.
    ///
    /// ```
    /// let tls = oss_testserver::TlsIdentity::generate(&[]).unwrap();
    /// assert!(!tls.ca_certificate_der().is_empty());
    /// ```
    pub fn generate(extra_names: &[&str]) -> Result<Self, ServerError> {
        let tls_err = |e: rcgen::Error| {
            ServerError::new(
                ServerErrorKind::Tls,
                format!("certificate generation failed: {e}"),
            )
        };
        let ca_key = rcgen::KeyPair::generate().map_err(tls_err)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "oss-testserver local CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_err)?;

        let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        names.extend(extra_names.iter().map(|s| s.to_string()));
        let leaf_key = rcgen::KeyPair::generate().map_err(tls_err)?;
        let mut leaf_params = rcgen::CertificateParams::new(names).map_err(tls_err)?;
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "oss-testserver");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca_cert, &ca_key)
            .map_err(tls_err)?;
        Ok(Self {
            chain: vec![leaf.der().clone(), ca_cert.der().clone()],
            key_der: Arc::new(leaf_key.serialize_der()),
            key_kind: KeyKind::Pkcs8,
            ca_der: ca_cert.der().to_vec(),
            ca_pem: ca_cert.pem(),
        })
    }

    /// Uses a certificate chain and private key given as PEM text (for example from files).
    ///
    /// The first certificate is the leaf; the last one is reported as the CA to trust.
    ///
    /// ```
    /// let generated = oss_testserver::TlsIdentity::generate(&[]).unwrap();
    /// let bad = oss_testserver::TlsIdentity::from_pem(generated.ca_certificate_pem(), "not a key");
    /// assert!(bad.is_err());
    /// ```
    pub fn from_pem(cert_chain_pem: &str, private_key_pem: &str) -> Result<Self, ServerError> {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    ServerError::new(ServerErrorKind::Tls, format!("bad certificate PEM: {e}"))
                })?;
        let Some(last) = chain.last() else {
            return Err(ServerError::new(
                ServerErrorKind::Tls,
                "the certificate PEM holds no CERTIFICATE block",
            ));
        };
        PrivateKeyDer::from_pem_slice(private_key_pem.as_bytes()).map_err(|e| {
            ServerError::new(
                ServerErrorKind::Tls,
                format!("bad private key PEM (PKCS#8, PKCS#1 or SEC1 expected): {e}"),
            )
        })?;
        let ca_der = last.to_vec();
        let ca_pem = pem_encode(&ca_der);
        Ok(Self {
            chain,
            key_der: Arc::new(private_key_pem.as_bytes().to_vec()),
            key_kind: KeyKind::FromPem,
            ca_der,
            ca_pem,
        })
    }

    /// The CA certificate a client must trust, DER encoded.
    ///
    /// ```
    /// let tls = oss_testserver::TlsIdentity::generate(&[]).unwrap();
    /// assert_eq!(tls.ca_certificate_der()[0], 0x30); // a DER SEQUENCE
    /// ```
    pub fn ca_certificate_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// The CA certificate a client must trust, PEM encoded.
    ///
    /// ```
    /// let tls = oss_testserver::TlsIdentity::generate(&[]).unwrap();
    /// assert!(tls.ca_certificate_pem().contains("CERTIFICATE"));
    /// ```
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    pub(crate) fn server_config(&self) -> Result<rustls::ServerConfig, ServerError> {
        let key: PrivateKeyDer<'static> = match self.key_kind {
            KeyKind::Pkcs8 => PrivateKeyDer::Pkcs8(self.key_der.as_ref().clone().into()),
            KeyKind::FromPem => PrivateKeyDer::from_pem_slice(&self.key_der).map_err(|e| {
                ServerError::new(ServerErrorKind::Tls, format!("bad private key PEM: {e}"))
            })?,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ServerError::new(ServerErrorKind::Tls, e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .map_err(|e| {
                ServerError::new(
                    ServerErrorKind::Tls,
                    format!("certificate and key do not form a usable identity: {e}"),
                )
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

fn pem_encode(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
