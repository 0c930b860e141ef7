//! The URL's query parameters as OSS reads them (the workspace's one parser,
//! [`oss_sign_core::query::parse_query`]), the validity window they state (V4 `x-oss-date` +
//! `x-oss-expires`, V1 `Expires`), and what each authentication parameter means.

use oss_sign_core::query::{parse_query, QueryError, QueryPair};
use oss_sign_core::SigningTime;

use crate::duration_arg::format_seconds;

/// The parameters that carry the signature, not the request (never suspected of having been
/// added after signing).
pub(super) use oss_sign_core::query::AUTH_QUERY_PARAMS as AUTH_PARAMS;

/// The parameters holding an STS security token (never printed).
pub(super) const TOKEN_PARAMS: [&str; 2] = ["x-oss-security-token", "security-token"];

/// A decoded query parameter; [`QueryPair::raw`] keeps it as it appeared in the URL.
pub(super) type Param<'q> = QueryPair<'q>;

/// Every parameter of a query, in order: decoded, or refused as malformed.
pub(super) struct Params<'q> {
    entries: Vec<Result<Param<'q>, QueryError>>,
}

impl<'q> Params<'q> {
    /// Every parameter in order, a malformed one as the parser's refusal.
    pub(super) fn entries(&self) -> &[Result<Param<'q>, QueryError>] {
        &self.entries
    }

    /// The parameters that decode, in order.
    pub(super) fn decoded(&self) -> impl Iterator<Item = &Param<'q>> {
        self.entries.iter().filter_map(|entry| entry.as_ref().ok())
    }

    /// The value of the first decoded parameter named `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.decoded().find(|p| p.name() == name).map(Param::value)
    }
}

/// Parses a raw query string (without `?`).
pub(super) fn decode_params(raw_query: &str) -> Params<'_> {
    Params {
        entries: parse_query(raw_query).collect(),
    }
}

/// What the URL says about its validity window.
pub(super) struct Window {
    pub(super) v4: bool,
    pub(super) signed_at: Option<SigningTime>,
    pub(super) expiration: Option<SigningTime>,
}

impl Window {
    /// An instant inside the window (so that expiry does not hide a signature check), or `now`
    /// when the URL states none.
    pub(super) fn inside_or(&self, now: SigningTime) -> SigningTime {
        self.signed_at.or(self.expiration).unwrap_or(now)
    }
}

/// Any of these makes a URL a V4 one.
const V4_PARAMS: [&str; 3] = [
    "x-oss-signature",
    "x-oss-credential",
    "x-oss-signature-version",
];

pub(super) fn window(params: &Params<'_>) -> Window {
    let v4 = V4_PARAMS.iter().any(|n| params.get(n).is_some());
    if v4 {
        let signed_at = params
            .get("x-oss-date")
            .and_then(|t| SigningTime::parse_x_oss_date(t).ok());
        let expires = params
            .get("x-oss-expires")
            .and_then(|t| t.parse::<i64>().ok());
        let expiration = match (signed_at, expires) {
            (Some(at), Some(e)) => at.checked_add_seconds(e),
            _ => None,
        };
        Window {
            v4,
            signed_at,
            expiration,
        }
    } else {
        let expiration = params
            .get("Expires")
            .and_then(|t| t.parse::<i64>().ok())
            .and_then(|s| SigningTime::from_unix_seconds(s).ok());
        Window {
            v4,
            signed_at: None,
            expiration,
        }
    }
}

/// The access key id a URL names: V1 `OSSAccessKeyId`, or the V4 credential without its four
/// scope parts (the id itself may contain `/`).
pub(super) fn url_access_key_id(params: &Params<'_>) -> String {
    if let Some(credential) = params.get("x-oss-credential") {
        let parts: Vec<&str> = credential.rsplitn(5, '/').collect();
        return parts.last().copied().unwrap_or("").to_string();
    }
    params.get("OSSAccessKeyId").unwrap_or_default().to_string()
}

/// A note after a parameter's value: what it means.
pub(super) fn param_note(p: &Param<'_>) -> String {
    match p.name() {
        "x-oss-credential" => {
            let parts: Vec<&str> = p.value().rsplitn(5, '/').collect();
            if parts.len() == 5 {
                format!(
                    "\n      (access key id {}, date {}, region {}, product {})",
                    parts[4], parts[3], parts[2], parts[1]
                )
            } else {
                String::new()
            }
        }
        "x-oss-date" => SigningTime::parse_x_oss_date(p.value())
            .map(|t| format!(" ({})", t.to_rfc3339()))
            .unwrap_or_default(),
        "x-oss-expires" => p
            .value()
            .parse::<u64>()
            .map(|s| format!(" ({})", format_seconds(s)))
            .unwrap_or_default(),
        "Expires" => p
            .value()
            .parse::<i64>()
            .ok()
            .and_then(|s| SigningTime::from_unix_seconds(s).ok())
            .map(|t| format!(" ({})", t.to_rfc3339()))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_sign_core::encoding::DecodeErrorKind;

    #[test]
    fn the_access_key_id_may_contain_slashes() {
        let params = decode_params(
            "x-oss-credential=a%2Fb%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=1",
        );
        assert_eq!(url_access_key_id(&params), "a/b");
        assert_eq!(
            url_access_key_id(&decode_params("OSSAccessKeyId=ak&Expires=1")),
            "ak"
        );
        assert_eq!(url_access_key_id(&decode_params("x=1")), "");
    }

    #[test]
    fn a_malformed_parameter_is_kept_in_place_as_the_parsers_refusal() {
        let params = decode_params("a=1&&b=%+F&c=%41");
        let entries = params.entries();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].as_ref().map(Param::raw), Ok("a=1"));
        let refusal = entries[1].as_ref().expect_err("%+F is not an escape");
        assert_eq!(refusal.parameter(), "b");
        assert_eq!(refusal.kind(), DecodeErrorKind::InvalidEscape);
        assert_eq!(params.get("c"), Some("A"));
        assert_eq!(params.get("b"), None);
        let raws: Vec<&str> = params.decoded().map(Param::raw).collect();
        assert_eq!(raws, ["a=1", "c=%41"]);
    }
}
