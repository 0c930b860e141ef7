//! The JavaScript wrapper's own tests (`crates/oss-presign-wasm/js/test/`) in Node 20, against
//! a freshly built module (the `wasm` conformance suite checks the URLs against the native
//! crate; these check Dates, the host clock, thrown errors, the POST form and manual loading,
//! and that prepared presigners answer exactly what the one-shot `presign()` answers).

use std::process::{Command, Output};

use oss_testserver::ServerBuilder;

/// The standard output of a finished `node` run, after asserting that it exited with success
/// (both streams in the message when it did not).
fn succeeded(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_javascript_wrapper_tests_pass_in_node() {
    let (module, size) = xtask::wasm::build().expect("the module builds");
    assert!(module.is_file() && size > 0);
    let tests = xtask::workspace::root().join("crates/oss-presign-wasm/js/test");
    let output = Command::new("node")
        .arg("--test")
        .arg(tests.join("wrapper.test.mjs"))
        .arg(tests.join("prepared.test.mjs"))
        .output()
        .expect("node (20 or later) runs");
    let stdout = succeeded(&output);
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(!stdout.contains("# pass 0"), "{stdout}");
}

/// The module's URLs and forms against a real local server (oss-testserver on 127.0.0.1):
/// GET, a tampered and an expired URL (403), a PUT with a signed Content-Type, a POST-policy
/// form and one outside its key prefix; the uploads are checked in the server's store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_urls_work_against_the_local_server() {
    xtask::wasm::build().expect("the module builds");
    let server = ServerBuilder::new()
        .credential("LTAI5tWasmE2E", "wasm-e2e-secret")
        .start()
        .await
        .expect("the server starts");
    server
        .store()
        .put("bucket", "hello.txt", b"hello from the store".to_vec())
        .expect("put");
    let script = xtask::workspace::root().join("crates/oss-presign-wasm/js/e2e/local_server.mjs");
    let endpoint = server.endpoint();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .env("OSS_E2E_ENDPOINT", endpoint)
            .env("OSS_E2E_AK", "LTAI5tWasmE2E")
            .env("OSS_E2E_SK", "wasm-e2e-secret")
            .output()
    })
    .await
    .expect("joined")
    .expect("node (20 or later) runs");
    succeeded(&output);
    let uploaded = server
        .store()
        .info("bucket", "up/wasm.txt")
        .expect("the PUT stored it");
    assert_eq!(uploaded.size, "uploaded by the wasm signer".len() as u64);
    let posted = server
        .store()
        .info("bucket", "forms/form.txt")
        .expect("the form stored it");
    assert_eq!(posted.size, "posted by the wasm signer".len() as u64);
    assert!(server.store().info("bucket", "elsewhere.txt").is_none());
    server.shutdown().await;
}
