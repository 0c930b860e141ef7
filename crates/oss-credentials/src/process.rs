//! [`ProcessProvider`]: credentials printed by an external command (CLI `External` mode).

use crate::credentials::Credentials;
use crate::error::{CredentialsError, ErrorKind};
use crate::json_error::{describe_json_error, missing_field, required_field};
use crate::provider::{CredentialsFuture, ProvideCredentials};
use crate::timestamp::parse_utc;
use serde::Deserialize;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

const MAX_OUTPUT: u64 = 1024 * 1024;
const POLL: Duration = Duration::from_millis(5);
/// What the errors about the output's fields call it.
const ANSWER: &str = "the credential process output";

/// The two output shapes: the CLI's snake_case and the OSS SDK's PascalCase.
#[derive(Deserialize, Default)]
struct ProcessOutput {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default, alias = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(default, alias = "AccessKeySecret")]
    access_key_secret: Option<String>,
    #[serde(default, alias = "SecurityToken")]
    sts_token: Option<String>,
    #[serde(default, alias = "Expiration")]
    expiration: Option<String>,
}

impl Drop for ProcessOutput {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(secret) = self.access_key_secret.as_mut() {
            secret.zeroize();
        }
        if let Some(token) = self.sts_token.as_mut() {
            token.zeroize();
        }
    }
}

/// Parses a credential process's standard output.
pub(crate) fn parse_process_output(stdout: &[u8]) -> Result<Credentials, CredentialsError> {
    let mut output: ProcessOutput = serde_json::from_slice(stdout).map_err(|e| {
        CredentialsError::new(
            ErrorKind::Parse,
            format!(
                "the credential process printed invalid JSON ({}); expected an object with access_key_id, access_key_secret, optional sts_token and expiration (or AccessKeyId, AccessKeySecret, SecurityToken, Expiration)",
                describe_json_error(&e)
            ),
        )
    })?;
    let id = required_field(output.access_key_id.take(), ANSWER, "`access_key_id`")?;
    let secret = Zeroizing::new(required_field(
        output.access_key_secret.take(),
        ANSWER,
        "`access_key_secret`",
    )?);
    let token = output.sts_token.take().filter(|s| !s.is_empty());
    match output.mode.as_deref() {
        None | Some("AK") => {}
        Some("StsToken") => {
            if token.is_none() {
                return Err(missing_field(ANSWER, "`sts_token`"));
            }
        }
        Some(other) => {
            return Err(CredentialsError::new(
                ErrorKind::Parse,
                format!(
                    "the credential process output has mode `{}`; expected AK or StsToken",
                    other.escape_debug()
                ),
            ))
        }
    }
    let mut credentials = Credentials::new(id, secret.as_str())?.with_provider_name("process");
    if let Some(token) = token {
        credentials = credentials.with_security_token(token);
    }
    if let Some(expiration) = output.expiration.as_deref().filter(|s| !s.is_empty()) {
        let at = parse_utc(expiration).ok_or_else(|| {
            CredentialsError::new(
                ErrorKind::Parse,
                "the credential process output has an `expiration` that is not YYYY-MM-DDTHH:MM:SSZ",
            )
        })?;
        credentials = credentials.with_expiration(at);
    }
    Ok(credentials)
}

