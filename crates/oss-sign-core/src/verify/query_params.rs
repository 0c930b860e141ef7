//! The received query string as decoded pairs, and the single-value rule of signature
//! parameters (missing and repeated are errors).

use super::error::{VerifyError, VerifyErrorKind};
use crate::error::shorten;
use alloc::format;
use alloc::vec::Vec;

pub(super) use crate::query::QueryPair;

/// Every parameter of the received query, decoded by the workspace's one parser
/// ([`crate::query::parse_query`]); the first malformed one refuses the request.
pub(super) fn parse_query(raw: &str) -> Result<Vec<QueryPair<'_>>, VerifyError> {
    crate::query::parse_query(raw)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| VerifyError::new(VerifyErrorKind::Malformed, format!("{e}")))
}

/// The signature parameter of a V4 URL, which its signature does not cover.
pub(super) const V4_UNSIGNED: &[&str] = &["x-oss-signature"];
/// The parameters of a V1 URL its signature does not cover.
pub(super) const V1_UNSIGNED: &[&str] = &["OSSAccessKeyId", "Expires", "Signature"];

/// The `(name, value)` pairs the signature covers: every pair but those named in `left_out`,
/// in received order.
pub(super) fn signed_pairs<'q>(
    pairs: &'q [QueryPair<'_>],
    left_out: &[&str],
) -> Vec<(&'q str, &'q str)> {
    pairs
        .iter()
        .filter(|p| !left_out.contains(&p.name()))
        .map(|p| (p.name(), p.value()))
        .collect()
}

/// The query a signature covers, as it is known to each mode: a presigned URL's pairs, parsed
/// already (less the parameters named in `left_out`), or a header-signed request's raw query
/// (every parameter), parsed only once the cheaper checks have passed.
pub(super) enum SignedQuery<'p, 'q> {
    /// A presigned URL: its pairs and the parameters its signature does not cover.
    Presigned {
        pairs: &'p [QueryPair<'q>],
        left_out: &'static [&'static str],
    },
    /// A header-signed request: the raw query string, all of it signed.
    Header(&'q str),
}

impl SignedQuery<'_, '_> {
    /// Runs `check` on the signed `(name, value)` pairs, in received order.
    pub(super) fn with_pairs<R>(
        self,
        check: impl FnOnce(&[(&str, &str)]) -> Result<R, VerifyError>,
    ) -> Result<R, VerifyError> {
        match self {
            SignedQuery::Presigned { pairs, left_out } => check(&signed_pairs(pairs, left_out)),
            SignedQuery::Header(raw) => check(&signed_pairs(&parse_query(raw)?, &[])),
        }
    }
}

/// Refuses an expiry parameter `name` whose `text` is not 1 to `max_digits` ASCII digits,
/// saying what it must be (`rule`).
pub(super) fn require_decimal(
    name: &str,
    text: &str,
    max_digits: usize,
    rule: &str,
) -> Result<(), VerifyError> {
    if !text.is_empty() && text.len() <= max_digits && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(VerifyError::new(
        VerifyErrorKind::Malformed,
        format!("{name} {:?} is not a number: {rule}", shorten(text)),
    ))
}

/// The single value of an authentication parameter: missing and repeated are errors.
pub(super) fn single<'q>(
    pairs: &'q [QueryPair<'_>],
    name: &str,
) -> Result<Option<&'q str>, VerifyError> {
    let mut found = None;
    for pair in pairs.iter().filter(|p| p.name() == name) {
        if found.is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                format!("query parameter {name} appears more than once: a presigned URL carries each signature parameter exactly once"),
            ));
        }
        found = Some(pair.value());
    }
    Ok(found)
}

pub(super) fn required<'q>(pairs: &'q [QueryPair<'_>], name: &str) -> Result<&'q str, VerifyError> {
    single(pairs, name)?.ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            format!("query parameter {name} is missing: a presigned URL must carry it"),
        )
    })
}
