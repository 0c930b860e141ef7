//! The policy's conditions: what a form must satisfy, and the longest validity.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::json;
/// Longest validity of a POST policy: 7 days after `x-oss-date`.
pub const MAX_POLICY_SECONDS: i64 = 604_800;

/// How a condition matches (the first element of an array condition, or the object form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Op {
    /// `{"field": "value"}`.
    Exact(String),
    /// `["eq", "$field", "value"]`.
    Eq(String),
    /// `["starts-with", "$field", "prefix"]`.
    StartsWith(String),
    /// `["in", "$field", [..]]`.
    In(Vec<String>),
    /// `["not-in", "$field", [..]]`.
    NotIn(Vec<String>),
    /// `["content-length-range", min, max]`.
    LengthRange(u64, u64),
}

/// One policy condition.
///
/// Field names are compared without regard to case (`$content-type` matches the form field
/// `Content-Type`), as OSS does.
///
/// ```
/// use oss_sign_core::post_policy::Condition;
/// assert_eq!(Condition::eq("Content-Type", "image/png").to_json(), r#"["eq","$Content-Type","image/png"]"#);
/// assert_eq!(Condition::bucket("b").to_json(), r#"{"bucket":"b"}"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Condition {
    /// Empty for `content-length-range`.
    pub(super) field: String,
    pub(super) op: Op,
}

impl Condition {
    /// `{"bucket": "<bucket>"}`: the form must go to this bucket.
    ///
    /// ```
    /// assert_eq!(oss_sign_core::post_policy::Condition::bucket("b").field(), "bucket");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn bucket(bucket: impl Into<String>) -> Self {
        Self::exact("bucket", bucket)
    }

    /// `{"<field>": "<value>"}`: the field must equal the value.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::exact("key", "a.txt").to_json(), r#"{"key":"a.txt"}"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn exact(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            op: Op::Exact(value.into()),
        }
    }

    /// `["eq", "$<field>", "<value>"]`.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::eq("key", "a").to_json(), r#"["eq","$key","a"]"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn eq(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            op: Op::Eq(value.into()),
        }
    }

    /// `["starts-with", "$<field>", "<prefix>"]` (an empty prefix allows any value).
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::starts_with("key", "u/").to_json(), r#"["starts-with","$key","u/"]"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn starts_with(field: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            op: Op::StartsWith(prefix.into()),
        }
    }

    /// `["in", "$<field>", [values]]`: the field must be one of the values.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// let c = Condition::one_of("content-type", ["image/jpeg", "image/png"]);
    /// assert_eq!(c.to_json(), r#"["in","$content-type",["image/jpeg","image/png"]]"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn one_of<I, S>(field: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::list(field, Op::In, values)
    }

    /// `["not-in", "$<field>", [values]]`: the field must be none of the values.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// let c = Condition::none_of("cache-control", ["no-cache"]);
    /// assert_eq!(c.to_json(), r#"["not-in","$cache-control",["no-cache"]]"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn none_of<I, S>(field: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::list(field, Op::NotIn, values)
    }

    /// A condition whose operator `op` takes the list `values` (`in`, `not-in`).
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn list<I, S>(field: impl Into<String>, op: fn(Vec<String>) -> Op, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            field: field.into(),
            op: op(values.into_iter().map(Into::into).collect()),
        }
    }

    /// `["content-length-range", min, max]`: the file size in bytes, both ends included.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::content_length_range(1, 1024).to_json(), r#"["content-length-range",1,1024]"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn content_length_range(min: u64, max: u64) -> Self {
        Self {
            field: String::new(),
            op: Op::LengthRange(min, max),
        }
    }

    /// The form field the condition is about (without `$`; empty for
    /// `content-length-range`).
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::eq("x-oss-meta-a", "1").field(), "x-oss-meta-a");
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The condition as compact JSON, as it appears in the policy.
    ///
    /// ```
    /// use oss_sign_core::post_policy::Condition;
    /// assert_eq!(Condition::exact("x-oss-date", "20231203T121212Z").to_json(), r#"{"x-oss-date":"20231203T121212Z"}"#);
    /// ```
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, ",");
        out
    }

    /// `sep` is `,` in the policy and `, ` in OSS's error messages.
    /// The length of [`write_json`](Self::write_json) with `","` between elements, unless
    /// something needs an escape (then more).
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn json_size_hint(&self) -> usize {
        let quoted = |s: &str| s.len() + 2;
        // `[` `"name"` `,` `"$field"` `,` ... `]`
        let array = |name: &str| 1 + quoted(name) + 1 + quoted(&self.field) + 1 + 1 + 1;
        let list = |vs: &[String]| {
            let items: usize = vs.iter().map(|v| quoted(v)).sum();
            2 + items + vs.len().saturating_sub(1)
        };
        match &self.op {
            Op::Exact(value) => 1 + quoted(&self.field) + 1 + quoted(value) + 1,
            Op::LengthRange(min, max) => {
                1 + quoted("content-length-range") + 1 + digits(*min) + 1 + digits(*max) + 1
            }
            Op::Eq(v) => array("eq") + quoted(v),
            Op::StartsWith(v) => array("starts-with") + quoted(v),
            Op::In(vs) => array("in") + list(vs),
            Op::NotIn(vs) => array("not-in") + list(vs),
        }
    }

    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn write_json(&self, out: &mut String, sep: &str) {
        let dollar = |out: &mut String, field: &str| json::write_joined_str(out, &["$", field]);
        let list = |out: &mut String, values: &[String]| {
            out.push('[');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                json::write_str(out, v);
            }
            out.push(']');
        };
        let (name, rest): (&str, &dyn Fn(&mut String)) = match &self.op {
            Op::Exact(value) => {
                out.push('{');
                json::write_str(out, &self.field);
                out.push(':');
                if sep.len() > 1 {
                    out.push(' ');
                }
                json::write_str(out, value);
                out.push('}');
                return;
            }
            Op::LengthRange(min, max) => {
                out.push('[');
                json::write_str(out, "content-length-range");
                out.push_str(sep);
                json::write_int(out, *min);
                out.push_str(sep);
                json::write_int(out, *max);
                out.push(']');
                return;
            }
            Op::Eq(v) => ("eq", &move |o: &mut String| json::write_str(o, v)),
            Op::StartsWith(v) => ("starts-with", &move |o: &mut String| json::write_str(o, v)),
            Op::In(vs) => ("in", &move |o: &mut String| list(o, vs)),
            Op::NotIn(vs) => ("not-in", &move |o: &mut String| list(o, vs)),
        };
        out.push('[');
        json::write_str(out, name);
        out.push_str(sep);
        dollar(out, &self.field);
        out.push_str(sep);
        rest(out);
        out.push(']');
    }

    /// The condition as OSS quotes it in a refusal: `["eq", "$key", "a"]`.
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn to_message_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, ", ");
        out
    }
}

/// How many decimal digits `n` has.
#[cfg_attr(target_arch = "wasm32", inline)]
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl fmt::Debug for Condition {
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A security token condition carries a credential: never show its value.
        if self.field.eq_ignore_ascii_case("x-oss-security-token") {
            return f.write_str("Condition(x-oss-security-token: <redacted>)");
        }
        write!(f, "Condition({})", self.to_json())
    }
}
