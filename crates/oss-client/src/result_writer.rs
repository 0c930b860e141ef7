//! [`ResultWriter`]: how the presign path fills a [`PresignResult`]'s one buffer.

use oss_sign_core::SigningTime;

use crate::presign::{PresignResult, ResultHeaders};

/// Writes the parts of a [`PresignResult`] into its one buffer: the URL first, then the signed
/// headers, then the unsigned ones.
#[derive(Debug)]
pub(crate) struct ResultWriter {
    text: String,
    url_end: usize,
    signed_end: usize,
    signed_count: usize,
    unsigned_count: usize,
}

impl ResultWriter {
    /// Takes the buffer that holds the whole URL.
    pub(crate) fn after_url(text: String) -> Self {
        let url_end = text.len();
        Self {
            text,
            url_end,
            signed_end: url_end,
            signed_count: 0,
            unsigned_count: 0,
        }
    }

    fn push_pair(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        self.text.push(':');
        self.text.push_str(value);
        self.text.push('\n');
    }

    /// Appends signed headers (lower-case names, sorted), before any unsigned one.
    pub(crate) fn signed_all<'h>(&mut self, headers: impl Iterator<Item = (&'h str, &'h str)>) {
        debug_assert_eq!(self.unsigned_count, 0);
        for (name, value) in headers {
            self.push_pair(name, value);
            self.signed_count += 1;
        }
        self.signed_end = self.text.len();
    }

    /// Appends `count` signed headers given as `name:value\n` lines (lower-case names,
    /// sorted), as the canonical request holds them; before any unsigned one.
    pub(crate) fn signed_lines(&mut self, lines: &str, count: usize) {
        debug_assert_eq!(self.unsigned_count, 0);
        debug_assert_eq!(lines.bytes().filter(|&b| b == b'\n').count(), count);
        self.text.push_str(lines);
        self.signed_count += count;
        self.signed_end = self.text.len();
    }

    /// How many signed headers were written.
    pub(crate) fn signed_count(&self) -> usize {
        self.signed_count
    }

    /// The bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// Appends an unsigned header (name as given).
    pub(crate) fn unsigned(&mut self, name: &str, value: &str) {
        self.push_pair(name, value);
        self.unsigned_count += 1;
    }

    /// The signed headers written so far.
    pub(crate) fn signed_so_far(&self) -> ResultHeaders<'_> {
        ResultHeaders {
            rest: self.text.get(self.url_end..self.signed_end).unwrap_or(""),
            left: self.signed_count,
        }
    }

    pub(crate) fn finish(
        self,
        method: std::borrow::Cow<'static, str>,
        expiration: SigningTime,
        credentials_expiration: Option<SigningTime>,
    ) -> PresignResult {
        PresignResult {
            method,
            text: self.text,
            url_end: self.url_end,
            signed_end: self.signed_end,
            signed_count: self.signed_count,
            unsigned_count: self.unsigned_count,
            expiration,
            credentials_expiration,
        }
    }
}
