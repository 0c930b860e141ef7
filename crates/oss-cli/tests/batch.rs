//! `oss-presign batch` as a real process: malformed input is a usage error naming where it
//! broke, the output is the same JSON text as before streaming, and memory stays flat however
//! big the input is.

mod common;

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn case(id: &str, padding: usize) -> Value {
    serde_json::json!({
        "id": id,
        "access_key_id": AK,
        "access_key_secret": SK,
        "region": "cn-hangzhou",
        "bucket": "examplebucket",
        "key": "exampleobject.txt",
        "method": "GET",
        "signing_time": "2024-11-12T09:27:56Z",
        "expires_seconds": 900,
        "note": "n".repeat(padding),
    })
}

#[test]
fn malformed_json_exits_2_naming_the_line_and_column() {
    let home = tempfile::tempdir().expect("home");
    let good = case("first", 0).to_string();
    let input = format!("[\n{good},\n{{\"id\": \"second\" \"bucket\": 1}}\n]");
    let output = run_batch(&home, input.as_bytes());
    assert_eq!(code(&output), 2, "{}", both(&output));
    let err = stderr(&output);
    assert!(err.contains("not a JSON array of cases"), "{err}");
    assert!(err.contains("line 3 column 17"), "{err}");
    // The result made before the break was written; the array is not closed.
    let out = stdout(&output);
    assert!(out.contains("\"id\": \"first\""), "{out}");
    assert!(!out.trim_end().ends_with(']'), "{out}");

    for (input, position) in [
        ("this is not JSON", "line 1 column 2"),
        ("{\"id\": \"x\"}", "line 1 column 1"),
        ("[{\"id\": \"x\"}] trailing", "line 1 column 15"),
        ("[{\"id\": \"x\"},", "line 1 column 13"),
    ] {
        let output = run_batch(&home, input.as_bytes());
        assert_eq!(code(&output), 2, "{input}: {}", both(&output));
        assert!(
            stderr(&output).contains(position),
            "{input}: {}",
            both(&output)
        );
    }
    // Input that is not an array at all leaves stdout empty.
    assert!(stdout(&run_batch(&home, b"{}")).is_empty());
    // Not UTF-8 inside a string.
    let output = run_batch(&home, b"[{\"id\": \"\xff\"}]");
    assert_eq!(code(&output), 2, "{}", both(&output));
}

#[test]
fn the_output_is_the_same_text_as_before_streaming() {
    let home = tempfile::tempdir().expect("home");
    let cases: Vec<Value> = vec![case("a", 0), serde_json::json!({"id": "bad"}), case("c", 3)];
    let input = serde_json::to_string(&cases).expect("JSON");
    let output = run_batch(&home, input.as_bytes());
    assert_eq!(code(&output), 0, "{}", both(&output));
    let whole = serde_json::to_string_pretty(&oss_cli::batch::run_values(&cases)).expect("JSON");
    assert_eq!(stdout(&output), format!("{whole}\n"));
    let empty = run_batch(&home, b" [ ] ");
    assert_eq!(stdout(&empty), "[]\n");
}

/// Peak resident memory of `batch` over `cases` cases of about 1 KiB each, in KiB.
fn peak_rss_kib(home: &tempfile::TempDir, cases: usize) -> (u64, usize) {
    let mut child = oss_presign(home)
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        stdin.write_all(b"[").expect("write");
        for n in 0..cases {
            let sep = if n == 0 { "" } else { "," };
            let text = format!("{sep}{}", case(&format!("case-{n}"), 700));
            stdin.write_all(text.as_bytes()).expect("write");
        }
        stdin.write_all(b"]").expect("write");
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut results = Vec::new();
        stdout.read_to_end(&mut results).expect("read");
        results
    });
    let mut peak = 0;
    while child.try_wait().expect("wait").is_none() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(hwm) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(hwm);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    writer.join().expect("writer");
    let results: Vec<Value> = serde_json::from_slice(&reader.join().expect("reader"))
        .expect("the output is a JSON array");
    (peak, results.len())
}

#[test]
fn memory_does_not_grow_with_the_input() {
    let home = tempfile::tempdir().expect("home");
    // About 1 MiB and 16 MiB of cases.
    let (small, n_small) = peak_rss_kib(&home, 1_000);
    let (big, n_big) = peak_rss_kib(&home, 16_000);
    assert_eq!((n_small, n_big), (1_000, 16_000));
    eprintln!("batch peak RSS: {small} KiB for ~1 MiB of cases, {big} KiB for ~16 MiB");
    // Holding the input parsed took ~4 times its size; streamed, the peak barely moves.
    assert!(
        big < small + 8 * 1024,
        "peak RSS {small} KiB for 1,000 cases but {big} KiB for 16,000"
    );
}
