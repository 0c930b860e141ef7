//! The `oss-client` presigner as a WebAssembly module, for Node, browser pages and edge
//! runtimes: presigned URLs and POST-policy forms byte-identical to the native crate's, signed
//! without a server round trip (STS credentials handed to the page or worker).
//!
//! This crate is a thin binding: the options arrive as JSON, are turned into an
//! [`oss_client::Config`], a request and [`oss_client::PresignOptions`], and the
//! [`oss_client::Client`] does everything else (validation, endpoint, signing). Nothing here
//! signs, encodes or validates on its own.
//!
//! * [`presign_json`]: presign options (camelCase JSON, as the JavaScript `presign()` takes
//!   them) to the result JSON (`method`, `url`, `expiration` in Unix seconds,
//!   `signedHeaders`), or the native error's message.
//! * [`presign_post_json`]: the same for a V4 POST policy (`Client::presign_post`).
//! * The module's exports (the `abi` functions, `oss_*`): a plain exported-function ABI,
//!   JSON in (and out, or a compact answer for `presign()`) through the module's linear
//!   memory, driven by the hand-written loader
//!   `js/index.mjs`. Building the module needs only
//!   `cargo build -p oss-presign-wasm --target wasm32-unknown-unknown --profile wasm-release`
//!   (`cargo xtask wasm` does it and puts the module next to the loader).
//!
//! The signing instant always comes from the caller (`signingTime`; the JavaScript wrapper
//! passes the host's `Date.now()` when it is absent): `wasm32-unknown-unknown` has no clock.
//!
//! ```
//! let out = oss_presign_wasm::presign_json(r#"{
//!     "region": "cn-hangzhou", "bucket": "examplebucket", "key": "exampleobject.txt",
//!     "accessKeyId": "LTAI5tExampleAccessKeyId",
//!     "accessKeySecret": "ExampleAccessKeySecret0123456789abcd",
//!     "signingTime": "2024-11-12T09:27:56Z"
//! }"#)?;
//! let result: serde_json::Value = serde_json::from_str(&out)?;
//! assert_eq!(result["method"], "GET");
//! assert_eq!(result["expiration"], 1_731_404_576); // 2024-11-12T09:42:56Z
//! assert!(result["url"].as_str().unwrap().ends_with(
//!     "x-oss-signature=d2816a52095ab421a9b20de7f1973f3147c2694713c8ab28bc60c60bdb94a6fa"
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod abi;
#[cfg(feature = "bench-floor")]
mod bench_floor;
mod client_cache;
mod input;
mod json;
mod post;
mod prepared;
mod presign;
mod refusal;

/// The module's allocator: talc, growing the WebAssembly memory as needed, instead of std's
/// dlmalloc (smaller in the module; figures in docs/performance.md, "Size round 4").
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use post::{presign_post_json, PRESIGN_POST_OPTION_NAMES};
pub use presign::{presign_json, PRESIGN_OPTION_NAMES};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
