//! The workspace's one JSON reader and writer: small, strict and bounded, for the few places
//! signing meets JSON (a POST policy document; the options of the WebAssembly presigner).
//!
//! The writer ([`write_str`], [`write_value`]) emits what JavaScript's `JSON.stringify` emits
//! for the same value (no spaces, `"`, `\` and control characters escaped, everything else
//! verbatim), so a policy signed here has the same bytes as one signed by ali-oss. The reader
//! ([`parse`]) takes one of two [`Grammar`]s: [`Grammar::Policy`] refuses what a policy never
//! holds (nesting deeper than 4, duplicate object keys, fractions and exponents, integers
//! outside `i64`); [`Grammar::Document`] reads any JSON text nested at most 128 deep. Both
//! refuse leading zeros, lone surrogates and trailing bytes, and never allocate more than their
//! input's size.
//!
//! ```
//! use oss_sign_core::json::{parse, write_value, Grammar, Value};
//!
//! let value = parse(r#"{"b": [1, 2.5], "a": "x", "b": null}"#, Grammar::Document)?;
//! // members sorted by name, a repeated name's last value kept
//! assert_eq!(value, Value::Object(vec![
//!     ("a".into(), Value::Str("x".into())),
//!     ("b".into(), Value::Null),
//! ]));
//! let mut out = String::new();
//! write_value(&mut out, &parse("[-1, 2.5e3, true]", Grammar::Document)?);
//! assert_eq!(out, "[-1,2.5e3,true]");
//! assert!(parse("[2.5]", Grammar::Policy).is_err());
//! # Ok::<(), oss_sign_core::json::JsonError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Which JSON texts [`parse`] accepts.
///
/// ```
/// use oss_sign_core::json::{parse, Grammar};
/// assert!(parse(r#"{"a": 1, "a": 2}"#, Grammar::Policy).is_err());
/// assert!(parse(r#"{"a": 1, "a": 2}"#, Grammar::Document).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grammar {
    /// The subset a POST policy uses: nesting at most 4 deep (a policy needs 3: object,
    /// conditions array, `in` list), integers in `i64` only, each object key once; members
    /// in document order.
    Policy,
    /// Any JSON text nested at most 128 deep. Numbers other than integers in `i64` are kept as
    /// written ([`Value::Number`]); an object's members are sorted by name, a repeated name's
    /// last value kept (as a map of them holds them).
    Document,
}

impl Grammar {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn max_depth(self) -> usize {
        match self {
            Grammar::Policy => 4,
            Grammar::Document => 128,
        }
    }
}

/// Why a text is not acceptable JSON: what was wrong, at which byte.
///
/// ```
/// use oss_sign_core::json::{parse, Grammar};
/// let err = parse("[1,]", Grammar::Document).unwrap_err();
/// assert_eq!((err.offset(), err.what()), (3, "expected a JSON value"));
/// assert_eq!(err.to_string(), "expected a JSON value at byte 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub(crate) offset: usize,
    pub(crate) what: &'static str,
}

impl JsonError {
    /// The byte offset in the text where the problem is.
    ///
    /// ```
    /// let err = oss_sign_core::json::parse("[01]", oss_sign_core::json::Grammar::Policy).unwrap_err();
    /// assert_eq!(err.offset(), 1);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What was wrong, e.g. `unterminated string`.
    ///
    /// ```
    /// let err = oss_sign_core::json::parse("\"a", oss_sign_core::json::Grammar::Policy).unwrap_err();
    /// assert_eq!(err.what(), "unterminated string");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn what(&self) -> &'static str {
        self.what
    }
}

impl fmt::Display for JsonError {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for JsonError {}

/// Parses `text` as one JSON value in `grammar` (whitespace around it allowed).
///
/// ```
/// use oss_sign_core::json::{parse, Grammar, Value};
/// assert_eq!(parse(" true ", Grammar::Policy)?, Value::Bool(true));
/// assert!(parse("[1] x", Grammar::Document).is_err());
/// # Ok::<(), oss_sign_core::json::JsonError>(())
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn parse(text: &str, grammar: Grammar) -> Result<Value, JsonError> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
        grammar,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    grammar: Grammar,
}

