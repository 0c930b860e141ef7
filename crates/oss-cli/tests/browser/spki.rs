//! The value of Chromium's `--ignore-certificate-errors-spki-list` for a certificate: base64
//! of the SHA-256 of its DER SubjectPublicKeyInfo. `serve --tls` presents its leaf and the
//! generated CA; trusting the CA's key trusts exactly that server, nothing else.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The SPKI hash of the first certificate in a PEM file.
pub(crate) fn spki_hash_of_pem(pem: &str) -> String {
    let der = pem_body(pem);
    let spki = subject_public_key_info(&der).expect("a well-formed X.509 certificate");
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki))
}

fn pem_body(pem: &str) -> Vec<u8> {
    let text: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .expect("base64 PEM body")
}

/// One DER element at the start of `der`: (tag, the whole element, its contents).
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *der.first()?;
    let first = *der.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = der.get(2..2 + n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
        (len, 2 + n)
    };
    let whole = der.get(..header + len)?;
    Some((tag, whole, &whole[header..]))
}

/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serialNumber,
/// signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }
fn subject_public_key_info(cert: &[u8]) -> Option<&[u8]> {
    let (_, _, cert_body) = element(cert)?;
    let (_, _, mut tbs) = element(cert_body)?;
    if tbs.first() == Some(&0xa0) {
        let (_, version, _) = element(tbs)?;
        tbs = &tbs[version.len()..];
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        let (_, skipped, _) = element(tbs)?;
        tbs = &tbs[skipped.len()..];
    }
    let (tag, spki, _) = element(tbs)?;
    (tag == 0x30).then_some(spki)
}

#[test]
fn the_hash_is_the_one_openssl_gives() {
    // spki-test-cert.pem: `openssl req -x509 -newkey ec ...`; the expected value from
    // `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256
    // -binary | base64`
    assert_eq!(
        spki_hash_of_pem(include_str!("page/spki-test-cert.pem")),
        "Rb6niVc3pDfuuhiqcqS3IuvJ1WGILx8DoaU9Ge5tvKw="
    );
    assert!(subject_public_key_info(&[0x30, 0x82, 0xff]).is_none());
}
