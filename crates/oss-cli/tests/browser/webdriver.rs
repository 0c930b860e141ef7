//! A small W3C WebDriver client for chromedriver: plain HTTP/1.1 over a loopback `TcpStream`
//! with JSON bodies (serde_json), one request per connection.
//!
//! chromedriver and the Chromium it starts run in a process group of their own; dropping the
//! [`Browser`] ends the session and then kills the whole group, so no browser outlives a test,
//! whether it passed or panicked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// How long one WebDriver command may take (a script's own timeout is shorter).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a page script may run before chromedriver answers `script timeout`.
const SCRIPT_TIMEOUT_MS: u64 = 30_000;

/// Where the browser and its driver are, when both are installed.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    pub(crate) chromium: PathBuf,
    pub(crate) chromedriver: PathBuf,
}

impl Installed {
    /// `CHROMIUM` and `CHROMEDRIVER` when set, else `chromium` and `chromedriver` on `PATH`.
    pub(crate) fn find() -> Result<Self, String> {
        let chromium = locate("CHROMIUM", &["chromium", "chromium-browser"])?;
        let chromedriver = locate("CHROMEDRIVER", &["chromedriver"])?;
        Ok(Self {
            chromium,
            chromedriver,
        })
    }
}

fn locate(variable: &str, names: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(variable) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{variable}={} is not a file", path.display()))
        };
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "{} not found on PATH (set {variable}, or `apt-get install chromium chromium-driver`)",
                names.join(" or ")
            )
        })
}

/// A headless Chromium driven through chromedriver; killed with its driver on drop.
pub(crate) struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("port", &self.port)
            .field("session", &self.session)
            .finish()
    }
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium with a fresh profile that
    /// accepts the TLS certificate chains holding a key of `trusted_spki` (base64 SHA-256 of
    /// a SubjectPublicKeyInfo), and nothing else.
    /// Downloads are saved into `downloads`.
    pub(crate) fn start(installed: &Installed, trusted_spki: &str, downloads: &Path) -> Self {
        let profile = tempfile::Builder::new()
            .prefix("browser-profile-")
            .tempdir()
            .expect("profile folder");
        let (driver, port) = start_driver(installed, profile.path());
        let args = chromium_args(profile.path(), trusted_spki);
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": installed.chromium,
                        "args": args,
                        "prefs": {
                            "download.default_directory": downloads,
                            "download.prompt_for_download": false,
                        },
                    },
                    "timeouts": { "script": SCRIPT_TIMEOUT_MS, "pageLoad": 30_000 },
                }
            }
        });
        let mut browser = Self {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let answer = browser
            .command("POST", "/session", &capabilities)
            .unwrap_or_else(|e| panic!("no browser session: {e}"));
        browser.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {answer}"))
            .to_string();
        browser
    }

    /// The process group of the driver and the browser.
    pub(crate) fn process_group(&self) -> u32 {
        self.driver.id()
    }

    /// Opens `url` and waits for its load event.
    pub(crate) fn open(&self, url: &str) {
        self.session_command("POST", "url", &json!({ "url": url }))
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Runs `script` (a function body; a returned promise is awaited) with `args` as
    /// `arguments` in the page, and returns its JSON result.
    pub(crate) fn run(&self, script: &str, args: &[Value]) -> Value {
        self.session_command(
            "POST",
            "execute/sync",
            &json!({ "script": script, "args": args }),
        )
        .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {script}"))
    }

    fn session_command(&self, method: &str, path: &str, body: &Value) -> Result<Value, String> {
        self.command(method, &format!("/session/{}/{path}", self.session), body)
    }

    /// One WebDriver command: its `value`, or the driver's error.
    fn command(&self, method: &str, path: &str, body: &Value) -> Result<Value, String> {
        let (status, answer) = http_json(self.port, method, path, body)?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if status == 200 {
            Ok(value)
        } else {
            Err(format!(
                "HTTP {status} {}: {}",
                value["error"].as_str().unwrap_or("?"),
                value["message"].as_str().unwrap_or("")
            ))
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // chromedriver closes the browser; the group kill below catches whatever is left
            let _ = http_json(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                &Value::Null,
            );
        }
        kill_group(&mut self.driver);
    }
}

