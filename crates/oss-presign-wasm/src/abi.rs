//! The module's exported functions: a plain C-like ABI that a hand-written JavaScript loader
//! drives (`js/index.mjs`), with JSON in and out through linear memory.
//!
//! One call, from the host's side:
//!
//! 1. `ptr = oss_input(len)`: the module sizes its input buffer to `len` bytes and returns
//!    where it starts; the host writes the UTF-8 JSON options there.
//! 2. `status = oss_presign()` (or `oss_presign_post()`): the module reads the input buffer,
//!    signs, and leaves the answer in its output buffer: the result JSON when `status` is 0,
//!    the error message (UTF-8 text) when it is 1.
//! 3. `oss_output_ptr()` and `oss_output_len()` say where the answer is; the host copies it
//!    out before the next call.
//! 4. `oss_release()` (optional) frees both buffers, e.g. after a very large input.
//!
//! `js/core.mjs`'s `presign()` takes a faster road: it sizes the input for the most bytes its
//! text can take, writes it with `TextEncoder.encodeInto`, and calls
//! `oss_presign_at(written, now)`, which passes the host's clock as an argument (so the
//! wrapper never copies the options to add `signingTime`) and answers in a compact layout
//! rather than JSON (see [`oss_presign_at`]).
//!
//! The buffers live in the module (`Vec`s behind a lock), so no Rust code ever dereferences a
//! pointer the host handed in: the host only writes into memory the module owns and told it
//! about. These functions are ordinary safe Rust functions too, which is how the native tests
//! call them.
//!
//! ```
//! use oss_presign_wasm::abi;
//! let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket", "key": "k",
//!     "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": 1731403676}"#;
//! abi::oss_input(options.len());
//! abi::with_input(|buffer| buffer.copy_from_slice(options)); // what the host does
//! assert_eq!(abi::oss_presign(), 0);
//! let answer = abi::output();
//! assert!(answer.starts_with(r#"{"method":"GET","url":"https://examplebucket.oss-cn-hangzhou"#));
//! abi::oss_release();
//! ```

use std::sync::Mutex;

static INPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// The last answer (result or refusal text); a prepared call writes over it in place.
static OUTPUT: Mutex<String> = Mutex::new(String::new());
/// The key (and signing-time text) of a prepared call: only grows, so the host may keep its
/// address until it needs more room or calls [`oss_release`].
static KEY: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Status of `oss_presign`/`oss_presign_post`: the output holds the result JSON.
pub const STATUS_OK: u32 = 0;
/// Status of `oss_presign`/`oss_presign_post`: the output holds the error message.
pub const STATUS_ERROR: u32 = 1;

