//! The options' JSON, read with `oss-sign-core`'s JSON reader (the workspace's one, which
//! also reads POST policies; [`Grammar::Document`]: any JSON, an object's members sorted by
//! name, a repeated name's last value kept), and the typed reading of one options object with
//! serde-like refusals: `missing field`, `unknown field`, `invalid type`.

pub(crate) use oss_sign_core::json::Value;
use oss_sign_core::json::{self, Grammar};

use crate::refusal::Refusal;
use oss_client::ErrorKind;

/// `value` written back as compact JSON (for messages that quote what was given).
pub(crate) fn text(value: &Value) -> String {
    let mut out = String::new();
    json::write_value(&mut out, value);
    out
}

/// `text` as a JSON string literal (quotes and escapes), for the results written as JSON.
pub(crate) fn string_literal(text: &str) -> String {
    let mut out = String::new();
    json::write_str(&mut out, text);
    out
}

/// The text of a string value.
pub(crate) fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// The items of an array value.
pub(crate) fn as_array(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(items) => Some(items),
        _ => None,
    }
}

/// A whole number that fits a `u64`.
pub(crate) fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Int(n) => u64::try_from(*n).ok(),
        // Beyond i64: the reader keeps the digits as written.
        Value::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        _ => None,
    }
}

/// What a value is, for `invalid type` refusals (`string "x"`, `integer 5`, `an array`).
fn kind(value: &Value) -> String {
    let (what, shown) = match value {
        Value::Null => return "null".into(),
        Value::Bool(true) => return "boolean true".into(),
        Value::Bool(false) => return "boolean false".into(),
        Value::Array(_) => return "an array".into(),
        Value::Object(_) => return "an object".into(),
        Value::Str(s) => ("string ", string_literal(s)),
        // `Value::Number` (kept as written): a `u64` beyond `i64`, else a fraction or exponent
        Value::Int(_) => ("integer ", text(value)),
        _ if as_u64(value).is_some() => ("integer ", text(value)),
        _ => ("floating point ", text(value)),
    };
    let mut out = String::from(what);
    out.push_str(&shown);
    out
}

/// One options object being read field by field: each field is taken once, with its type
/// checked; names not in the list of known ones are refused up front.
pub(crate) struct Fields {
    what: &'static str,
    /// The object's fields, each name once (a field taken is `None`): a few known names, looked
    /// up by a scan, so that no `BTreeMap::remove` (and its rebalancing) is in the module.
    map: Vec<(String, Option<Value>)>,
}

impl Fields {
    /// Parses `options` (the `what` options: "presign", "presignPost") as a JSON object whose
    /// names are all in `known`.
    pub(crate) fn parse(
        options: &str,
        what: &'static str,
        known: &[&str],
    ) -> Result<Self, Refusal> {
        let refuse = |message: String| {
            Refusal::new(
                ErrorKind::InvalidRequest,
                format!("the {what} options are malformed: {message}"),
            )
        };
        let value = json::parse(options, Grammar::Document)
            .map_err(|_| refuse("not valid JSON (nesting at most 128 deep)".into()))?;
        let Value::Object(object) = value else {
            return Err(refuse(format!(
                "invalid type: {}, expected an object of options",
                kind(&value)
            )));
        };
        let map: Vec<(String, Option<Value>)> =
            object.into_iter().map(|(n, v)| (n, Some(v))).collect();
        if let Some((name, _)) = map.iter().find(|(name, _)| !known.contains(&name.as_str())) {
            // A loop rather than `join` (a kilobyte of generic copy in the module).
            let mut message = format!("unknown field `{name}`, expected one of ");
            for (i, known_name) in known.iter().enumerate() {
                if i > 0 {
                    message.push_str(", ");
                }
                message.push('`');
                message.push_str(known_name);
                message.push('`');
            }
            return Err(refuse(message));
        }
        Ok(Self { what, map })
    }

