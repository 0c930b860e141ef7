//! Helpers shared by the tests that run the built `oss-presign` binary.
#![allow(dead_code)]

pub(crate) mod serve;
pub(crate) mod serve_process;

use std::process::{Command, Output, Stdio};

/// Fake credentials (the format of real ones, no real key).
pub(crate) const AK: &str = "LTAI5tExampleAccessKeyId";
pub(crate) const SK: &str = "ExampleAccessKeySecret0123456789abcd";

/// `url` for examplebucket/k in cn-hangzhou, the smallest complete presign.
pub(crate) const URL_ARGS: [&str; 7] = [
    "url",
    "--region",
    "cn-hangzhou",
    "--bucket",
    "examplebucket",
    "--key",
    "k",
];

/// Conformance case v4-key-001 without the subcommand: GET examplebucket/exampleobject.txt in
/// cn-hangzhou, signed at 2024-11-12T09:27:56Z (valid the default 900 s).
pub(crate) const V4_KEY_001_ARGS: [&str; 8] = [
    "--region",
    "cn-hangzhou",
    "--bucket",
    "examplebucket",
    "--key",
    "exampleobject.txt",
    "--signing-time",
    "2024-11-12T09:27:56Z",
];

/// The signature of conformance case v4-key-001 with the fake credentials.
pub(crate) const V4_KEY_001_SIGNATURE: &str =
    "d2816a52095ab421a9b20de7f1973f3147c2694713c8ab28bc60c60bdb94a6fa";

/// `url --op post-policy` conditions: keys under `user/`, Content-Type `text/plain`, the
/// metadata `owner=alice`, answer 201 (the size range is the caller's).
pub(crate) const ALICE_FORM_CONDITIONS: [&str; 8] = [
    "--key-prefix",
    "user/",
    "--content-type",
    "text/plain",
    "--meta",
    "owner=alice",
    "--success-action-status",
    "201",
];

/// A command with an empty environment: no credentials, no home, no metadata service.
pub(crate) fn oss_presign(home: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oss-presign"));
    command
        .env_clear()
        .env("HOME", home.path())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    command
}

/// Adds the fake credentials to the environment.
pub(crate) fn with_credentials(command: &mut Command) -> &mut Command {
    command
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
}

pub(crate) fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// The exit code (panics when killed by a signal).
pub(crate) fn code(output: &Output) -> i32 {
    output.status.code().expect("exited with a code")
}

/// The lines of `text`, which must be exactly `count` (the message shows the text).
#[track_caller]
pub(crate) fn lines_of(text: &str, count: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), count, "{text}");
    lines
}

/// Both streams, for assertion messages.
pub(crate) fn both(output: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output))
}

/// Runs `url` with the fake credentials and returns the URL from the sample's line.
pub(crate) fn presign(home: &tempfile::TempDir, args: &[&str]) -> String {
    let output = run(with_credentials(&mut oss_presign(home))
        .arg("url")
        .args(args));
    assert!(output.status.success(), "{}", both(&output));
    let text = stdout(&output);
    let first = text.lines().next().expect("a line");
    first
        .split_once(", url: ")
        .map(|(_, url)| url.to_string())
        .unwrap_or_else(|| panic!("no url in {first}"))
}

/// Asserts that no output stream contains the secret.
pub(crate) fn assert_no_secret(output: &Output, secret: &str) {
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(!out.contains(secret), "secret in stdout");
    assert!(!err.contains(secret), "secret in stderr");
}

/// Asserts that stdout contains `needle`, showing both streams when it does not.
#[track_caller]
pub(crate) fn assert_stdout_has(output: &Output, needle: &str) {
    assert_stream_has(output, "stdout", &stdout(output), needle);
}

/// Asserts that stderr contains `needle`, showing both streams when it does not.
#[track_caller]
pub(crate) fn assert_stderr_has(output: &Output, needle: &str) {
    assert_stream_has(output, "stderr", &stderr(output), needle);
}

/// Asserts that `output` exited with `expected` and that stderr contains `needle` (the
/// messages show both streams).
#[track_caller]
pub(crate) fn assert_fails_with(output: &Output, expected: i32, needle: &str) {
    assert_exit_and_stderr(output, expected, needle, String::new());
}

/// [`assert_fails_with`] for one case of a table: `case` (the arguments, say) leads the
/// messages.
#[track_caller]
pub(crate) fn assert_case_fails_with(
    case: &dyn std::fmt::Debug,
    output: &Output,
    expected: i32,
    needle: &str,
) {
    assert_exit_and_stderr(output, expected, needle, format!("{case:?}: "));
}

#[track_caller]
fn assert_exit_and_stderr(output: &Output, expected: i32, needle: &str, case: String) {
    assert_eq!(code(output), expected, "{case}{}", both(output));
    assert!(
        stderr(output).contains(needle),
        "{case}{needle:?} not in stderr\n{}",
        both(output)
    );
}

#[track_caller]
fn assert_stream_has(output: &Output, name: &str, text: &str, needle: &str) {
    assert!(
        text.contains(needle),
        "{needle:?} not in {name}\n{}",
        both(output)
    );
}

/// `url` with its signature altered: the last hex digit (the URL's last parameter) flipped.
pub(crate) fn tampered(url: &str) -> String {
    let mut tampered = url.to_string();
    let last = tampered.pop().expect("a signature");
    tampered.push(if last == '0' { '1' } else { '0' });
    tampered
}

/// The names in a folder, sorted (shared with oss-transfer's tests).
pub(crate) fn entries(dir: &std::path::Path) -> Vec<String> {
    oss_testserver::test_files::file_names(dir)
}

/// Runs `batch` with `input` on stdin and waits for it (see [`run_with_stdin`]).
pub(crate) fn run_batch(home: &tempfile::TempDir, input: &[u8]) -> Output {
    run_with_stdin(oss_presign(home).arg("batch"), input)
}

/// Runs `command` with `input` on stdin (written from a thread, so a large input cannot block
/// against a full stdout) and both outputs captured, and waits for it.
pub(crate) fn run_with_stdin(command: &mut Command, input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("the binary ends");
    writer.join().expect("writer");
    output
}

/// Sends `signal` (`INT`, `TERM`...) to the child process `pid` this test started, by its id.
pub(crate) fn send_signal(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {pid}: {status}");
}

/// The `fields` of `url --op post-policy --json` output, as `(name, value)` in order.
pub(crate) fn form_fields(json: &serde_json::Value) -> Vec<(String, String)> {
    json["fields"]
        .as_array()
        .expect("a fields list")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().expect("a name").to_string(),
                f["value"].as_str().expect("a value").to_string(),
            )
        })
        .collect()
}
