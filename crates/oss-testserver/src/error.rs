//! The error type of the server's own API (starting it, loading objects).

use std::fmt;

/// What went wrong while configuring or starting the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerErrorKind {
    /// Binding or accepting on the socket failed.
    Bind,
    /// The requested address is not a loopback address and non-loopback binding was not allowed.
    NotLoopback,
    /// Certificate generation or loading failed.
    Tls,
    /// A bucket name, key or directory was not acceptable.
    InvalidInput,
    /// Reading an object from disk failed.
    Io,
}

/// An error from the server's API; [`ServerError::kind`] says which kind.
///
/// ```
/// use oss_testserver::ServerErrorKind;
/// let store = oss_testserver::ObjectStore::new();
/// let err = store.put("Not_Valid", "key", b"x".to_vec()).unwrap_err();
/// assert_eq!(err.kind(), ServerErrorKind::InvalidInput);
/// ```
#[derive(Debug, Clone)]
pub struct ServerError {
    kind: ServerErrorKind,
    message: String,
}

impl ServerError {
    pub(crate) fn new(kind: ServerErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    ///
    /// ```
    /// # use oss_testserver::{ObjectStore, ServerErrorKind};
    /// let err = ObjectStore::new().put("b", "key", Vec::new()).unwrap_err();
    /// assert_eq!(err.kind(), ServerErrorKind::InvalidInput);
    /// ```
    pub fn kind(&self) -> ServerErrorKind {
        self.kind
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}
