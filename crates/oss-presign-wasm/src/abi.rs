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
static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Status of `oss_presign`/`oss_presign_post`: the output holds the result JSON.
pub const STATUS_OK: u32 = 0;
/// Status of `oss_presign`/`oss_presign_post`: the output holds the error message.
pub const STATUS_ERROR: u32 = 1;

fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
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
    *lock(&OUTPUT) = Vec::new();
}

/// Lets Rust code fill the input buffer the way the host does through memory (tests, native
/// callers).
///
/// ```
/// use oss_presign_wasm::abi;
/// abi::oss_input(3);
/// abi::with_input(|b| b.copy_from_slice(b"abc"));
/// ```
pub fn with_input(write: impl FnOnce(&mut [u8])) {
    write(&mut lock(&INPUT));
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
    String::from_utf8_lossy(&lock(&OUTPUT)).into_owned()
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
    let (status, text) = match answer {
        Ok(json) => (STATUS_OK, json),
        Err(message) => (STATUS_ERROR, message),
    };
    let mut output = lock(&OUTPUT);
    output.clear();
    output.extend_from_slice(text.as_bytes());
    status
}