    /// Takes the field `name` out (`None` when absent or already taken).
    fn take(&mut self, name: &str) -> Option<Value> {
        self.map
            .iter_mut()
            .find(|(n, _)| n == name)
            .and_then(|(_, value)| value.take())
    }

    fn invalid(&self, name: &str, value: &Value, expected: &str) -> Refusal {
        Refusal::new(
            ErrorKind::InvalidRequest,
            format!(
                "the {} options are malformed: invalid type for `{name}`: {}, expected {expected}",
                self.what,
                kind(value)
            ),
        )
    }

    /// The field's value; `null` counts as absent.
    pub(crate) fn value(&mut self, name: &str) -> Option<Value> {
        match self.take(name) {
            Some(Value::Null) | None => None,
            Some(value) => Some(value),
        }
    }

    /// A required string.
    pub(crate) fn string(&mut self, name: &str) -> Result<String, Refusal> {
        match self.take(name) {
            Some(Value::Str(s)) => Ok(s),
            Some(other) => Err(self.invalid(name, &other, "a string")),
            None => Err(Refusal::new(
                ErrorKind::InvalidRequest,
                format!(
                    "the {} options are malformed: missing field `{name}`",
                    self.what
                ),
            )),
        }
    }

    /// An optional string (absent or `null`: `None`).
    pub(crate) fn opt_string(&mut self, name: &str) -> Result<Option<String>, Refusal> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(other) => Err(self.invalid(name, &other, "a string")),
        }
    }

    /// A boolean, `false` when absent.
    pub(crate) fn flag(&mut self, name: &str) -> Result<bool, Refusal> {
        match self.take(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(other) => Err(self.invalid(name, &other, "a boolean")),
        }
    }

    /// An optional whole number in `0..=max`.
    pub(crate) fn opt_uint(&mut self, name: &str, max: u64) -> Result<Option<u64>, Refusal> {
        match self.value(name) {
            None => Ok(None),
            Some(value) if as_u64(&value).is_some_and(|n| n <= max) => Ok(as_u64(&value)),
            Some(other) => Err(self.invalid(name, &other, &format!("an integer 0 to {max}"))),
        }
    }

    /// A list of strings, empty when absent.
    pub(crate) fn strings(&mut self, name: &str) -> Result<Vec<String>, Refusal> {
        let Some(value) = self.take(name) else {
            return Ok(Vec::new());
        };
        match value {
            Value::Array(items) if items.iter().all(|v| matches!(v, Value::Str(_))) => Ok(items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s),
                    _ => None,
                })
                .collect()),
            other => Err(self.invalid(name, &other, "an array of strings")),
        }
    }

    /// An object of names to values as `(name, value)` pairs sorted by name (each name once, as
    /// the object has them), empty when absent; with `nullable`, a `null` value is `None` (a
    /// query parameter without a value).
    pub(crate) fn map(
        &mut self,
        name: &str,
        nullable: bool,
    ) -> Result<Vec<(String, Option<String>)>, Refusal> {
        let Some(value) = self.take(name) else {
            return Ok(Vec::new());
        };
        let expected = if nullable {
            "an object of strings or nulls"
        } else {
            "an object of strings"
        };
        let Value::Object(object) = value else {
            return Err(self.invalid(name, &value, expected));
        };
        let mut out = Vec::with_capacity(object.len());
        for (key, value) in object {
            let value = match value {
                Value::Str(s) => Some(s),
                Value::Null if nullable => None,
                other => return Err(self.invalid(&format!("{name}.{key}"), &other, "a string")),
            };
            out.push((key, value));
        }
        Ok(out)
    }

    /// [`Fields::map`] as `(name, value)` pairs sorted by name, a `null` value (with
    /// `nullable`) as the empty string.
    pub(crate) fn pairs(
        &mut self,
        name: &str,
        nullable: bool,
    ) -> Result<Vec<(String, String)>, Refusal> {
        Ok(self
            .map(name, nullable)?
            .into_iter()
            .map(|(n, v)| (n, v.unwrap_or_default()))
            .collect())
    }
}
