//! The JSON answers of the STS (AssumeRole), ECS metadata and credentials-URI services, parsed
//! by oss-credentials. Their parsers are crate-private, so they are reached through the public
//! providers (`AssumeRoleProvider`, `EcsRoleProvider`, `UriProvider`), pointed at a loopback
//! HTTP server in this process that answers with the fuzz input. Nothing leaves 127.0.0.1.
//!
//! Properties: no panic; a provider returns credentials or a typed error; neither the error
//! (Display and Debug) nor the credentials' Debug contains an `AccessKeySecret` or
//! `SecurityToken` of the answer.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use oss_credentials::{
    AssumeRoleProvider, EcsRoleProvider, Environment, ProvideCredentials, StaticProvider,
    UriProvider,
};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

#[derive(Debug, Arbitrary)]
enum Target {
    Uri,
    EcsWithRole,
    EcsDiscovery,
    AssumeRole,
}

#[derive(Debug, Arbitrary)]
struct Input {
    target: Target,
    /// 0..=3 pick 200, anything else is taken modulo 500 plus 100.
    status: u16,
    body: Vec<u8>,
    /// The role list the ECS metadata service answers during discovery.
    role_list: Vec<u8>,
}

/// What the loopback server answers next.
struct Reply {
    status: u16,
    body: Vec<u8>,
    role_list: Vec<u8>,
}

static REPLY: Mutex<Reply> = Mutex::new(Reply {
    status: 200,
    body: Vec::new(),
    role_list: Vec::new(),
});

fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
    let content_length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + content_length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    Some((method, path))
}

fn serve(listener: TcpListener) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Some((method, path)) = read_request(&mut stream) else {
            continue;
        };
        let (status, body) = {
            let reply = REPLY.lock().unwrap_or_else(|e| e.into_inner());
            if method == "PUT" && path == "/latest/api/token" {
                (200, b"fuzz-metadata-token".to_vec())
            } else if path.ends_with("/security-credentials/") {
                (200, reply.role_list.clone())
            } else {
                (reply.status, reply.body.clone())
            }
        };
        let head = format!(
            "HTTP/1.1 {status} Fuzz\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
        let _ = stream.flush();
    }
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    base: String,
    uri: UriProvider,
    ecs: EcsRoleProvider,
    sts: AssumeRoleProvider,
}

fn no_env() -> Environment {
    Environment::from_map::<&str, &str>([])
}

fn ecs(base: &str, role: Option<&str>) -> EcsRoleProvider {
    let mut builder = EcsRoleProvider::builder()
        .environment(no_env())
        .endpoint(base)
        .timeout(Duration::from_secs(5));
    if let Some(role) = role {
        builder = builder.role_name(role);
    }
    builder.build().expect("ECS provider on loopback")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        std::thread::spawn(move || serve(listener));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let source = StaticProvider::new("LTAIfuzzSource", "fuzz-source-secret").expect("static");
        let sts = AssumeRoleProvider::builder(source, "acs:ram::1234567890123456:role/fuzz")
            .environment(no_env())
            .endpoint(base.clone())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("STS provider on loopback");
        Fixture {
            uri: UriProvider::with_timeout(format!("{base}/credentials"), Duration::from_secs(5))
                .expect("URI provider on loopback"),
            ecs: ecs(&base, Some("fuzz-role")),
            sts,
            runtime,
            base,
        }
    })
}

/// `AccessKeySecret` / `SecurityToken` strings of the answer (top level or under
/// `Credentials`) of at least 8 characters that occur once in the raw body.
fn secrets(body: &[u8]) -> Vec<String> {
    let Ok(raw) = std::str::from_utf8(body) else {
        return Vec::new();
    };
    let Ok(document) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for holder in [Some(&document), document.get("Credentials")]
        .into_iter()
        .flatten()
    {
        for key in ["AccessKeySecret", "SecurityToken"] {
            if let Some(value) = holder.get(key).and_then(Value::as_str) {
                if value.len() >= 8 && raw.matches(value).count() == 1 {
                    found.push(value.to_owned());
                }
            }
        }
    }
    found
}

fuzz_target!(|input: Input| {
    let fixture = fixture();
    let status = match input.status {
        0..=3 => 200,
        other => 100 + other % 500,
    };
    {
        let mut reply = REPLY.lock().unwrap_or_else(|e| e.into_inner());
        reply.status = status;
        reply.body = input.body.clone();
        reply.role_list = input.role_list.clone();
    }
    let discovery;
    let provider: &dyn ProvideCredentials = match input.target {
        Target::Uri => &fixture.uri,
        Target::EcsWithRole => &fixture.ecs,
        Target::EcsDiscovery => {
            discovery = ecs(&fixture.base, None);
            &discovery
        }
        Target::AssumeRole => &fixture.sts,
    };
    let result = fixture.runtime.block_on(provider.provide_credentials());
    let shown = match &result {
        Ok(credentials) => {
            assert!(!credentials.access_key_id().is_empty());
            format!("{credentials:?}")
        }
        Err(error) => format!("{error} {error:?}"),
    };
    for secret in secrets(&input.body) {
        assert!(
            !shown.contains(&secret),
            "secret {secret:?} shown in {shown:?}"
        );
    }
});
