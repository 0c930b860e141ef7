//! The JavaScript wrapper's own tests (`crates/oss-presign-wasm/js/test/`) in Node 20, against
//! a freshly built module (the `wasm` conformance suite checks the URLs against the native
//! crate; these check Dates, the host clock, thrown errors, the POST form and manual loading).

use std::process::Command;

#[test]
fn the_javascript_wrapper_tests_pass_in_node() {
    let (module, size) = xtask::wasm::build().expect("the module builds");
    assert!(module.is_file() && size > 0);
    let tests = xtask::workspace::root().join("crates/oss-presign-wasm/js/test/wrapper.test.mjs");
    let output = Command::new("node")
        .arg("--test")
        .arg(&tests)
        .output()
        .expect("node (20 or later) runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(!stdout.contains("# pass 0"), "{stdout}");
}
