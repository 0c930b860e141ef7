//! The received query string as decoded pairs, and the single-value rule of signature
//! parameters (missing and repeated are errors).

use super::error::{VerifyError, VerifyErrorKind};
use crate::encoding::percent_decode;
use crate::error::shorten;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A decoded query parameter and whether it had an `=`.
pub(super) struct QueryPair {
    pub(super) name: String,
    pub(super) value: String,
}

pub(super) fn parse_query(raw: &str) -> Result<Vec<QueryPair>, VerifyError> {
    let mut pairs = Vec::new();
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let decode = |text: &str| {
            percent_decode(text).map_err(|e| {
                VerifyError::new(
                    VerifyErrorKind::Malformed,
                    format!("query parameter {:?} is malformed: {e}", shorten(name)),
                )
            })
        };
        pairs.push(QueryPair {
            name: decode(name)?,
            value: decode(value)?,
        });
    }
    Ok(pairs)
}

/// The single value of an authentication parameter: missing and repeated are errors.
pub(super) fn single<'q>(
    pairs: &'q [QueryPair],
    name: &str,
) -> Result<Option<&'q str>, VerifyError> {
    let mut found = None;
    for pair in pairs.iter().filter(|p| p.name == name) {
        if found.is_some() {
            return Err(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                format!("query parameter {name} appears more than once: a presigned URL carries each signature parameter exactly once"),
            ));
        }
        found = Some(pair.value.as_str());
    }
    Ok(found)
}

pub(super) fn required<'q>(pairs: &'q [QueryPair], name: &str) -> Result<&'q str, VerifyError> {
    single(pairs, name)?.ok_or_else(|| {
        VerifyError::new(
            VerifyErrorKind::MissingParameter,
            format!("query parameter {name} is missing: a presigned URL must carry it"),
        )
    })
}
