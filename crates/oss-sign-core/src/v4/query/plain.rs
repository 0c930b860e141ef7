//! The canonical request of a presign without a security token or additional headers (the
//! usual case): its authentication parameters written in one straight line.
//!
//! When the caller's parameters all sort before `x-oss-credential` (one comparison of the
//! last), the query line is theirs, then five fixed pieces: the key's
//! `x-oss-credential=VALUE&x-oss-date=` (kept encoded for the access key id it presigns for),
//! the date, `&x-oss-expires=`, the digits, and `&x-oss-signature-version=OSS4-HMAC-SHA256`.
//! No list of parameters is built and nothing is merged; otherwise (a caller's parameter such
//! as `x-oss-process` sorts after the credential) the four parameters go through the general
//! merge, with the same result.

use crate::canonical::{
    merge_query, sorts_before, with_sorted_query, write_after_query, write_path, CanonicalInputs,
    QueryValue,
};
use crate::decimal::Decimal;
use crate::encoding::write_pairs;
use crate::v4::scope::ALGORITHM;
use alloc::string::String;
use core::ops::Range;

/// The authentication parameters of a presign without token or additional headers.
pub(super) struct PlainAuth<'a> {
    /// `x-oss-credential=VALUE&x-oss-date=`, when the key holds it for this access key id.
    pub(super) credential_query: Option<&'a str>,
    /// The credential value, for the other cases.
    pub(super) credential: QueryValue<'a>,
    /// The `x-oss-date` value.
    pub(super) date: &'a str,
    /// The `x-oss-expires` value.
    pub(super) expires: u32,
}

impl PlainAuth<'_> {
    /// An upper bound of the length of the four parameters, their names and separators.
    pub(super) fn len_bound(&self) -> usize {
        let credential = match self.credential {
            QueryValue::Credential {
                access_key_id,
                encoded_scope,
                ..
            } => 3 * (access_key_id.len() + 1) + encoded_scope.len(),
            QueryValue::Text(text) | QueryValue::Literal(text) => 3 * text.len(),
        };
        "&x-oss-credential=".len()
            + credential
            + "&x-oss-date=".len()
            + self.date.len()
            + "&x-oss-expires=".len()
            + 10
            + SIGNATURE_VERSION.len()
    }
}

/// The last authentication parameter, whole.
const SIGNATURE_VERSION: &str = "&x-oss-signature-version=OSS4-HMAC-SHA256";

/// [`write_canonical_request`](crate::canonical::write_canonical_request) with `auth` as the
/// authentication parameters (`inputs.extra_query` is not read).
pub(super) fn write_plain_canonical_request(
    out: &mut String,
    inputs: &CanonicalInputs<'_, '_>,
    auth: &PlainAuth<'_>,
) -> (Range<usize>, Option<Range<usize>>) {
    debug_assert!(SIGNATURE_VERSION.ends_with(ALGORITHM));
    with_sorted_query(inputs.query, |user| {
        write_path(out, inputs);
        let query_start = out.len();
        let all_before = match user.last() {
            None => true,
            Some(last) => sorts_before(last, "x-oss-credential", &auth.credential),
        };
        if all_before {
            if !user.is_empty() {
                write_pairs(out, user, true);
                out.push('&');
            }
            match auth.credential_query {
                Some(piece) => out.push_str(piece),
                None => {
                    out.push_str("x-oss-credential=");
                    auth.credential.write(out);
                    out.push_str("&x-oss-date=");
                }
            }
            out.push_str(auth.date);
            out.push_str("&x-oss-expires=");
            Decimal::new(u64::from(auth.expires)).push_to(out);
            out.push_str(SIGNATURE_VERSION);
        } else {
            let digits = Decimal::new(u64::from(auth.expires));
            let extra = [
                ("x-oss-credential", auth.credential),
                ("x-oss-date", QueryValue::Literal(auth.date)),
                ("x-oss-expires", QueryValue::Literal(digits.as_str())),
                ("x-oss-signature-version", QueryValue::Literal(ALGORITHM)),
            ];
            merge_query(out, user, &extra);
        }
        let query_end = out.len();
        let header_lines = write_after_query(out, inputs);
        (query_start..query_end, header_lines)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::{write_canonical_request, CanonicalHeaders, UNSIGNED_PAYLOAD};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_straight_line_is_the_general_merge(
            // Names around the authentication parameters' (`x-oss-c`, `x-oss-process`), so
            // that some sort after the credential and take the merge.
            query in prop::collection::vec(
                (prop_oneof!["[a-c/%~ +.-]{1,4}", "x-oss-[c-t]{0,3}"], "[a-c/%~ +.-]{0,3}"),
                0..6,
            ),
            cached in any::<bool>(),
            expires in prop_oneof![Just(0u32), Just(604_800u32), any::<u32>()],
        ) {
            let pairs: alloc::vec::Vec<(&str, &str)> =
                query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let (ak, scope, encoded_scope) = ("a k", "20240101/r/oss/aliyun_v4_request", "20240101%2Fr%2Foss%2Faliyun_v4_request");
            let encoded = alloc::format!("a%20k%2F{encoded_scope}");
            let piece = alloc::format!("x-oss-credential={encoded}&x-oss-date=");
            let credential = QueryValue::Credential {
                access_key_id: ak,
                scope,
                encoded_scope,
                encoded: cached.then_some(encoded.as_str()),
            };
            let date = "20240101T000000Z";
            let digits = Decimal::new(u64::from(expires));
            let extra = [
                ("x-oss-credential", credential),
                ("x-oss-date", QueryValue::Literal(date)),
                ("x-oss-expires", QueryValue::Literal(digits.as_str())),
                ("x-oss-signature-version", QueryValue::Literal(ALGORITHM)),
            ];
            let headers = CanonicalHeaders::select(&[], &[], &[]);
            let mut inputs = CanonicalInputs {
                method: "GET", bucket: Some("b"), key: Some("k"), query: &pairs,
                extra_query: &[], headers: &headers, additional_line: "", payload: UNSIGNED_PAYLOAD,
            };
            let auth = PlainAuth {
                credential_query: cached.then_some(piece.as_str()),
                credential,
                date,
                expires,
            };
            let mut plain = String::new();
            let plain_ranges = write_plain_canonical_request(&mut plain, &inputs, &auth);
            prop_assert!(plain.len() <= inputs.len_bound() + auth.len_bound());
            inputs.extra_query = &extra;
            let mut general = String::new();
            let general_ranges = write_canonical_request(&mut general, &inputs);
            prop_assert_eq!(plain, general);
            prop_assert_eq!(plain_ranges, general_ranges);
        }
    }
}
