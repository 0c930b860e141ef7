//! The Alibaba Cloud RPC request signature, version 1.0 (HMAC-SHA1), used to sign STS
//! `AssumeRole` requests.
//!
//! 1. Percent-encode every parameter name and value with the workspace's one codec,
//!    [`oss_sign_core::encoding::uri_encode`] (`/` escaped): only `A–Z a–z 0–9 - _ . ~` stay
//!    literal, every other UTF-8 byte becomes `%XY` (upper-case hex), so a space is `%20` and
//!    `*` is `%2A`. The RPC rules and the OSS V4 rules escape the same set.
//! 2. Sort the encoded pairs by name and join them as `name=value&...`
//!    ([`canonicalized_query`]).
//! 3. String to sign: `METHOD&%2F&` + percent-encode(canonicalized query)
//!    ([`string_to_sign`]).
//! 4. Signature: Base64(HMAC-SHA1(secret + `&`, string to sign)) ([`RpcSignature::sign`]).
//!
//! Public through [`RpcSignature`] (re-exported at the crate root); the steps are crate-private.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use oss_sign_core::encoding::{uri_encode, uri_encode_into};
use sha1::Sha1;

/// Sorts and joins the percent-encoded parameters (any `Signature` parameter is left out).
fn canonicalized_query(params: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| *name != "Signature")
        .map(|(name, value)| (uri_encode(name, false), uri_encode(value, false)))
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (index, (name, value)) in encoded.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The string to sign for `method` (upper-cased) and `params`.
fn string_to_sign(method: &str, params: &[(&str, &str)]) -> String {
    let mut out = method.to_ascii_uppercase();
    out.push_str("&%2F&");
    uri_encode_into(&mut out, &canonicalized_query(params), false);
    out
}

/// Base64(HMAC-SHA1(`key`, `message`)).
fn hmac_sha1_base64(key: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(message.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The RPC signature V1.0 of one request, with its string to sign: how STS `AssumeRole`
/// requests are signed, for checking this crate against published vectors or a server's view
/// of a request.
///
/// `method` is upper-cased; `params` are the request's parameters, unencoded (a `Signature`
/// parameter among them is left out); the key is `access_key_secret` followed by `&`.
///
/// ```
/// use oss_credentials::RpcSignature;
///
/// // The example of the Alibaba Cloud documentation.
/// let params = [
///     ("AccessKeyId", "testid"),
///     ("Action", "DescribeRegions"),
///     ("Format", "XML"),
///     ("SignatureMethod", "HMAC-SHA1"),
///     ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
///     ("SignatureVersion", "1.0"),
///     ("Timestamp", "2016-02-23T12:46:24Z"),
///     ("Version", "2014-05-26"),
/// ];
/// let signed = RpcSignature::sign("GET", &params, "testsecret");
/// assert_eq!(signed.signature(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
/// assert!(signed.string_to_sign().starts_with("GET&%2F&AccessKeyId%3Dtestid%26Action"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSignature {
    string_to_sign: String,
    signature: String,
}

impl RpcSignature {
    /// Signs a request with `method` and `params` with `access_key_secret`.
    ///
    /// ```
    /// use oss_credentials::RpcSignature;
    /// let signed = RpcSignature::sign("get", &[], "secret");
    /// assert_eq!(signed.string_to_sign(), "GET&%2F&");
    /// assert_eq!(signed.signature().len(), 28);
    /// ```
    pub fn sign(method: &str, params: &[(&str, &str)], access_key_secret: &str) -> Self {
        let string_to_sign = string_to_sign(method, params);
        let key = zeroize::Zeroizing::new(format!("{access_key_secret}&"));
        let signature = hmac_sha1_base64(&key, &string_to_sign);
        Self {
            string_to_sign,
            signature,
        }
    }

    /// `METHOD&%2F&` followed by the percent-encoded, sorted and joined parameters.
    ///
    /// ```
    /// use oss_credentials::RpcSignature;
    /// let signed = RpcSignature::sign("POST", &[("b", "2 3"), ("a", "1")], "s");
    /// assert_eq!(signed.string_to_sign(), "POST&%2F&a%3D1%26b%3D2%25203");
    /// ```
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The `Signature` parameter's value: Base64(HMAC-SHA1(secret + `&`, string to sign)).
    ///
    /// ```
    /// use oss_credentials::RpcSignature;
    /// let params = [("Action", "AssumeRole")];
    /// assert_eq!(RpcSignature::sign("POST", &params, "s").signature().len(), 28);
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The repository's vectors (`conformance/credentials/sts-signature.json`), read by the
    /// crate's own tests: the raw HMAC-SHA1 step, which only this module can reach, and every
    /// signature case through the public [`RpcSignature`].
    #[test]
    fn conformance_vectors() {
        let doc: serde_json::Value = serde_json::from_str(include_str!(
            "../../../conformance/credentials/sts-signature.json"
        ))
        .expect("the vector file is JSON");
        let text = |v: &serde_json::Value, f: &str| v[f].as_str().unwrap_or_default().to_owned();
        let hmacs = doc["hmac_sha1_base64"].as_array().expect("hmac vectors");
        assert!(!hmacs.is_empty());
        for case in hmacs {
            assert_eq!(
                hmac_sha1_base64(&text(case, "key"), &text(case, "message")),
                text(case, "expected"),
                "{case}"
            );
        }
        let cases = doc["cases"].as_array().expect("signature cases");
        assert!(!cases.is_empty());
        for case in cases {
            let params: Vec<(&str, &str)> = case["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| (p[0].as_str().unwrap_or(""), p[1].as_str().unwrap_or("")))
                .collect();
            let signed = RpcSignature::sign(&text(case, "method"), &params, &text(case, "secret"));
            if let Some(expected) = case["string_to_sign"].as_str() {
                assert_eq!(signed.string_to_sign(), expected, "{}", case["name"]);
            }
            if let Some(expected) = case["signature"].as_str() {
                assert_eq!(signed.signature(), expected, "{}", case["name"]);
            }
        }
    }

    #[test]
    fn sdk_vectors() {
        assert_eq!(
            hmac_sha1_base64("secret", "123"),
            "sU6S6xf2t47FogXuDhqyIPt/htc="
        );
        assert_eq!(
            hmac_sha1_base64("sk#$!~~~", "abc~!@#"),
            "7eV3A584uvdgKVk8Ck8r9ukg1gE="
        );
        // The RPC signature's encoding is the workspace codec (the SDKs' vector).
        assert_eq!(
            uri_encode("123abc!@#$%^&*()-=_+ ~|\\/", false),
            "123abc%21%40%23%24%25%5E%26%2A%28%29-%3D_%2B%20~%7C%5C%2F"
        );
    }

    proptest! {
        #[test]
        fn encoding_is_reversible_and_safe(input in ".*") {
            let encoded = uri_encode(&input, false);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let mut decoded = Vec::new();
            let bytes = encoded.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    decoded.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    decoded.push(bytes[i]);
                    i += 1;
                }
            }
            prop_assert_eq!(String::from_utf8(decoded).unwrap(), input);
        }
    }
}
