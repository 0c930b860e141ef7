//! The options' JSON, read with `miniserde` (a JSON reader without serde's per-type
//! monomorphised visitors: it took about 100 KB of the module out, see docs/wasm.md), and the
//! typed reading of one options object with serde-like refusals: `missing field`, `unknown
//! field`, `invalid type`.

pub(crate) use miniserde::json::{Number, Value};

use crate::refusal::Refusal;
use oss_client::ErrorKind;

/// `value` written back as compact JSON (for messages that quote what was given).
pub(crate) fn text(value: &Value) -> String {
    miniserde::json::to_string(value)
}

/// `text` as a JSON string literal (quotes and escapes), for the results written as JSON.
pub(crate) fn string_literal(text: &str) -> String {
    miniserde::json::to_string(text)
}

/// A whole number that fits an `i64`.
pub(crate) fn as_i64(number: &Number) -> Option<i64> {
    match number {
        Number::U64(n) => i64::try_from(*n).ok(),
        Number::I64(n) => Some(*n),
        Number::F64(_) => None,
    }
}

/// The text of a string value.
pub(crate) fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
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
        Value::Number(Number::U64(n)) => Some(*n),
        _ => None,
    }
}

/// What a value is, for `invalid type` refusals (`string "x"`, `integer 5`, `an array`).
fn kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(Number::F64(_)) => format!("floating point {}", text(value)),
        Value::Number(_) => format!("integer {}", text(value)),
        Value::String(s) => format!("string {}", string_literal(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
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
        let value: Value = miniserde::json::from_str(options)
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
            let names: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
            return Err(refuse(format!(
                "unknown field `{name}`, expected one of {}",
                names.join(", ")
            )));
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
            Some(Value::String(s)) => Ok(s),
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
            Some(Value::String(s)) => Ok(Some(s)),
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
            Some(Value::Number(Number::U64(n))) if n <= max => Ok(Some(n)),
            Some(other) => Err(self.invalid(name, &other, &format!("an integer 0 to {max}"))),
        }
    }

    /// A list of strings, empty when absent.
    pub(crate) fn strings(&mut self, name: &str) -> Result<Vec<String>, Refusal> {
        let Some(value) = self.take(name) else {
            return Ok(Vec::new());
        };
        match value {
            Value::Array(items) if items.iter().all(|v| matches!(v, Value::String(_))) => Ok(items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
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
                Value::String(s) => Some(s),
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