fn lock<T>(buffer: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    buffer
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Sizes the input buffer to `len` zero bytes and returns its address, for the host to write
/// the JSON options into.
///
/// ```
/// let at = oss_presign_wasm::abi::oss_input(16);
/// assert!(!at.is_null());
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_input(len: usize) -> *mut u8 {
    let mut input = lock(&INPUT);
    input.clear();
    input.resize(len, 0);
    input.as_mut_ptr()
}

/// Presigns the URL whose options are in the input buffer ([`crate::presign_json`]);
/// returns [`STATUS_OK`] or [`STATUS_ERROR`].
///
/// ```
/// use oss_presign_wasm::abi;
/// abi::oss_input(2);
/// abi::with_input(|b| b.copy_from_slice(b"{}"));
/// assert_eq!(abi::oss_presign(), abi::STATUS_ERROR);
/// assert!(abi::output().starts_with("invalid request: the presign options are malformed: missing field"));
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_presign() -> u32 {
    run(crate::presign_json)
}

/// The wrapper's fast path: presigns the options in the first `len` bytes of the input buffer
/// (the host sized it with [`oss_input`] for the most bytes its text can take and wrote fewer,
/// with `TextEncoder.encodeInto`), signing at `now` (Unix seconds, the host's clock) when the
/// options name no `signingTime` (NaN: none, the options must name it). The answer on [`STATUS_OK`] is the compact result layout
/// `EXPIRATION:L1,L2,...;METHODURLNAME1VALUE1...` (lengths in UTF-16 code units; the signed
/// headers sorted by name) rather than JSON; the error message is the same as [`oss_presign`]'s.
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket", "key": "k",
///     "accessKeyId": "ak", "accessKeySecret": "sk"}"#;
/// abi::oss_input(options.len() + 10);
/// abi::with_input(|b| b[..options.len()].copy_from_slice(options));
/// assert_eq!(abi::oss_presign_at(options.len(), 1731403676.0), abi::STATUS_OK);
/// let answer = abi::output();
/// let (head, body) = answer.split_once(';').unwrap();
/// assert_eq!(head.split_once(':').unwrap().0, "1731404576"); // 900 s after the host's now
/// assert!(body.starts_with("GEThttps://examplebucket.oss-cn-hangzhou.aliyuncs.com/k?"));
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_presign_at(len: usize, now: f64) -> u32 {
    {
        let mut input = lock(&INPUT);
        let len = len.min(input.len());
        input.truncate(len);
    }
    // The host passes Math.floor(Date.now() / 1000), or NaN for "no host instant" (the
    // options' signingTime must then be given). `as` saturates; the signing-time check
    // refuses an instant out of range with its own message.
    let now = now.is_finite().then_some(now as i64);
    run(|options| crate::presign::presign_compact(options, now))
}

/// Signs the POST policy whose options are in the input buffer
/// ([`crate::presign_post_json`]); returns [`STATUS_OK`] or [`STATUS_ERROR`].
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket", "key": "a.txt",
///     "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": 0}"#;
/// abi::oss_input(options.len());
/// abi::with_input(|b| b.copy_from_slice(options));
/// assert_eq!(abi::oss_presign_post(), abi::STATUS_OK);
/// assert!(abi::output().contains(r#"["x-oss-signature-version","OSS4-HMAC-SHA256"]"#));
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_presign_post() -> u32 {
    run(crate::presign_post_json)
}

/// Prepares a presigner from the JSON options in the input buffer: those of
/// [`oss_presign`] but `key`, `expires`, `expiration` and `signingTime`, which each call of
/// [`oss_presign_prepared`] passes. Returns its handle (1 or more), or 0 with the refusal in
/// the output.
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket",
///     "accessKeyId": "ak", "accessKeySecret": "sk"}"#;
/// abi::oss_input(options.len());
/// abi::with_input(|b| b.copy_from_slice(options));
/// let handle = abi::oss_prepare();
/// assert!(handle > 0);
/// assert!(abi::oss_unprepare(handle));
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_prepare() -> u32 {
    let mut handle = 0;
    run(|options| {
        handle = crate::prepared::prepare(options)?;
        Ok(String::new())
    });
    handle
}

/// Makes the key buffer at least `len` bytes and returns its address, for the host to write
/// a prepared call's key (and signing-time text) into. The buffer only grows and stays where
/// it is until it grows or [`oss_release`] frees it.
///
/// ```
/// let at = oss_presign_wasm::abi::oss_key_input(64);
/// assert!(!at.is_null());
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_key_input(len: usize) -> *mut u8 {
    let mut key = lock(&KEY);
    if key.len() < len {
        key.resize(len, 0);
    }
    key.as_mut_ptr()
}

/// Presigns with the prepared presigner `handle`: the key is the first `key_len` bytes of the
/// key buffer; with `time_len` 0 or more the signing instant is the text of the `time_len`
/// bytes after it (checked as `signingTime` text), with -1 it is `now` (Unix seconds; NaN:
/// none, refused as a missing `signingTime`). `expires` (seconds of validity) and
/// `expiration` (Unix seconds) are NaN when not given. Answers as [`oss_presign_at`]: the
/// compact result on [`STATUS_OK`], the refusal of the one-shot presign for the same options
/// on [`STATUS_ERROR`].
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket",
///     "accessKeyId": "ak", "accessKeySecret": "sk"}"#;
/// abi::oss_input(options.len());
/// abi::with_input(|b| b.copy_from_slice(options));
/// let handle = abi::oss_prepare();
/// abi::oss_key_input(1);
/// abi::with_key_input(|b| b[0] = b'k');
/// let status = abi::oss_presign_prepared(handle, 1, -1, 1731403676.0, 600.0, f64::NAN);
/// assert_eq!(status, abi::STATUS_OK);
/// assert!(abi::output().starts_with("1731404276:3,"));
/// abi::oss_unprepare(handle);
/// assert_eq!(abi::oss_presign_prepared(handle, 1, -1, 0.0, f64::NAN, f64::NAN), abi::STATUS_ERROR);
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_presign_prepared(
    handle: u32,
    key_len: usize,
    time_len: i32,
    now: f64,
    expires: f64,
    expiration: f64,
) -> u32 {
    // `as` saturates; the checks refuse out-of-range values with their own messages.
    let number = |n: f64| n.is_finite().then_some(n as i64);
    let key = lock(&KEY);
    let key_end = key_len.min(key.len());
    let time_end = usize::try_from(time_len)
        .map(|len| key_end.saturating_add(len).min(key.len()))
        .ok();
    let at = match time_end.map(|end| std::str::from_utf8(&key[key_end..end])) {
        None => Ok(match number(now) {
            Some(seconds) => crate::prepared::CallTime::Seconds(seconds),
            None => crate::prepared::CallTime::Missing,
        }),
        Some(Ok(text)) => Ok(crate::prepared::CallTime::Text(text)),
        Some(Err(e)) => Err(e),
    };
    let mut output = lock(&OUTPUT);
    // The answer is written over the last one: no buffer allocated or freed per call.
    let answer = std::str::from_utf8(&key[..key_end])
        .and_then(|key| at.map(|at| (key, at)))
        .map_err(|e| format!("invalid request: the key is not UTF-8 text: {e}"))
        .and_then(|(key, at)| {
            crate::prepared::presign(
                handle,
                key,
                at,
                number(expires),
                number(expiration),
                &mut output,
            )
        });
    match answer {
        Ok(()) => STATUS_OK,
        Err(message) => {
            *output = message;
            STATUS_ERROR
        }
    }
}

/// Frees the prepared presigner `handle`; 1 when there was one, 0 when not.
///
/// ```
/// assert!(!oss_presign_wasm::abi::oss_unprepare(12345));
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_unprepare(handle: u32) -> bool {
    crate::prepared::close(handle)
}

/// Where the last answer starts.
///
/// ```
/// assert!(!oss_presign_wasm::abi::oss_output_ptr().is_null());
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_output_ptr() -> *const u8 {
    lock(&OUTPUT).as_ptr()
}

/// How many bytes the last answer has.
///
/// ```
/// use oss_presign_wasm::abi;
/// abi::oss_input(0);
/// abi::oss_presign();
/// assert_eq!(abi::oss_output_len(), abi::output().len());
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_output_len() -> usize {
    lock(&OUTPUT).len()
}

/// Frees the input and output buffers (the next call allocates them again).
///
/// ```
/// use oss_presign_wasm::abi;
/// abi::oss_release();
/// assert_eq!(abi::oss_output_len(), 0);
/// ```
#[allow(unsafe_code)] // `unsafe(no_mangle)`: the export's fixed name; no unsafe operation
#[unsafe(no_mangle)]
pub extern "C" fn oss_release() {
    *lock(&INPUT) = Vec::new();
    *lock(&OUTPUT) = String::new();
    *lock(&KEY) = Vec::new();
}

/// Lets Rust code fill the input buffer the way the host does through memory (tests, native
/// callers).
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket", "key": "a b",
///     "accessKeyId": "ak", "accessKeySecret": "sk", "signingTime": "2024-11-12T09:27:56Z"}"#;
/// abi::oss_input(options.len());
/// abi::with_input(|b| b.copy_from_slice(options));
/// assert_eq!(abi::oss_presign(), abi::STATUS_OK);
/// assert!(abi::output().contains("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b?"));
/// ```
pub fn with_input(write: impl FnOnce(&mut [u8])) {
    write(&mut lock(&INPUT));
}

/// Lets Rust code fill the key buffer of a prepared call (tests, native callers).
///
/// ```
/// use oss_presign_wasm::abi;
/// let options = br#"{"region": "cn-hangzhou", "bucket": "examplebucket",
///     "accessKeyId": "ak", "accessKeySecret": "sk"}"#;
/// abi::oss_input(options.len());
/// abi::with_input(|b| b.copy_from_slice(options));
/// let handle = abi::oss_prepare();
/// abi::oss_key_input(3);
/// abi::with_key_input(|b| b[..3].copy_from_slice(b"abc"));
/// assert_eq!(abi::oss_presign_prepared(handle, 3, -1, 1731403676.0, f64::NAN, f64::NAN), abi::STATUS_OK);
/// assert!(abi::output().contains("aliyuncs.com/abc?"));
/// # abi::oss_unprepare(handle);
/// ```
pub fn with_key_input(write: impl FnOnce(&mut [u8])) {
    write(&mut lock(&KEY));
}

/// The last answer as text.
///
/// ```
/// use oss_presign_wasm::abi;
/// abi::oss_input(1);
/// abi::with_input(|b| b[0] = b'[');
/// assert_eq!(abi::oss_presign(), abi::STATUS_ERROR);
/// assert!(abi::output().contains("malformed"));
/// ```
pub fn output() -> String {
    lock(&OUTPUT).clone()
}

fn run(sign: impl FnOnce(&str) -> Result<String, String>) -> u32 {
    let answer = {
        let input = lock(&INPUT);
        match std::str::from_utf8(&input) {
            Ok(text) => sign(text),
            Err(e) => Err(format!(
                "invalid request: the options are not UTF-8 text: {e}"
            )),
        }
    };
    answer_with(answer)
}

/// Leaves `answer` in the output buffer; its status.
fn answer_with(answer: Result<String, String>) -> u32 {
    let (status, text) = match answer {
        Ok(json) => (STATUS_OK, json),
        Err(message) => (STATUS_ERROR, message),
    };
    // The answer's own buffer becomes the output (no copy; the previous one is freed).
    *lock(&OUTPUT) = text;
    status
}
