//! `oss-presign`: presign, verify and download OSS objects from the command line.
//!
//! Subcommands live in their own modules (`cmd_<name>.rs`):
//!
//! * `url`: presign one request and print the URL and the headers to send;
//! * `batch`: presign a JSON array of conformance cases read from stdin.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_batch;
mod cmd_url;
mod duration_arg;

/// Presigned URLs for Alibaba Cloud OSS, byte for byte as the official SDKs write them.
#[derive(Debug, Parser)]
#[command(name = "oss-presign", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Presign one request and print the URL (credentials from the environment).
    Url(Box<cmd_url::UrlArgs>),
    /// Presign a JSON array of conformance cases from stdin; print a JSON array of results.
    Batch(cmd_batch::BatchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Url(args) => cmd_url::run(*args),
        Command::Batch(args) => cmd_batch::run(args),
    }
}