/// Runs a command and reads credentials from its standard output.
///
/// The command line is split into arguments with shell-like quoting, but no shell is run
/// unless asked for with [`ProcessProvider::with_shell`].
/// The output is a JSON object in either of two shapes:
///
/// * Aliyun CLI `External` mode: `{"mode": "StsToken", "access_key_id": "...",
///   "access_key_secret": "...", "sts_token": "...", "expiration": "2024-05-01T09:00:00Z"}`
///   (`mode` `AK` or `StsToken`; `expiration` optional);
/// * OSS SDK process provider: `{"AccessKeyId": "...", "AccessKeySecret": "...",
///   "SecurityToken": "...", "Expiration": "..."}`.
///
/// The process inherits the environment, has no standard input, runs in its own process group
/// (Unix) and is killed after the timeout (60 s by default) together with everything it
/// started, and its output is never echoed in errors. It runs on its own thread, so
/// the provider works on any async runtime. Wrap it in a
/// [`CachingProvider`](crate::CachingProvider) to avoid running it on every request.
///
/// ```
/// # #[cfg(unix)] {
/// use oss_credentials::{ProcessProvider, ProvideCredentials};
/// let provider = ProcessProvider::from_command_line(
///     r#"echo '{"access_key_id":"LTAIproc","access_key_secret":"proc-secret"}'"#,
/// )?;
/// let creds = futures_executor::block_on(provider.provide_credentials())?;
/// assert_eq!(creds.access_key_id(), "LTAIproc");
/// # }
/// # Ok::<(), oss_credentials::CredentialsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProcessProvider {
    program: String,
    args: Vec<String>,
    timeout: Duration,
}

impl ProcessProvider {
    /// Runs `program` with `args` (no splitting, no shell).
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use oss_credentials::{ProcessProvider, ProvideCredentials};
    /// // The program prints the credentials JSON; the argument reaches it as one word.
    /// let provider = ProcessProvider::new("printf", [r#"{"AccessKeyId":"LTAIp","AccessKeySecret":"s"}"#]);
    /// let creds = futures_executor::block_on(provider.provide_credentials())?;
    /// assert_eq!(creds.access_key_id(), "LTAIp");
    /// # }
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Splits `command_line` into a program and arguments (shell-like quoting, no shell).
    ///
    /// ```
    /// use oss_credentials::{ErrorKind, ProcessProvider};
    /// assert!(ProcessProvider::from_command_line("fetch-creds --role 'my writer'").is_ok());
    /// let err = ProcessProvider::from_command_line("fetch 'unbalanced").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    pub fn from_command_line(command_line: &str) -> Result<Self, CredentialsError> {
        let mut words = shell_words::split(command_line).map_err(|_| {
            CredentialsError::new(
                ErrorKind::InvalidConfig,
                "the process command has unbalanced quotes",
            )
            .with_provider("process")
        })?;
        if words.is_empty() {
            return Err(CredentialsError::new(
                ErrorKind::InvalidConfig,
                "the process command is empty",
            )
            .with_provider("process"));
        }
        let program = words.remove(0);
        Ok(Self::new(program, words))
    }

    /// Runs `command_line` through the system shell (`sh -c` on Unix, `cmd /C` on Windows),
    /// like the OSS SDKs' process provider. Only use this for trusted command lines: the shell
    /// expands variables, globs and operators.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use oss_credentials::{ProcessProvider, ProvideCredentials};
    /// let provider = ProcessProvider::with_shell(
    ///     r#"printf '{"AccessKeyId":"%s","AccessKeySecret":"s"}' "LTAI$((40 + 2))""#,
    /// );
    /// let creds = futures_executor::block_on(provider.provide_credentials())?;
    /// assert_eq!(creds.access_key_id(), "LTAI42");
    /// # }
    /// # Ok::<(), oss_credentials::CredentialsError>(())
    /// ```
    pub fn with_shell(command_line: impl Into<String>) -> Self {
        if cfg!(windows) {
            Self::new("cmd", [String::from("/C"), command_line.into()])
        } else {
            Self::new("sh", [String::from("-c"), command_line.into()])
        }
    }

    setters! {
        /// Kills the process (with its process group on Unix, so grandchildren go too) and fails
        /// with [`ErrorKind::Timeout`] after `timeout` (default 60 s). The timeout also bounds
        /// the wait for the output when a process it started keeps the output open.
        ///
        /// ```
        /// # #[cfg(unix)] {
        /// use std::time::Duration;
        /// use oss_credentials::{ErrorKind, ProcessProvider, ProvideCredentials};
        /// let provider = ProcessProvider::new("sleep", ["5"]).timeout(Duration::from_millis(200));
        /// let err = futures_executor::block_on(provider.provide_credentials()).unwrap_err();
        /// assert_eq!(err.kind(), ErrorKind::Timeout);
        /// # }
        /// ```
        fn timeout(timeout: Duration) { timeout = timeout }
    }

    fn run_blocking(&self) -> Result<Credentials, CredentialsError> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // Its own process group, so a timeout can kill everything it started.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|e| {
            CredentialsError::new(
                ErrorKind::Process,
                format!("cannot start credential process `{}`", self.program),
            )
            .with_source(e)
        })?;
        let stdout = child.stdout.take();
        let (sender, output) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = Zeroizing::new(Vec::new());
            if let Some(stdout) = stdout {
                let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut buffer);
            }
            let _ = sender.send(buffer);
        });
        let started = Instant::now();
        let timed_out = |child: &mut std::process::Child| {
            kill_tree(child);
            CredentialsError::new(
                ErrorKind::Timeout,
                format!(
                    "credential process `{}` did not finish within {} ms and was killed with its process group",
                    self.program,
                    self.timeout.as_millis()
                ),
            )
        };
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= self.timeout => return Err(timed_out(&mut child)),
                Ok(None) => std::thread::sleep(POLL),
                Err(e) => {
                    kill_tree(&mut child);
                    return Err(CredentialsError::new(
                        ErrorKind::Process,
                        format!("cannot wait for credential process `{}`", self.program),
                    )
                    .with_source(e));
                }
            }
        };
        // A process it started may still hold the output open: the timeout covers that too.
        let remaining = self.timeout.saturating_sub(started.elapsed());
        let output = match output.recv_timeout(remaining) {
            Ok(output) => output,
            Err(_) => return Err(timed_out(&mut child)),
        };
        if !status.success() {
            return Err(CredentialsError::new(
                ErrorKind::Process,
                format!("credential process `{}` failed ({status})", self.program),
            ));
        }
        parse_process_output(&output)
    }
}

