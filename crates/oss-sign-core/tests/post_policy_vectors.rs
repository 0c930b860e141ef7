//! The POST-policy cases of `conformance/post-policy/` (signatures computed by ali-oss's
//! `signPostObjectPolicyV4`, see `oracle.js` there), through the public API.

use oss_sign_core::post_policy::*;
use oss_sign_core::verify::StaticSecret;
use oss_sign_core::{v4::SigningKey, SigningTime};
use serde_json::Value;
use std::path::Path;

fn cases() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/post-policy");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            out.push(serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap());
        }
    }
    assert!(
        out.len() >= 5,
        "expected the post-policy cases in {}",
        dir.display()
    );
    out
}

#[test]
fn every_case_reproduces_the_oracle_signature() {
    for case in cases() {
        let id = case["id"].as_str().unwrap();
        let s = |k: &str| case[k].as_str().unwrap();
        let time = SigningTime::parse_x_oss_date(s("x_oss_date")).unwrap();
        let key = SigningKey::derive(s("access_key_secret"), time, s("region"), "oss");
        let expected = &case["expected"];
        if let Some(doc) = case["verbatim"].as_str() {
            let (b64, sig) = sign_policy_document(doc, &key);
            assert_eq!(b64, expected["policy_base64"].as_str().unwrap(), "{id}");
            assert_eq!(sig, expected["signature"].as_str().unwrap(), "{id}");
            continue;
        }
        let doc = format!(
            r#"{{"expiration":"{}","conditions":{}}}"#,
            s("expiration"),
            case["conditions"]
        );
        let parsed = parse_policy(&doc).unwrap();
        let policy = parsed
            .conditions()
            .iter()
            .cloned()
            .fold(PostPolicy::new(parsed.expiration()), PostPolicy::condition);
        let params = PostPolicyParams::new(s("access_key_id"), s("region"), time)
            .security_token(case["security_token"].as_str());
        let signed = sign_post_policy(&policy, &params, &key).unwrap();
        for (field, got) in [
            ("policy_json", signed.policy_json()),
            ("policy_base64", signed.policy_base64()),
            ("credential", signed.credential()),
            ("signature", signed.signature()),
        ] {
            assert_eq!(got, expected[field].as_str().unwrap(), "{id}: {field}");
        }

        // and the oracle's form verifies here (conditions aside: only the V4 ones are sent)
        let fields: Vec<(&str, &str)> = signed.form_fields();
        let only_v4 = PostPolicy::new(parsed.expiration());
        let v4_only = sign_post_policy(&only_v4, &params, &key).unwrap();
        let v4_fields = v4_only.form_fields();
        let secrets = StaticSecret::new(s("access_key_id"), s("access_key_secret"));
        verify_post_form(
            &PostForm::new("any", &v4_fields),
            &secrets,
            time,
            &PostVerifyOptions::new(),
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        // the full form: the signature matches, then a condition refuses (fields missing)
        let err = verify_post_form(
            &PostForm::new("any", &fields),
            &secrets,
            time,
            &PostVerifyOptions::new(),
        );
        if !parsed.conditions().is_empty() {
            assert_eq!(err.unwrap_err().kind().oss_code(), "AccessDenied", "{id}");
        }
    }
}
