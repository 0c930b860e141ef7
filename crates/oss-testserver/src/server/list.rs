//! A minimal ListObjectsV2 (`GET /?list-type=2`): `prefix`, `delimiter`, `max-keys`,
//! `continuation-token`, `start-after`, `fetch-owner` ignored, `encoding-type=url`.

use http::{Response, StatusCode};
use oss_sign_core::encoding::{decode_strict, uri_encode};

use super::response::{answer, finish};
use super::routing::Target;
use super::state::State;
use crate::body::ResponseBody;
use crate::oss_error::{push_element, OssError};
use crate::query::param;
use crate::store::Lookup;

fn invalid(name: &'static str, why: &str) -> OssError {
    OssError::new(
        400,
        "InvalidArgument",
        format!("Invalid argument {name}: {why}"),
    )
    .extra("ArgumentName", name)
}

/// ListObjectsV2 over the bucket's keys in byte order.
pub(crate) fn list_objects_v2(
    state: &State,
    target: &Target,
    query: &[(String, String)],
    request_id: &str,
) -> Result<Response<ResponseBody>, OssError> {
    let prefix = param(query, "prefix").unwrap_or("");
    let delimiter = param(query, "delimiter").unwrap_or("");
    let max_keys = match param(query, "max-keys") {
        None => 100,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= 1000)
            .ok_or_else(|| invalid("max-keys", "an integer from 0 to 1000"))?,
    };
    let url_encoding = match param(query, "encoding-type") {
        None | Some("") => false,
        Some(v) if v.eq_ignore_ascii_case("url") => true,
        Some(_) => return Err(invalid("encoding-type", "only `url` is allowed")),
    };
    // The token is the last key (or common prefix) of the previous page, percent-encoded.
    let token = param(query, "continuation-token");
    let resume_after = match token {
        Some(t) => Some(
            decode_strict(t)
                .map_err(|_| invalid("continuation-token", "not a token this server gave"))?
                .into_owned(),
        ),
        None => param(query, "start-after").map(str::to_string),
    };
    let keys = state.store.keys(&target.bucket)?;
    let mut contents = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut last = None::<String>;
    for key in keys.iter().filter(|k| k.starts_with(prefix)) {
        if resume_after
            .as_deref()
            .is_some_and(|after| key.as_str() <= after)
        {
            continue;
        }
        let rolled = (!delimiter.is_empty())
            .then(|| key[prefix.len()..].find(delimiter))
            .flatten()
            .map(|at| key[..prefix.len() + at + delimiter.len()].to_string());
        if let Some(common) = &rolled {
            if prefixes.last() == Some(common) {
                continue;
            }
            // A token after a common prefix skips every key under it.
            if resume_after
                .as_deref()
                .is_some_and(|after| after.starts_with(common.as_str()))
            {
                continue;
            }
        }
        if contents.len() + prefixes.len() >= max_keys {
            truncated = true;
            break;
        }
        match rolled {
            Some(common) => {
                last = Some(common.clone());
                prefixes.push(common);
            }
            None => {
                last = Some(key.clone());
                contents.push(key.clone());
            }
        }
    }
    let enc = |s: &str| {
        if url_encoding {
            uri_encode(s, true)
        } else {
            s.to_string()
        }
    };
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>");
    push_element(&mut x, "Name", &target.bucket);
    push_element(&mut x, "Prefix", &enc(prefix));
    if let Some(t) = token {
        push_element(&mut x, "ContinuationToken", t);
    }
    if let Some(s) = param(query, "start-after") {
        push_element(&mut x, "StartAfter", &enc(s));
    }
    push_element(&mut x, "MaxKeys", &max_keys.to_string());
    if !delimiter.is_empty() {
        push_element(&mut x, "Delimiter", &enc(delimiter));
    }
    if url_encoding {
        push_element(&mut x, "EncodingType", "url");
    }
    push_element(
        &mut x,
        "IsTruncated",
        if truncated { "true" } else { "false" },
    );
    push_element(
        &mut x,
        "KeyCount",
        &(contents.len() + prefixes.len()).to_string(),
    );
    if truncated {
        if let Some(l) = &last {
            push_element(&mut x, "NextContinuationToken", &uri_encode(l, false));
        }
    }
    for key in &contents {
        let Lookup::Found(o) = state.store.lookup(&target.bucket, key) else {
            continue;
        };
        x.push_str("<Contents>");
        push_element(&mut x, "Key", &enc(key));
        let modified = oss_sign_core::SigningTime::try_from(o.info.last_modified)
            .map(|t| format!("{}.000Z", t.to_rfc3339().trim_end_matches('Z')))
            .unwrap_or_default();
        push_element(&mut x, "LastModified", &modified);
        push_element(&mut x, "ETag", &o.info.etag);
        push_element(
            &mut x,
            "Type",
            if o.info.etag.contains('-') {
                "Multipart"
            } else {
                "Normal"
            },
        );
        push_element(&mut x, "Size", &o.info.size.to_string());
        push_element(&mut x, "StorageClass", "Standard");
        x.push_str("</Contents>");
    }
    for p in &prefixes {
        x.push_str("<CommonPrefixes>");
        push_element(&mut x, "Prefix", &enc(p));
        x.push_str("</CommonPrefixes>");
    }
    x.push_str("</ListBucketResult>\n");
    finish(answer(StatusCode::OK, request_id), x)
}