impl Parser<'_> {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn err(&self, what: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            what,
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of the JSON text")),
            Some(b'{' | b'[') if depth >= self.grammar.max_depth() => {
                Err(self.err(match self.grammar {
                    Grammar::Policy => "JSON nested too deeply for a policy",
                    Grammar::Document => "JSON nested too deeply",
                }))
            }
            Some(b'{') => {
                self.i += 1;
                self.object(depth + 1)
            }
            Some(b'[') => {
                self.i += 1;
                self.array(depth + 1)
            }
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => {
                if self.eat(b"true") {
                    Ok(Value::Bool(true))
                } else if self.eat(b"false") {
                    Ok(Value::Bool(false))
                } else if self.eat(b"null") {
                    Ok(Value::Null)
                } else {
                    Err(self.err("expected a JSON value"))
                }
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        let mut members: Vec<(String, Value)> = Vec::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a quoted object key"));
            }
            let at = self.i;
            let key = self.string()?;
            if self.grammar == Grammar::Policy && members.iter().any(|(k, _)| *k == key) {
                return Err(JsonError {
                    offset: at,
                    what: "duplicate object key",
                });
            }
            self.ws();
            if !self.eat(b":") {
                return Err(self.err("expected ':' after an object key"));
            }
            self.ws();
            let value = self.value(depth)?;
            members.push((key, value));
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                if self.grammar == Grammar::Document {
                    as_map(&mut members);
                }
                return Ok(Value::Object(members));
            }
            return Err(self.err("expected ',' or '}' in an object"));
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(Value::Array(items));
            }
            return Err(self.err("expected ',' or ']' in an array"));
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
        self.i - from
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let negative = self.eat(b"-");
        let digits_at = self.i;
        if self.digits() == 0 {
            return Err(self.err("expected digits in a number"));
        }
        let digits = &self.b[digits_at..self.i];
        if digits.len() > 1 && digits[0] == b'0' {
            return Err(JsonError {
                offset: start,
                what: "a number may not have leading zeros",
            });
        }
        if let Some(b'.' | b'e' | b'E') = self.b.get(self.i) {
            if self.grammar == Grammar::Policy {
                return Err(self.err("only integers are allowed in a policy"));
            }
            if self.eat(b".") && self.digits() == 0 {
                return Err(self.err("expected digits after the decimal point"));
            }
            if self.eat(b"e") || self.eat(b"E") {
                let _sign = self.eat(b"+") || self.eat(b"-");
                if self.digits() == 0 {
                    return Err(self.err("expected digits in the exponent"));
                }
            }
            return Ok(self.number_as_written(start));
        }
        let mut n: Option<u64> = Some(0);
        for &d in digits {
            n = n
                .and_then(|n| n.checked_mul(10))
                .and_then(|n| n.checked_add(u64::from(d - b'0')));
        }
        let n = n.and_then(|n| match (negative, i64::try_from(n)) {
            (false, n) => n.ok(),
            (true, Ok(n)) => Some(-n),
            // -2^63 fits an i64 (a policy never holds it: refused there as before)
            (true, Err(_)) => {
                (self.grammar == Grammar::Document && n == 1 << 63).then_some(i64::MIN)
            }
        });
        match n {
            Some(n) => Ok(Value::Int(n)),
            None if self.grammar == Grammar::Document => Ok(self.number_as_written(start)),
            None => Err(JsonError {
                offset: start,
                what: "integer out of range",
            }),
        }
    }

    /// The number from `start` to here, as written (ASCII, so a char boundary each end).
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn number_as_written(&self, start: usize) -> Value {
        Value::Number(String::from(
            core::str::from_utf8(&self.b[start..self.i]).unwrap_or_default(),
        ))
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(h) = self.b.get(self.i..self.i + 4) else {
            return Err(self.err("truncated \\u escape"));
        };
        let mut v = 0u32;
        for &c in h {
            let d = char::from(c)
                .to_digit(16)
                .ok_or_else(|| self.err("bad hex digit in a \\u escape"))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str and the run stops only at ASCII bytes: a char boundary.
            out.push_str(core::str::from_utf8(&self.b[run..self.i]).unwrap_or(""));
            match self.b.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("lone surrogate in a \\u escape"));
                                }
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("lone surrogate in a \\u escape"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(code)
                                .ok_or_else(|| self.err("lone surrogate in a \\u escape"))?
                        }
                        _ => return Err(self.err("unknown escape in a string")),
                    };
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character inside a string")),
            }
        }
    }
}

/// Sorts an object's members by key (stably) and keeps a repeated key's last value, where its
/// first member sorted.
#[cfg_attr(target_arch = "wasm32", inline)]
fn as_map(members: &mut Vec<(String, Value)>) {
    crate::sort::sort_by(members, |a, b| a.0.cmp(&b.0));
    members.dedup_by(|later, earlier| {
        let repeated = later.0 == earlier.0;
        if repeated {
            core::mem::swap(&mut later.1, &mut earlier.1);
        }
        repeated
    });
}

mod value;
mod write;

pub use value::Value;

pub(crate) use write::{write_int, write_joined_str};
pub use write::{write_str, write_value};

#[cfg(test)]
mod tests;
