//! A refusal: the text of an error, written as the native crate writes its errors.

use oss_client::ErrorKind;

/// A refusal, already written as the native crate writes its errors (`KIND: message`).
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl Refusal {
    pub(crate) fn new(kind: ErrorKind, message: impl std::fmt::Display) -> Self {
        Self(format!("{kind}: {message}"))
    }
}

impl From<oss_client::Error> for Refusal {
    fn from(e: oss_client::Error) -> Self {
        Self(e.to_string())
    }
}
