//! Suite `post-policy`: V4 POST-policy signatures (`conformance/post-policy/*.json`, one case
//! per file, computed by ali-oss's `signPostObjectPolicyV4`; `oracle.js` regenerates them).
//!
//! A case names the signer (`access_key_id`, `access_key_secret`, `region`, optional
//! `security_token`), the instant (`x_oss_date`) and either the caller's policy (`expiration`
//! and `conditions`, to which the signer appends the V4 conditions) or a `verbatim` document
//! signed byte for byte. `expected` holds `policy_json`, `policy_base64`, `credential` and
//! `signature` (any may be left out). Built policies are signed through `oss_sign_core` and
//! checked back with its verifier; verbatim ones are signed through `oss_client`
//! (`PostPolicyRequest::verbatim`) and `oss_sign_core`.

use super::case::{run_json_cases, CaseOutcome, Status};
use super::compare::Diffs;
use oss_sign_core::post_policy::{
    parse_policy, sign_policy_document, sign_post_policy, verify_post_form, PostForm, PostPolicy,
    PostPolicyErrorKind, PostPolicyParams, PostVerifyOptions,
};
use oss_sign_core::verify::StaticSecret;
use oss_sign_core::{v4::SigningKey, SigningTime};
use serde_json::Value;
use std::path::Path;

pub(crate) fn run(dir: &Path) -> Result<Vec<CaseOutcome>, String> {
    run_json_cases(dir, run_case)
}

fn text<'a>(case: &'a Value, field: &str) -> Result<&'a str, String> {
    case.get(field)
        .and_then(Value::as_str)
        .ok_or(format!("{field} is missing"))
}

fn run_case(case: &Value) -> Result<Status, String> {
    let ak = text(case, "access_key_id")?;
    let sk = text(case, "access_key_secret")?;
    let region = text(case, "region")?;
    let token = case.get("security_token").and_then(Value::as_str);
    let time = SigningTime::parse_x_oss_date(text(case, "x_oss_date")?)
        .map_err(|e| format!("x_oss_date: {e}"))?;
    let expected = &case["expected"];
    let key = SigningKey::derive(sk, time, region, "oss");
    let mut diffs = Diffs::default();
    let mut check = |what: &str, actual: &str| {
        if let Some(want) = expected.get(what).and_then(Value::as_str) {
            diffs.check(what, want, actual);
        }
    };

    if let Some(document) = case.get("verbatim").and_then(Value::as_str) {
        let (b64, sig) = sign_policy_document(document, &key);
        check("policy_base64", &b64);
        check("signature", &sig);
        let client = oss_client::Client::new(
            oss_client::Config::builder()
                .region(region)
                .credentials(oss_credentials::Credentials::new(ak, sk).map_err(|e| e.to_string())?)
                .clock(oss_client::FixedClock::new(time))
                .build()
                .map_err(|e| e.to_string())?,
        );
        let form = client
            .presign_post(&oss_client::PostPolicyRequest::verbatim("bucket", document))
            .map_err(|e| format!("oss_client refused the document: {e}"))?;
        check("signature", form.field("x-oss-signature").unwrap_or(""));
        check("credential", form.field("x-oss-credential").unwrap_or(""));
        return Ok(diffs.status());
    }

    let document = format!(
        r#"{{"expiration":"{}","conditions":{}}}"#,
        text(case, "expiration")?,
        case.get("conditions").ok_or("conditions is missing")?
    );
    let parsed = parse_policy(&document).map_err(|e| format!("the case's policy: {e}"))?;
    let policy = parsed
        .conditions()
        .iter()
        .cloned()
        .fold(PostPolicy::new(parsed.expiration()), PostPolicy::condition);
    let params = PostPolicyParams::new(ak, region, time).security_token(token);
    let signed = sign_post_policy(&policy, &params, &key).map_err(|e| format!("signing: {e}"))?;
    check("policy_json", signed.policy_json());
    check("policy_base64", signed.policy_base64());
    check("credential", signed.credential());
    check("signature", signed.signature());

    // The verifier accepts the signature (a condition on a field the bare form lacks may
    // still refuse it, but never the signature or the V4 fields).
    let fields = signed.form_fields();
    match verify_post_form(
        &PostForm::new("bucket", &fields),
        &StaticSecret::new(ak, sk),
        time,
        &PostVerifyOptions::new().region(region),
    ) {
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                PostPolicyErrorKind::ConditionFailed | PostPolicyErrorKind::EntityTooSmall
            ) => {}
        Err(e) => diffs.note(format!("the verifier refused the signed form: {e}")),
    }
    Ok(diffs.status())
}
