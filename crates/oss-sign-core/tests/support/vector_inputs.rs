//! The `inputs` of a `conformance/sign-core` vector, read once for the two runners that sign
//! them: this crate's own `tests/vectors.rs` and `cargo xtask conformance` (which includes this
//! file by path; sign-core does not depend on xtask, nor xtask on the tests). The `verify` fuzz
//! target includes it too, for its request model ([`VectorRequest`]). The request is
//! lent out as the `SignableRequest` to sign and as the `VerifyRequest` a server would have
//! received; the V4 fields (credentials, time, region, product, token, additional headers) as
//! the derived key and the header or query parameters.

use oss_sign_core::verify::{verify_authorization, StaticSecret, VerifyError, VerifyRequest};
use oss_sign_core::{encoding, v4, SignableRequest, SigningTime};
use serde_json::Value;

/// `field` of `value` as text, if it is a string.
pub(crate) fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

/// `field` of `value` as text, or an error naming the missing input.
pub(crate) fn required<'a>(value: &'a Value, field: &str) -> Result<&'a str, String> {
    text(value, field).ok_or(format!("inputs.{field} is missing"))
}

/// `field` of `value` as `[name, value]` pairs (absent: empty; anything else is an error).
fn pairs(value: &Value, field: &str) -> Result<Vec<(String, String)>, String> {
    let Some(list) = value.get(field) else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or(format!("inputs.{field} must be a list of [name, value]"))?;
    list.iter()
        .map(|p| {
            match (
                p.get(0).and_then(Value::as_str),
                p.get(1).and_then(Value::as_str),
            ) {
                (Some(n), Some(v)) => Ok((n.to_string(), v.to_string())),
                _ => Err(format!("inputs.{field}: {p} is not [name, value]")),
            }
        })
        .collect()
}

/// Borrows owned pairs as the `(&str, &str)` lists the signing API takes.
pub(crate) fn borrow(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// The request of a vector, with its owned header and query lists.
pub(crate) struct VectorRequest {
    pub(crate) method: String,
    pub(crate) bucket: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
}

impl VectorRequest {
    /// Reads the method, bucket, key, headers and query of a vector's `inputs`.
    pub(crate) fn parse(inputs: &Value) -> Result<Self, String> {
        Ok(Self {
            method: required(inputs, "method")?.to_string(),
            bucket: text(inputs, "bucket").map(String::from),
            key: text(inputs, "key").map(String::from),
            headers: pairs(inputs, "headers")?,
            query: pairs(inputs, "query")?,
        })
    }

    /// The request to sign, with `headers` and `query` borrowed from [`Self::headers`] and
    /// [`Self::query`] by [`borrow`].
    pub(crate) fn signable<'a>(
        &'a self,
        headers: &'a [(&'a str, &'a str)],
        query: &'a [(&'a str, &'a str)],
    ) -> SignableRequest<'a> {
        let mut request = SignableRequest::new(&self.method)
            .headers(headers)
            .query(query);
        if let Some(bucket) = &self.bucket {
            request = request.bucket(bucket);
        }
        if let Some(key) = &self.key {
            request = request.key(key);
        }
        request
    }

    /// What a server would have received for this request: its method, bucket and key, with
    /// the `raw_query` and `headers` on the wire.
    pub(crate) fn received<'a>(
        &'a self,
        raw_query: &'a str,
        headers: &'a [(&'a str, &'a str)],
    ) -> VerifyRequest<'a> {
        let mut request = VerifyRequest::new(&self.method, raw_query).headers(headers);
        if let Some(bucket) = &self.bucket {
            request = request.bucket(bucket);
        }
        if let Some(key) = &self.key {
            request = request.key(key);
        }
        request
    }

    /// Verifies a header-signed request back as a server would receive it: `headers` (the
    /// vector's own, borrowed) with those signing added, and the query as on the wire.
    pub(crate) fn verify_header_signed(
        &self,
        headers: &[(&str, &str)],
        signed: &v4::HeaderSigned,
        secrets: &StaticSecret,
        now: SigningTime,
    ) -> Result<(), VerifyError> {
        let mut all = headers.to_vec();
        all.extend(
            signed
                .headers_to_add()
                .iter()
                .map(|(n, v)| (*n, v.as_str())),
        );
        let raw = self.raw_query();
        verify_authorization(&self.received(&raw, &all), secrets, now).map(|_| ())
    }

    /// The query as it stands on the wire: each name and value percent-encoded, `=` only
    /// before a non-empty value, pairs joined by `&`.
    pub(crate) fn raw_query(&self) -> String {
        self.query
            .iter()
            .map(|(n, v)| {
                let mut pair = encoding::uri_encode(n, false);
                if !v.is_empty() {
                    pair.push('=');
                    encoding::uri_encode_into(&mut pair, v, false);
                }
                pair
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The V4 fields of a vector's `inputs`.
pub(crate) struct V4Inputs<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) time: SigningTime,
    pub(crate) region: &'a str,
    /// `product`, `oss` when absent.
    pub(crate) product: &'a str,
    pub(crate) security_token: Option<&'a str>,
    /// The `additional_headers` names (empty when absent).
    pub(crate) additional_headers: Vec<&'a str>,
    /// The signing key derived from the secret for this time, region and product.
    pub(crate) key: v4::SigningKey,
}

impl<'a> V4Inputs<'a> {
    /// Reads the V4 fields of `inputs` and derives the signing key.
    pub(crate) fn parse(inputs: &'a Value) -> Result<Self, String> {
        let time = SigningTime::from_unix_seconds(
            inputs["signing_time_unix"]
                .as_i64()
                .ok_or("inputs.signing_time_unix is missing")?,
        )
        .map_err(|e| e.to_string())?;
        let region = required(inputs, "region")?;
        let product = text(inputs, "product").unwrap_or("oss");
        let secret = required(inputs, "access_key_secret")?;
        Ok(Self {
            access_key_id: required(inputs, "access_key_id")?,
            time,
            region,
            product,
            security_token: text(inputs, "security_token"),
            additional_headers: inputs
                .get("additional_headers")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default(),
            key: v4::SigningKey::derive(secret, time, region, product),
        })
    }

    /// The parameters of a header-signed (`Authorization`) request.
    pub(crate) fn header_params(&self) -> v4::HeaderParams<'_> {
        v4::HeaderParams::new(self.access_key_id, self.region, self.time)
            .product(self.product)
            .security_token(self.security_token)
            .additional_headers(&self.additional_headers)
    }

    /// The parameters of a presigned URL valid for `expires` seconds.
    pub(crate) fn presign_params(&self, expires: u32) -> v4::PresignParams<'_> {
        v4::PresignParams::new(self.access_key_id, self.region, self.time, expires)
            .product(self.product)
            .security_token(self.security_token)
            .additional_headers(&self.additional_headers)
    }
}

/// What a V4 header-signed result gives for the expectation `field`, `None` for a field a
/// header vector does not have.
pub(crate) fn v4_header_field<'s>(signed: &'s v4::HeaderSigned, field: &str) -> Option<&'s str> {
    match field {
        "authorization" => Some(signed.authorization()),
        "canonical_request" => Some(signed.canonical_request()),
        "string_to_sign" => Some(signed.string_to_sign()),
        "signature" => Some(signed.signature()),
        _ => None,
    }
}
