//! The parsed value.

use alloc::string::String;
use alloc::vec::Vec;

/// A parsed JSON value.
///
/// ```
/// use oss_sign_core::json::{parse, Grammar, Value};
/// let value = parse("[18446744073709551615, -3]", Grammar::Document)?;
/// assert_eq!(value, Value::Array(vec![Value::Number("18446744073709551615".into()), Value::Int(-3)]));
/// # Ok::<(), oss_sign_core::json::JsonError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits an `i64`.
    Int(i64),
    /// Any other number (a fraction, an exponent, or an integer outside `i64`), as written;
    /// only `Grammar::Document` gives these.
    Number(String),
    /// A string, unescaped.
    Str(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members: in document order, each key once (`Grammar::Policy`), or sorted
    /// by key (`Grammar::Document`).
    Object(Vec<(String, Value)>),
}
