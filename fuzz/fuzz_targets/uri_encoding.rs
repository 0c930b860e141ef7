//! `oss_sign_core::encoding::{uri_encode, uri_encode_into, percent_decode}`.
//!
//! Properties checked on every input:
//! * the encoder writes only unreserved bytes (`A-Z a-z 0-9 - _ . ~`), `/` when asked to keep
//!   it, and `%XX` escapes with two upper-case hex digits;
//! * `percent_decode(uri_encode(s)) == s` for both `keep_slash` settings;
//! * `uri_encode_into` appends exactly what `uri_encode` returns;
//! * `percent_decode` never panics on arbitrary text, and whatever it accepts re-encodes to
//!   something that decodes back to the same string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_sign_core::encoding::{percent_decode, uri_encode, uri_encode_into};

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

fn is_upper_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'A'..=b'F').contains(&byte)
}

fn check_encoded(input: &str, encoded: &str, keep_slash: bool) {
    let bytes = encoded.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            assert!(
                index + 2 < bytes.len()
                    && is_upper_hex(bytes[index + 1])
                    && is_upper_hex(bytes[index + 2]),
                "bad escape at {index} in {encoded:?} (input {input:?}, keep_slash {keep_slash})"
            );
            index += 3;
        } else {
            assert!(
                is_unreserved(byte) || (keep_slash && byte == b'/'),
                "byte {byte:#04x} left unescaped in {encoded:?} (input {input:?}, keep_slash {keep_slash})"
            );
            index += 1;
        }
    }
    let decoded = percent_decode(encoded)
        .unwrap_or_else(|e| panic!("decoding our own encoding {encoded:?} failed: {e}"));
    assert_eq!(decoded, input, "round trip (keep_slash {keep_slash})");

    let mut appended = String::from("prefix/");
    uri_encode_into(&mut appended, input, keep_slash);
    assert_eq!(appended.strip_prefix("prefix/"), Some(encoded));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for keep_slash in [false, true] {
        let encoded = uri_encode(&text, keep_slash);
        check_encoded(&text, &encoded, keep_slash);
    }
    // The raw input as something a client sent: decoding must not panic, and an accepted
    // string must survive a re-encode/decode cycle.
    if let Ok(decoded) = percent_decode(&text) {
        let again = uri_encode(&decoded, false);
        assert_eq!(
            percent_decode(&again).ok().as_deref(),
            Some(decoded.as_str())
        );
    }
});
