//! Tests of the canonical request: header selection, query order and line, trims.

use super::*;
use alloc::borrow::ToOwned;
use alloc::vec;
use proptest::prelude::*;

/// The selection as it was written before it stopped copying (issue 17): lower-cased
/// copies, stable sort, a second vector for the merge.
fn reference(headers: &[(&str, &str)], additional: &[String]) -> (String, Vec<(String, String)>) {
    let mut entries: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        if crate::is_signed_by_default(name)
            || additional.iter().any(|a| a.eq_ignore_ascii_case(name))
        {
            entries.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(String, String)> = Vec::new();
    for (name, value) in entries {
        match merged.last_mut() {
            Some((last, joined)) if *last == name => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => merged.push((name, value)),
        }
    }
    let mut text = String::new();
    for (name, value) in &merged {
        text.push_str(name);
        text.push(':');
        text.push_str(value);
        text.push('\n');
    }
    let mut list: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| {
            crate::is_signed_by_default(name)
                || additional.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned()))
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    (text, list)
}

fn owned(selected: &CanonicalHeaders<'_>) -> Vec<(String, String)> {
    let mut text = String::new();
    let count = selected.write_request_headers(&mut text);
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(lines.len(), 2 * count);
    lines
        .chunks(2)
        .map(|pair| (pair[0].to_owned(), pair[1].to_owned()))
        .collect()
}

#[test]
fn lines_split_at_the_first_line_break_at_any_length() {
    for len in 0..40 {
        let head = "a".repeat(len);
        let text = alloc::format!("{head}\nrest\nmore");
        assert_eq!(split_line(&text), (head.as_str(), "rest\nmore"), "{len}");
        assert_eq!(split_line(&head), (head.as_str(), ""), "{len}");
        let tail = alloc::format!("{head}\n");
        assert_eq!(split_line(&tail), (head.as_str(), ""), "{len}");
    }
    let wide = "\u{e9}\u{a0}12345678";
    assert_eq!(split_line(&alloc::format!("{wide}\nx")), (wide, "x"));
}

#[test]
fn repeated_mixed_case_names_join_in_input_order() {
    let headers = [
        ("X-OSS-Meta-B", " 2 "),
        ("content-type", "text/plain"),
        ("x-oss-meta-b", "1"),
        ("Range", "bytes=0-1"),
        ("x-oss-meta-a", "0"),
    ];
    let selected = CanonicalHeaders::select(&headers, &[], &[("x-oss-date", "d")]);
    let mut text = String::new();
    selected.write(&mut text);
    assert_eq!(
        text,
        "content-type:text/plain\nx-oss-date:d\nx-oss-meta-a:0\nx-oss-meta-b:2,1\n"
    );
    assert_eq!(
        owned(&selected),
        vec![
            ("content-type".to_owned(), "text/plain".to_owned()),
            ("x-oss-meta-a".to_owned(), "0".to_owned()),
            ("x-oss-meta-b".to_owned(), " 2 ".to_owned()),
            ("x-oss-meta-b".to_owned(), "1".to_owned()),
        ]
    );
}

