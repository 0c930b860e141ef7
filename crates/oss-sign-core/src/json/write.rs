//! The JSON writer: compact text as JavaScript's `JSON.stringify` writes it.

use alloc::string::String;

use super::value::Value;

/// Appends `value` as compact JSON (no spaces; strings escaped as [`write_str`] does,
/// [`Value::Number`]s as written).
///
/// ```
/// use oss_sign_core::json::{write_value, Value};
/// let mut out = String::new();
/// write_value(&mut out, &Value::Object(vec![
///     ("a b".into(), Value::Array(vec![Value::Int(-5), Value::Null, Value::Str("\"".into())])),
/// ]));
/// assert_eq!(out, r#"{"a b":[-5,null,"\""]}"#);
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(n) => {
            if *n < 0 {
                out.push('-');
            }
            write_int(out, n.unsigned_abs());
        }
        Value::Number(text) => out.push_str(text),
        Value::Str(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string, escaped as `JSON.stringify` does.
///
/// Runs of bytes that need no escape (everything but `"`, `\\` and the controls below 0x20;
/// UTF-8 sequences pass as they are) are copied at once; the escapes are all ASCII, so every
/// cut falls on a character boundary.
///
/// ```
/// let mut out = String::new();
/// oss_sign_core::json::write_str(&mut out, "a\"b\n\u{1}é/");
/// assert_eq!(out, r#""a\"b\n\u0001é/""#);
/// ```
#[cfg_attr(target_arch = "wasm32", inline)]
pub fn write_str(out: &mut String, s: &str) {
    write_joined_str(out, &[s]);
}

/// Appends the concatenation of `parts` as one JSON string (as [`write_str`] would write it),
/// without building the concatenation first.
#[cfg_attr(target_arch = "wasm32", inline)]
pub(crate) fn write_joined_str(out: &mut String, parts: &[&str]) {
    out.reserve(parts.iter().map(|p| p.len()).sum::<usize>() + 2);
    out.push('"');
    for part in parts {
        escape_into(out, part);
    }
    out.push('"');
}

/// Appends `s` escaped, without quotes.
#[cfg_attr(target_arch = "wasm32", inline)]
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
#[cfg_attr(target_arch = "wasm32", inline)]
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The position of the first byte at or after `from` that [`needs_escape`]. Eight bytes are
/// tested at once (a word with a byte below 0x20, or equal to `"` or `\\`, is told apart with
/// the usual borrow tricks, which never miss one), so a policy's runs of plain text cost about
/// one branch per eight bytes instead of a `match` per byte.
#[cfg_attr(target_arch = "wasm32", inline)]
fn next_json_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let rest = bytes.get(from..)?;
    let (chunks, remainder) = rest.as_chunks::<8>();
    let mut offset = from;
    for chunk in chunks {
        let w = u64::from_ne_bytes(*chunk);
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
    remainder
        .iter()
        .position(|&b| needs_escape(b))
        .map(|p| offset + p)
}

/// Appends an integer.
#[cfg_attr(target_arch = "wasm32", inline)]
pub(crate) fn write_int(out: &mut String, n: u64) {
    crate::decimal::Decimal::new(n).push_to(out);
}