/// Starts chromedriver on a port it picks; returns it and the port. A driver that ends
/// before listening is retried twice (seen once in many runs on a loaded machine).
fn start_driver(installed: &Installed, profile: &Path) -> (Child, u16) {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let mut driver = Command::new(&installed.chromedriver)
            .arg("--port=0")
            // whatever the browser writes outside its profile (dconf, NSS) stays in the profile
            .env("HOME", profile)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_CACHE_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // chromedriver and the browser it launches in a group of their own, killed at once
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        match driver_port(&mut driver) {
            Ok(port) => return (driver, port),
            Err(e) => {
                kill_group(&mut driver);
                let mut stderr = String::new();
                if let Some(mut err) = driver.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                eprintln!("chromedriver did not start: {e}{stderr}");
                failures.push(format!("{e}{stderr}"));
            }
        }
    }
    panic!(
        "chromedriver did not start three times:\n{}",
        failures.join("\n")
    );
}

/// The flags the closed test network needs: no GPU, no QUIC, no background or component
/// traffic (which a closed network refuses and which would slow every start), no sync, a
/// fresh profile.
fn chromium_args(profile: &Path, trusted_spki: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!(
        "--ignore-certificate-errors-spki-list={trusted_spki}"
    ));
    args
}

/// Reads chromedriver's banner until it names the port it listens on.
fn driver_port(driver: &mut Child) -> Result<u16, String> {
    let stdout = driver.stdout.take().ok_or("no chromedriver stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.map_err(|e| format!("chromedriver output: {e}"))?;
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.split("started successfully on port ").nth(1) {
            let port = rest
                .trim_end_matches('.')
                .trim()
                .parse()
                .map_err(|_| format!("no port in {line:?}"))?;
            // keep draining its output so the driver never blocks on a full pipe
            std::thread::spawn(move || for _ in lines {});
            if let Some(stderr) = driver.stderr.take() {
                std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
            }
            return Ok(port);
        }
    }
    Err(format!("chromedriver ended without listening:\n{seen}"))
}

/// The live (not zombie) processes of process group `group`, from /proc.
pub(crate) fn live_members(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // after the command name in parentheses: state, ppid, pgrp
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.split_whitespace().collect())
                .unwrap_or_default();
            fields.first() != Some(&"Z") && fields.get(2) == Some(&group.to_string().as_str())
        })
        .collect()
}

/// SIGKILL to the driver's process group (the driver and every browser process), then reaps
/// the driver.
fn kill_group(driver: &mut Child) {
    let group = rustix::process::Pid::from_child(driver);
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    let _ = driver.kill();
    let _ = driver.wait();
}

/// A JSON request to the driver on 127.0.0.1:`port`; returns the status and the JSON answer.
fn http_json(port: u16, method: &str, path: &str, body: &Value) -> Result<(u16, Value), String> {
    let payload = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot reach chromedriver: {e}"))?;
    stream
        .set_read_timeout(Some(COMMAND_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(COMMAND_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(payload.as_bytes()))
        .map_err(|e| format!("sending {method} {path}: {e}"))?;
    // chromedriver keeps the connection open: read the head, then exactly the body
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| format!("reading the answer to {method} {path}: {e}"))?;
        if n == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no HTTP answer to {method} {path}: {head:?}"))?;
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut body = Vec::new();
    let read = match length {
        Some(length) => reader.take(length.min(64 << 20)).read_to_end(&mut body),
        None if head.contains("transfer-encoding: chunked") => read_chunked(&mut reader, &mut body),
        None => reader.take(64 << 20).read_to_end(&mut body),
    };
    read.map_err(|e| format!("reading the answer to {method} {path}: {e}"))?;
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Ok((status, json))
}

/// The body of a chunked answer (at most 64 MiB).
fn read_chunked(reader: &mut impl BufRead, body: &mut Vec<u8>) -> std::io::Result<usize> {
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = size.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| std::io::Error::other(format!("bad chunk size {size:?}")))?;
        if size == 0 || body.len() + size > 64 << 20 {
            return Ok(body.len());
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}