/// Kills the process and, on Unix, every process of its group (the grandchildren it
/// started), then reaps it.
fn kill_tree(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The child leads its own group (spawned with process_group(0)): its pid is the group id.
        let group = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let (sender, receiver) = futures_channel::oneshot::channel();
        let this = self.clone();
        let spawned = std::thread::Builder::new()
            .name(String::from("oss-credentials-process"))
            .spawn(move || {
                let _ = sender.send(this.run_blocking());
            });
        Box::pin(async move {
            if let Err(e) = spawned {
                return Err(CredentialsError::new(
                    ErrorKind::Process,
                    "cannot start a thread for the credential process",
                )
                .with_source(e)
                .with_provider("process"));
            }
            match receiver.await {
                Ok(result) => result.map_err(|e| e.with_provider("process")),
                Err(_) => Err(CredentialsError::new(
                    ErrorKind::Process,
                    "the credential process thread ended without a result",
                )
                .with_provider("process")),
            }
        })
    }

    fn name(&self) -> &str {
        "process"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_output_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = parse_process_output(&bytes);
        }

        #[test]
        fn both_shapes_round_trip(id in "[A-Za-z0-9.]{1,24}", secret in "[A-Za-z0-9+/]{1,40}", pascal in any::<bool>()) {
            let json = if pascal {
                serde_json::json!({"AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": "t", "Expiration": "2030-01-01T00:00:00Z"})
            } else {
                serde_json::json!({"mode": "StsToken", "access_key_id": id, "access_key_secret": secret, "sts_token": "t", "expiration": "2030-01-01T00:00:00Z"})
            };
            let creds = parse_process_output(json.to_string().as_bytes()).unwrap();
            prop_assert_eq!(creds.access_key_id(), id.as_str());
            prop_assert_eq!(creds.access_key_secret(), secret.as_str());
            prop_assert_eq!(creds.security_token(), Some("t"));
            prop_assert!(creds.expiration().is_some());
        }
    }
}
