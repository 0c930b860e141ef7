//! `oss_cli::batch::run_json` (the input of `oss-presign batch`) never panics, and what it
//! returns for an accepted input is a JSON array with one result per input case.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(output) = oss_cli::batch::run_json(input) {
        let cases: Vec<Value> = serde_json::from_str(input).expect("run_json accepted a non-array");
        let results: Vec<Value> =
            serde_json::from_str(&output).expect("run_json produced invalid JSON");
        assert_eq!(results.len(), cases.len());
    }
});
