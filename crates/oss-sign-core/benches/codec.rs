//! The percent codec: the hand-written OSS encoder and strict decoder of
//! `oss_sign_core::encoding` beside the `percent-encoding` crate doing the same job, on the
//! inputs presigning sees. Decided whether the codec is built on the crate (issue 13); the
//! figures are in docs/performance.md.
//!
//! `cargo bench -p oss-sign-core --bench codec -- --warm-up-time 1 --measurement-time 3`
//!
//! * `encode/*`: appending the encoding of a typical object key (`/` kept), of a
//!   credential value (`/` escaped), of a CJK key and of a 1023-byte key to a reused buffer:
//!   `oss` is `encoding::uri_encode_into` (now on the crate), `hand_written` the loop it
//!   replaced, `percent_encoding` the crate called directly.
//! * `decode/*`: decoding a credential value; `oss` is strict (refuses `%+F`), the crate's
//!   decoder is lenient (passes bad escapes through), so it is the lower bound a strict
//!   decoder on the crate could reach, not an equivalent.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use oss_sign_core::encoding::{decode_strict, uri_encode_into};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but the RFC 3986 unreserved characters is escaped: the OSS rule.
const OSS_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same with `/` kept (canonical URI, URL path).
const OSS_PATH: &AsciiSet = &OSS_QUERY.remove(b'/');

/// The hand-written encoder `oss_sign_core::encoding` used before it moved onto
/// `percent-encoding` (kept here only as the reference the decision was measured against).
fn hand_written_encode_into(out: &mut String, input: &str, keep_slash: bool) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
    let bytes = input.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if unreserved(byte) || (keep_slash && byte == b'/') {
            continue;
        }
        out.push_str(core::str::from_utf8(&bytes[start..index]).unwrap_or_default());
        out.push('%');
        out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(byte & 0x0f)]));
        start = index + 1;
    }
    out.push_str(core::str::from_utf8(&bytes[start..]).unwrap_or_default());
}

fn crate_encode_into(out: &mut String, input: &str, keep_slash: bool) {
    let set = if keep_slash { OSS_PATH } else { OSS_QUERY };
    for chunk in utf8_percent_encode(input, set) {
        out.push_str(chunk);
    }
}

fn bench(c: &mut Criterion) {
    let long_key: String = "photos/2024/holiday img_".repeat(43)[..1023].to_owned();
    let inputs: [(&str, &str, bool); 4] = [
        ("key", "photos/2024/11/holiday img_1234.jpg", true),
        (
            "credential",
            "LTAI5tExampleAccessKeyId/20241112/cn-hangzhou/oss/aliyun_v4_request",
            false,
        ),
        ("cjk_key", "目录/文件 名称-2024.txt", true),
        ("key_1023", &long_key, true),
    ];
    // Same bytes out, or the comparison means nothing.
    for (name, input, keep) in inputs {
        let (mut a, mut b, mut h) = (String::new(), String::new(), String::new());
        uri_encode_into(&mut a, input, keep);
        crate_encode_into(&mut b, input, keep);
        hand_written_encode_into(&mut h, input, keep);
        assert_eq!(a, b, "{name}");
        assert_eq!(a, h, "{name}");
    }

    let mut group = c.benchmark_group("encode");
    for (name, input, keep) in inputs {
        let mut out = String::with_capacity(4096);
        group.bench_function(format!("{name}/oss"), |b| {
            b.iter(|| {
                out.clear();
                uri_encode_into(&mut out, black_box(input), keep);
                out.len()
            })
        });
        group.bench_function(format!("{name}/hand_written"), |b| {
            b.iter(|| {
                out.clear();
                hand_written_encode_into(&mut out, black_box(input), keep);
                out.len()
            })
        });
        group.bench_function(format!("{name}/percent_encoding"), |b| {
            b.iter(|| {
                out.clear();
                crate_encode_into(&mut out, black_box(input), keep);
                out.len()
            })
        });
    }
    group.finish();

    let encoded = "LTAI5tExampleAccessKeyId%2F20241112%2Fcn-hangzhou%2Foss%2Faliyun_v4_request";
    let mut group = c.benchmark_group("decode");
    group.bench_function("credential/oss_strict", |b| {
        b.iter(|| decode_strict(black_box(encoded)).map(|s| s.len()))
    });
    group.bench_function("credential/percent_encoding_lenient", |b| {
        b.iter(|| {
            percent_decode_str(black_box(encoded))
                .decode_utf8()
                .map(|s| s.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
