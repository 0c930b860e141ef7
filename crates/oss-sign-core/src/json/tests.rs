//! The reader's and writer's unit tests.

use super::*;
use alloc::string::ToString;

#[test]
fn parses_a_policy_shape() {
    let v = parse(
        r#" {"a": [1, -2, "x\u00e9\n", ["p"]], "b": true, "c": null} "#,
        Grammar::Policy,
    )
    .unwrap();
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
        assert!(parse(bad, Grammar::Policy).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn writer_escapes_like_json_stringify() {
    let mut s = String::new();
    write_str(&mut s, "a\"b\\c\n\u{1}é/");
    assert_eq!(s, "\"a\\\"b\\\\c\\n\\u0001é/\"");
    let Value::Array(v) = parse(&alloc::format!("[{s}]"), Grammar::Policy).unwrap() else {
        panic!()
    };
    assert_eq!(v[0], Value::Str("a\"b\\c\n\u{1}é/".to_string()));
    let mut n = String::new();
    write_int(&mut n, 0);
    n.push(',');
    write_int(&mut n, u64::MAX);
    assert_eq!(n, "0,18446744073709551615");
}

#[test]
fn documents_take_any_number_repeated_keys_and_deep_nesting() {
    let v = parse(
        r#"{"z": 1.5, "a": 1e3, "m": -0, "a": 18446744073709551615, "n": -9223372036854775808, "o": -9223372036854775809}"#,
        Grammar::Document,
    )
    .unwrap();
    let number = |s: &str| Value::Number(s.to_string());
    assert_eq!(
        v,
        Value::Object(alloc::vec![
            ("a".to_string(), number("18446744073709551615")),
            ("m".to_string(), Value::Int(0)),
            ("n".to_string(), Value::Int(i64::MIN)),
            ("o".to_string(), number("-9223372036854775809")),
            ("z".to_string(), number("1.5")),
        ])
    );
    let deep = |n: usize| alloc::format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&deep(128), Grammar::Document).is_ok());
    assert_eq!(
        parse(&deep(129), Grammar::Document).unwrap_err().what(),
        "JSON nested too deeply"
    );
    assert_eq!(
        parse(&deep(5), Grammar::Policy).unwrap_err().what(),
        "JSON nested too deeply for a policy"
    );
    for bad in [
        "1.", "1.e5", "1e", "1e+", "-", ".5", "01.5", "[1,]", "{\"a\":}", "tru",
    ] {
        assert!(
            parse(bad, Grammar::Document).is_err(),
            "{bad:?} was accepted"
        );
    }
    assert!(parse("-9223372036854775808", Grammar::Policy).is_err());
}

#[test]
fn write_value_reads_back() {
    let text = r#"{"a":[-5,0,9223372036854775807,1.5e-3,null,true,false],"b":{"c":"\u0001\""}}"#;
    let v = parse(text, Grammar::Document).unwrap();
    let mut out = String::new();
    write_value(&mut out, &v);
    assert_eq!(out, text);
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
        let Value::Array(v) = parse(&alloc::format!("[{ours}]"), Grammar::Policy).unwrap() else {
            panic!("not an array")
        };
        proptest::prop_assert_eq!(&v[0], &Value::Str(text.clone()));
    }
}
