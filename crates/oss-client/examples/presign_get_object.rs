//! The official "presign a GetObject" sample, in Rust.
//!
//! ```text
//! OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... \
//!   cargo run -p oss-client --example presign_get_object -- \
//!   --region cn-hangzhou --bucket examplebucket --key exampleobject.txt [--endpoint E]
//! ```
//!
//! Credentials come from the environment (`OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET`,
//! optional `OSS_SESSION_TOKEN`). It only prints the URL and the headers to send; nothing is
//! sent over the network.

use std::process::ExitCode;

use oss_client::credentials::EnvProvider;
use oss_client::{Client, Config, GetObjectRequest};

struct Args {
    region: String,
    bucket: String,
    key: String,
    endpoint: Option<String>,
}

const USAGE: &str =
    "usage: presign_get_object --region <REGION> --bucket <BUCKET> --key <KEY> [--endpoint <ENDPOINT>]";

fn parse_args() -> Result<Args, String> {
    let (mut region, mut bucket, mut key, mut endpoint) = (None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--region" => &mut region,
            "--bucket" => &mut bucket,
            "--key" => &mut key,
            "--endpoint" => &mut endpoint,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        };
        *slot = Some(
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?,
        );
    }
    Ok(Args {
        region: region.ok_or_else(|| format!("--region is required\n{USAGE}"))?,
        bucket: bucket.ok_or_else(|| format!("--bucket is required\n{USAGE}"))?,
        key: key.ok_or_else(|| format!("--key is required\n{USAGE}"))?,
        endpoint,
    })
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut config = Config::builder()
        .region(args.region)
        .credentials_provider(EnvProvider::new());
    if let Some(endpoint) = args.endpoint {
        config = config.endpoint(endpoint);
    }
    let client = Client::new(config.build()?);

    let result = client.presign(&GetObjectRequest::new(args.bucket, args.key))?;
    let expiration = result.expiration().to_rfc3339();
    println!(
        "method: {}, expiration: {}.000Z, url: {}",
        result.method(),
        expiration.trim_end_matches('Z'),
        result.url()
    );
    for (name, value) in result.signed_headers() {
        println!("signed headers key: {name}, signed headers value: {value}");
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