proptest! {
    #[test]
    fn raw_order_is_the_order_of_the_encoded_forms(
        a in "(param-0[ab])?[a-c/.%~ +\u{e9}-]{0,12}",
        b in "(param-0[ab])?[a-c/.%~ +\u{e9}-]{0,12}",
    ) {
        let (ea, eb) = (crate::encoding::uri_encode(&a, false), crate::encoding::uri_encode(&b, false));
        prop_assert_eq!(cmp_encoded(&a, &b), ea.cmp(&eb));
        let credential = |ak| QueryValue::Credential { access_key_id: ak, scope: "x/y", encoded_scope: "x%2Fy", encoded: None };
        let (ja, jb) = (credential(a.as_str()), credential(b.as_str()));
        prop_assert_eq!(
            cmp_values(&ja, &jb),
            alloc::format!("{ea}%2Fx%2Fy").cmp(&alloc::format!("{eb}%2Fx%2Fy"))
        );
        prop_assert_eq!(
            cmp_values(&ja, &QueryValue::Text(&b)),
            alloc::format!("{ea}%2Fx%2Fy").cmp(&eb)
        );
        let mut written = String::new();
        ja.write(&mut written);
        prop_assert_eq!(written, alloc::format!("{ea}%2Fx%2Fy"));
    }

    #[test]
    fn query_line_is_the_sorted_encoded_pairs(
        // Names around the authentication parameters' too (`x-oss-d`, `x-oss-s...`), so the
        // merge interleaves them.
        query in prop::collection::vec(
            (prop_oneof!["[a-c/%~ +.\u{e9}-]{1,4}", "x-oss-[c-t]{0,2}"], "[a-c/%~ +.-]{0,3}"),
            0..40,
        ),
        token in any::<bool>(),
        presorted in any::<bool>(),
    ) {
        let mut pairs: Vec<(&str, &str)> = query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        if presorted {
            // Given in order: written as given, without the sort.
            pairs.sort_by(|a, b| cmp_encoded(a.0, b.0).then_with(|| cmp_encoded(a.1, b.1)));
        }
        let scope = "20240101/r+1/oss/aliyun_v4_request";
        let encoded_scope = crate::encoding::uri_encode(scope, false);
        let credential = QueryValue::Credential { access_key_id: "a k", scope, encoded_scope: &encoded_scope, encoded: None };
        let mut extra = vec![("x-oss-credential", credential)];
        if token {
            extra.push(("x-oss-security-token", QueryValue::Text("t/+")));
        }
        extra.push(("x-oss-signature-version", QueryValue::Literal("OSS4-HMAC-SHA256")));
        let headers = CanonicalHeaders::select(&[], &[], &[]);
        let inputs = CanonicalInputs {
            method: "GET", bucket: Some("b"), key: Some("k"), query: &pairs,
            extra_query: &extra, headers: &headers, additional_line: "", payload: UNSIGNED_PAYLOAD,
        };
        let mut out = String::from("prefix");
        let (range, _) = write_canonical_request(&mut out, &inputs);
        let enc = |s: &str| crate::encoding::uri_encode(s, false);
        let mut expected: Vec<(String, String)> = pairs.iter().map(|(n, v)| (enc(n), enc(v))).collect();
        expected.push(("x-oss-credential".to_owned(), enc("a k/20240101/r+1/oss/aliyun_v4_request")));
        if token {
            expected.push(("x-oss-security-token".to_owned(), enc("t/+")));
        }
        expected.push(("x-oss-signature-version".to_owned(), "OSS4-HMAC-SHA256".to_owned()));
        expected.sort();
        let line: Vec<String> = expected
            .iter()
            .map(|(n, v)| if v.is_empty() { n.clone() } else { alloc::format!("{n}={v}") })
            .collect();
        prop_assert_eq!(&out[range.clone()], line.join("&"));
        prop_assert_eq!(range.start, "prefixGET\n/b/k\n".len());
        prop_assert!(out.len() <= inputs.len_bound() + "prefix".len());
    }

    #[test]
    fn fast_trim_and_byte_order_are_the_std_ones(
        value in "[ \t\r\na-z\u{85}\u{a0}\u{3000}\u{e9}]{0,8}",
        a in "(x-oss-meta-)?[a-c-]{0,12}",
        b in "(x-oss-meta-)?[a-c-]{0,12}",
    ) {
        prop_assert_eq!(trim_value(&value), value.trim());
        prop_assert_eq!(cmp_bytes(&a, &b), a.cmp(&b));
        let signed = crate::is_signed_by_default(&a);
        prop_assert_eq!(signed, a.to_ascii_lowercase().starts_with("x-oss-"));
    }

    #[test]
    fn lowercase_order_is_the_order_of_the_lowercase_forms(
        a in "([xX]-[oO]ss-meta-)?[a-cA-C-]{0,12}",
        b in "([xX]-[oO]ss-meta-)?[a-cA-C-]{0,12}",
    ) {
        prop_assert_eq!(cmp_lowercase(&a, &b), a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()));
    }

    #[test]
    fn same_canonical_headers_as_the_copying_selection(
        headers in prop::collection::vec(
            (prop::sample::select(vec![
                "x-oss-meta-a", "X-OSS-META-A", "x-oss-meta-B", "Content-Type", "content-md5",
                "Host", "host", "range", "x-oss-date", "X-Oss-Meta-b",
            ]), "[ a-z0-9,]{0,6}"),
            0..12,
        ),
        with_host in any::<bool>(),
        // Sorted by name (stable), so that lower-case runs take the in-order path (no sort).
        in_order in any::<bool>(),
        // Repeats dropped too, so that the lines take `write`'s no-repeat path.
        distinct in any::<bool>(),
    ) {
        let mut pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        if in_order {
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            if distinct {
                pairs.dedup_by(|a, b| a.0.eq_ignore_ascii_case(b.0));
            }
        }
        let additional = if with_host { vec!["host".to_owned()] } else { Vec::new() };
        let selected = CanonicalHeaders::select(&pairs, &additional, &[]);
        let mut text = String::new();
        let verbatim = selected.write(&mut text);
        let (expected_text, expected_list) = reference(&pairs, &additional);
        if verbatim {
            // The lines are then the signed-header list itself.
            let lines: Vec<(String, String)> = text
                .lines()
                .map(|line| line.split_once(':').map(|(n, v)| (n.to_owned(), v.to_owned())).unwrap_or_default())
                .collect();
            prop_assert_eq!(&lines, &expected_list);
        }
        prop_assert_eq!(text, expected_text);
        prop_assert_eq!(owned(&selected), expected_list);
    }
}

proptest! {
    #[test]
    fn the_additional_headers_line_is_the_list_joined_with_semicolons(
        names in prop::collection::vec("[a-z][a-z0-9-]{0,12}", 0..6),
    ) {
        let list: Vec<String> = names.clone();
        prop_assert_eq!(additional_headers_line(&list), names.join(";"));
    }
}
