//! `oss-presign demo` with nothing configured.

mod common;

use common::*;

#[test]
fn demo_runs_every_step_and_exits_0() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run(oss_presign(&home).arg("demo"));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let text = stdout(&output);
    let steps: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(steps.len(), 6, "{text}");
    let oks = text
        .lines()
        .filter(|l| l.trim_start().starts_with("ok: "))
        .count();
    assert_eq!(oks, 8, "{text}");
    for needle in [
        "endpoint:      https://127.0.0.1:",
        "(verified against x-oss-hash-crc64ecma)",
        "result:     VALID",
        "download refused (exit code 10 for `oss-presign get`)",
        "download refused (exit code 11 for `oss-presign get`)",
        "oss-presign verify URL (exit code 10)",
        "oss-presign verify URL (exit code 11)",
        "| /demo-bucket/samples/private.bin",
        "every step turned out as expected",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    assert_no_secret(&output, "oss-presign-demo-secret");
}

/// Runs a command whose stdout is a pipe nobody reads (closed before it starts).
fn with_closed_stdout(command: &mut std::process::Command) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    command
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("runs")
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = with_closed_stdout(oss_presign(&home).arg("demo"));
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code(&output), 0, "{err}");

    let output = with_closed_stdout(with_credentials(&mut oss_presign(&home)).args(URL_ARGS));
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code(&output), 1, "{err}");
    assert!(err.contains("cannot write the URL"), "{err}");
}
