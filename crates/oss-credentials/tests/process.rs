//! The external-process provider with real scripts (Unix only).
#![cfg(unix)]

mod common;

use common::{expect_err, expect_ok};
use futures_executor::block_on;
use oss_credentials::{
    Credentials, CredentialsError, ErrorKind, ProcessProvider, ProvideCredentials,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The shell that runs every script: a script is passed to it as an argument, never executed
/// itself. Executing a file this test process has just written fails now and then with
/// `ETXTBSY` ("Text file busy", 2 runs in 40 here): a test on another thread forks while the
/// file is still open for writing, and its child holds the descriptor until it execs.
const SH: &str = "/bin/sh";

/// Writes the shell script `name` (run it with [`SH`]).
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Writes `body` as the script `name` in a fresh folder and asks a `ProcessProvider` running it
/// (no arguments) for credentials.
fn provide_from_script(name: &str, body: &str) -> Result<Credentials, CredentialsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = script(dir.path(), name, body);
    block_on(ProcessProvider::new(SH, [path.to_string_lossy()]).provide_credentials())
}

/// Writes `body` as the script `name` in a fresh folder and asks the `ProcessProvider` of the
/// command line "script path, then `args`" for credentials.
fn provide_from_command_line(
    name: &str,
    body: &str,
    args: &str,
) -> Result<Credentials, CredentialsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = script(dir.path(), name, body);
    let command = format!("{SH} {} {args}", path.display());
    block_on(
        ProcessProvider::from_command_line(&command)
            .unwrap()
            .provide_credentials(),
    )
}

#[test]
fn snake_case_output_of_the_cli_external_mode() {
    let creds = expect_ok(provide_from_command_line(
        "creds",
        r#"printf '%s' '{"mode":"StsToken","access_key_id":"STS.proc","access_key_secret":"SECRET-proc-91be6f","sts_token":"SECRET-token-5e2c90","expiration":"2030-05-01T09:00:00Z"}'"#,
        "",
    ));
    assert_eq!(creds.access_key_id(), "STS.proc");
    assert_eq!(creds.access_key_secret(), "SECRET-proc-91be6f");
    assert_eq!(creds.security_token(), Some("SECRET-token-5e2c90"));
    assert_eq!(
        creds.expiration(),
        oss_sign_core::SigningTime::parse_rfc3339_strict("2030-05-01T09:00:00Z")
            .ok()
            .map(std::time::SystemTime::from)
    );
    assert_eq!(creds.provider_name(), "process");
}

#[test]
fn pascal_case_output_of_the_oss_sdk_process_provider() {
    let creds = expect_ok(provide_from_script(
        "creds",
        r#"echo '{"AccessKeyId":"LTAIpascal","AccessKeySecret":"SECRET-proc-91be6f"}'"#,
    ));
    assert_eq!(creds.access_key_id(), "LTAIpascal");
    assert_eq!(creds.expiration(), None);
}

#[test]
fn arguments_are_split_without_a_shell() {
    // The script prints its arguments as the key id; a shell would expand `$HOME` and `;`.
    let creds = expect_ok(provide_from_command_line(
        "args",
        r#"printf '{"access_key_id":"%s|%s|%s","access_key_secret":"SECRET-proc-91be6f"}' "$1" "$2" "$3""#,
        "'two words' '$HOME' 'a;b'",
    ));
    assert_eq!(creds.access_key_id(), "two words|$HOME|a;b");
}

#[test]
fn failures_never_echo_the_output() {
    let cases = [
        ("exit", "echo '{\"access_key_secret\":\"SECRET-proc-91be6f\"}'; exit 3", ErrorKind::Process),
        ("garbage", "echo 'SECRET-proc-91be6f is not json'", ErrorKind::Parse),
        ("missing id", "echo '{\"access_key_secret\":\"SECRET-proc-91be6f\"}'", ErrorKind::Parse),
        ("sts without token", "echo '{\"mode\":\"StsToken\",\"access_key_id\":\"STS.x\",\"access_key_secret\":\"SECRET-proc-91be6f\"}'", ErrorKind::Parse),
        ("bad mode", "echo '{\"mode\":\"Nope\",\"access_key_id\":\"STS.x\",\"access_key_secret\":\"SECRET-proc-91be6f\"}'", ErrorKind::Parse),
        ("bad expiration", "echo '{\"access_key_id\":\"STS.x\",\"access_key_secret\":\"SECRET-proc-91be6f\",\"expiration\":\"SECRET-token-5e2c90\"}'", ErrorKind::Parse),
    ];
    for (name, body, kind) in cases {
        let error = expect_err(provide_from_script(&name.replace(' ', "-"), body));
        assert_eq!(error.kind(), kind, "{name}: {error}");
    }
}

/// Whether `pid` is still a live process (a zombie waiting to be reaped counts as dead).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// Runs the program at `path` with `timeout` and returns the error, which must be a timeout.
fn expect_timeout(path: &Path, timeout: Duration) -> CredentialsError {
    let provider = ProcessProvider::new(SH, [path.to_string_lossy()]).timeout(timeout);
    let error = expect_err(block_on(provider.provide_credentials()));
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    error
}

/// A helper script that starts a 60 s `sleep` in the background, writes its process id to
/// the returned pid file, then runs `rest`.
fn grandchild_script(dir: &Path, name: &str, rest: &str) -> (PathBuf, PathBuf) {
    let pid_file = dir.join("grandchild.pid");
    let body = format!("sleep 60 &\necho $! > '{}'\n{rest}", pid_file.display());
    (script(dir, name, &body), pid_file)
}

/// Asserts that the process whose id the helper wrote to `pid_file` is gone within 5 s.
fn assert_grandchild_dies(pid_file: &Path) {
    let grandchild: u32 = std::fs::read_to_string(pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive(grandchild) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(grandchild),
        "grandchild {grandchild} survived the timeout"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_timeout_kills_the_grandchildren_too() {
    let dir = tempfile::tempdir().unwrap();
    // The helper starts a grandchild that holds the output open, then hangs itself.
    let (path, pid_file) = grandchild_script(dir.path(), "spawner", "sleep 60");
    let error = expect_timeout(&path, Duration::from_millis(500));
    assert!(error.to_string().contains("process group"), "{error}");
    assert_grandchild_dies(&pid_file);
}

#[cfg(target_os = "linux")]
#[test]
fn a_grandchild_holding_the_output_open_cannot_hang_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    // The helper prints and exits at once, but a process it started keeps stdout open.
    let (path, pid_file) = grandchild_script(
        dir.path(),
        "leaker",
        r#"printf '{"access_key_id":"LTAIx","access_key_secret":"s"}'"#,
    );
    let started = std::time::Instant::now();
    expect_timeout(&path, Duration::from_millis(500));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_grandchild_dies(&pid_file);
}

#[test]
fn a_hanging_process_is_killed_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = script(dir.path(), "hang", "exec sleep 30");
    expect_timeout(&path, Duration::from_millis(200));
}

#[test]
fn a_missing_program_and_bad_command_lines() {
    let error = expect_err(block_on(
        ProcessProvider::new("/nonexistent/fetch-creds", ["--role"]).provide_credentials(),
    ));
    assert_eq!(error.kind(), ErrorKind::Process);
    assert!(error.to_string().contains("/nonexistent/fetch-creds"));
    assert_eq!(
        expect_err(ProcessProvider::from_command_line("  ")).kind(),
        ErrorKind::InvalidConfig
    );
    assert_eq!(
        expect_err(ProcessProvider::from_command_line("x \"open")).kind(),
        ErrorKind::InvalidConfig
    );
}
