//! The small JSON subset a POST policy uses: a strict, bounded parser and the writer.
//!
//! The writer emits what JavaScript's `JSON.stringify` emits for the same value (no spaces,
//! `"`, `\` and control characters escaped, everything else verbatim), so a policy signed here
//! has the same bytes as one signed by ali-oss. The parser refuses what a policy never holds:
//! nesting deeper than [`MAX_DEPTH`], duplicate object keys, fractions and exponents, leading
//! zeros, lone surrogates, trailing bytes. It never allocates more than its input's size.

use alloc::string::String;
use alloc::vec::Vec;

/// Deepest nesting a policy needs is 3 (object, conditions array, `in` list).
pub(super) const MAX_DEPTH: usize = 4;

/// A parsed JSON value. Numbers are non-negative or negative integers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Value>),
    /// Keys in document order, never repeated.
    Object(Vec<(String, Value)>),
}

/// Why the text is not acceptable JSON, with the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct JsonError {
    pub(super) offset: usize,
    pub(super) what: &'static str,
}

pub(super) fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
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
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            what,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of the JSON text")),
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("JSON nested too deeply for a policy"));
                }
                self.i += 1;
                self.object(depth + 1)
            }
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("JSON nested too deeply for a policy"));
                }
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
            if members.iter().any(|(k, _)| *k == key) {
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
                return Ok(Value::Object(members));
            }
            return Err(self.err("expected ',' or '}' in an object"));
        }
    }

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

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let negative = self.eat(b"-");
        let digits_at = self.i;
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
        let digits = &self.b[digits_at..self.i];
        if digits.is_empty() {
            return Err(self.err("expected digits in a number"));
        }
        if digits.len() > 1 && digits[0] == b'0' {
            return Err(JsonError {
                offset: start,
                what: "a number may not have leading zeros",
            });
        }
        if let Some(b'.' | b'e' | b'E') = self.b.get(self.i) {
            return Err(self.err("only integers are allowed in a policy"));
        }
        let mut n: i64 = 0;
        for &d in digits {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(d - b'0')))
                .ok_or(JsonError {
                    offset: start,
                    what: "integer out of range",
                })?;
        }
        Ok(Value::Int(if negative { -n } else { n }))
    }

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

/// Appends `s` as a JSON string, escaped as `JSON.stringify` does.
///
/// Runs of bytes that need no escape (everything but `"`, `\\` and the controls below 0x20;
/// UTF-8 sequences pass as they are) are copied at once; the escapes are all ASCII, so every
/// cut falls on a character boundary.
pub(super) fn write_str(out: &mut String, s: &str) {
    write_joined_str(out, &[s]);
}

/// Appends the concatenation of `parts` as one JSON string (as [`write_str`] would write it),
/// without building the concatenation first.
pub(super) fn write_joined_str(out: &mut String, parts: &[&str]) {
    out.reserve(parts.iter().map(|p| p.len()).sum::<usize>() + 2);
    out.push('"');
    for part in parts {
        escape_into(out, part);
    }
    out.push('"');
}

/// Appends `s` escaped, without quotes.
fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut run_start = 0;
    while let Some(i) = next_json_escape(bytes, run_start) {
        out.push_str(s.get(run_start..i).unwrap_or_default());
        run_start = i + 1;
        let b = bytes[i];
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(s.get(run_start..).unwrap_or_default());
}

/// Whether `b` must be escaped in a JSON string: `"`, `\\` and the controls below 0x20.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The position of the first byte at or after `from` that [`needs_escape`]. Eight bytes are
/// tested at once (a word with a byte below 0x20, or equal to `"` or `\\`, is told apart with
/// the usual borrow tricks, which never miss one), so a policy's runs of plain text cost about
/// one branch per eight bytes instead of a `match` per byte.
fn next_json_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let rest = bytes.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut offset = from;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word);
        // A byte below 0x20 (and not 0x80 or above) borrows when 0x20 is subtracted.
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let special = below
            | has_zero(w ^ (ONES * u64::from(b'"')))
            | has_zero(w ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            return chunk
                .iter()
                .position(|&b| needs_escape(b))
                .map(|p| offset + p);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|p| offset + p)
}

/// Appends an integer.
pub(super) fn write_int(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parses_a_policy_shape() {
        let v = parse(r#" {"a": [1, -2, "x\u00e9\n", ["p"]], "b": true, "c": null} "#).unwrap();
        let Value::Object(m) = v else { panic!() };
        assert_eq!(m[0].0, "a");
        assert_eq!(
            m[0].1,
            Value::Array(alloc::vec![
                Value::Int(1),
                Value::Int(-2),
                Value::Str("x\u{e9}\n".to_string()),
                Value::Array(alloc::vec![Value::Str("p".to_string())]),
            ])
        );
    }

    #[test]
    fn refuses_what_a_policy_never_holds() {
        for bad in [
            r#"{"a":1,"a":2}"#,
            "[1.5]",
            "[1e3]",
            "[01]",
            "[[[[[1]]]]]",
            r#"["\ud800"]"#,
            "[1] x",
            "[\"a\u{1}\"]",
            "[99999999999999999999]",
            "",
            "[",
            r#"{"a"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn writer_escapes_like_json_stringify() {
        let mut s = String::new();
        write_str(&mut s, "a\"b\\c\n\u{1}é/");
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001é/\"");
        let Value::Array(v) = parse(&alloc::format!("[{s}]")).unwrap() else {
            panic!()
        };
        assert_eq!(v[0], Value::Str("a\"b\\c\n\u{1}é/".to_string()));
        let mut n = String::new();
        write_int(&mut n, 0);
        n.push(',');
        write_int(&mut n, u64::MAX);
        assert_eq!(n, "0,18446744073709551615");
    }

    proptest::proptest! {
        /// The run-copying writer gives what `serde_json` (which escapes as `JSON.stringify`
        /// does: `\"`, `\\`, `\b \f \n \r \t`, other controls as `\u00xx`, nothing else)
        /// gives, for any string, and the parser reads it back.
        #[test]
        fn writer_matches_serde_json(text in "(\\PC|[\u{0}-\u{1f}\"\\\\/é€😀])*") {
            let mut ours = String::new();
            write_str(&mut ours, &text);
            proptest::prop_assert_eq!(&ours, &serde_json::to_string(&text).unwrap());
            let Value::Array(v) = parse(&alloc::format!("[{ours}]")).unwrap() else {
                panic!("not an array")
            };
            proptest::prop_assert_eq!(&v[0], &Value::Str(text.clone()));
        }
    }
}
