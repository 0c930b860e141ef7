//! Any JSON (and any text) given as options is refused with a typed message or signed, never a
//! panic: objects with the real option names holding values of every JSON type, nested
//! values, and raw text, through `presign_json`, `presign_post_json` and a prepared presigner.

use oss_presign_wasm::{
    abi, presign_json, presign_post_json, PRESIGN_OPTION_NAMES, PRESIGN_POST_OPTION_NAMES,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Every option name of `presign()` and `presignPost()`, and one that neither knows.
fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PRESIGN_OPTION_NAMES
        .iter()
        .chain(PRESIGN_POST_OPTION_NAMES)
        .copied()
        .chain(["bogus"])
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The kinds every refusal starts with (`KIND: message`, as the native errors).
const KINDS: &[&str] = &[
    "invalid request: ",
    "invalid configuration: ",
    "invalid expiry: ",
    "invalid bucket name: ",
    "invalid object key: ",
    "invalid region: ",
    "invalid endpoint: ",
    "credentials error: ",
    "signing error: ",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        "[ -~\u{e9}\u{4e2d}]{0,8}".prop_map(Value::from),
        Just(json!("cn-hangzhou")),
        Just(json!("2024-11-12T09:27:56Z")),
        Just(json!(1_731_403_676)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$-]{0,5}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn options() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(prop::sample::select(names()), any_json(), 0..10).prop_map(|m| {
        let mut o = Map::new();
        for (name, value) in m {
            o.insert(name.to_string(), value);
        }
        Value::Object(o)
    })
}

fn typed(err: &str) -> bool {
    KINDS.iter().any(|k| err.starts_with(k))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_options_are_signed_or_refused_with_a_kind(o in options()) {
        let text = o.to_string();
        if let Err(e) = presign_json(&text) {
            prop_assert!(typed(&e), "{}", e);
        }
        if let Err(e) = presign_post_json(&text) {
            prop_assert!(typed(&e), "{}", e);
        }
        let mut template = o.clone();
        let map = template.as_object_mut().unwrap();
        for name in ["key", "expires", "expiration", "signingTime"] {
            map.remove(name);
        }
        let text = template.to_string();
        abi::oss_input(text.len());
        abi::with_input(|b| b.copy_from_slice(text.as_bytes()));
        let handle = abi::oss_prepare();
        if handle == 0 {
            let e = abi::output();
            prop_assert!(typed(&e), "{}", e);
        } else {
            abi::oss_key_input(1);
            abi::with_key_input(|b| b[0] = b'k');
            if abi::oss_presign_prepared(handle, 1, -1, 1_731_403_676.0, f64::NAN, f64::NAN) != abi::STATUS_OK {
                let e = abi::output();
                prop_assert!(typed(&e), "{}", e);
            }
            prop_assert!(abi::oss_unprepare(handle));
        }
    }

    #[test]
    fn any_text_is_refused_or_signed_never_a_panic(text in "[ -~]{0,40}|\\{[ -~]{0,40}\\}") {
        if let Err(e) = presign_json(&text) {
            prop_assert!(typed(&e), "{}", e);
        }
        if let Err(e) = presign_post_json(&text) {
            prop_assert!(typed(&e), "{}", e);
        }
    }
}
