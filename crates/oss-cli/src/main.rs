//! `oss-presign`: presign, verify and download OSS objects from the command line.
//!
//! Subcommands live in their own modules (`cmd_<name>.rs`):
//!
//! * `url`: presign one request (`oss://BUCKET/KEY`), or every object of `--list FILE`, and
//!   print the URL (and the headers to send);
//! * `verify`: check a presigned URL offline and explain it (the SignatureDoesNotMatch doctor);
//! * `get`: download through a presigned URL (parallel, resumable, CRC-64 checked);
//! * `put`: upload through a presigned PUT URL, or presign here (single PUT or multipart,
//!   resumable, CRC-64 checked);
//! * `serve`: a local OSS-compatible server over a folder of buckets;
//! * `demo`: all of the above in one command, with nothing configured;
//! * `batch`: presign a JSON array of conformance cases read from stdin.
//!
//! Exit codes are shared by all subcommands: see [`exit_code`].

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that never panics: output to a closed pipe is dropped (its reader has gone).
macro_rules! say {
    () => {
        say!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that never panics.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = write!(out, $($arg)*);
        let _ = out.flush();
    }};
}

/// `eprintln!` that never panics.
macro_rules! say_err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprint!` that never panics.
macro_rules! say_err_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod arg_text;
mod client_flags;
mod cmd_batch;
mod cmd_demo;
mod cmd_get;
mod cmd_put;
mod cmd_serve;
mod cmd_url;
mod cmd_verify;
mod credential_source;
mod duration_arg;
mod exit_code;
mod object_uri;
mod ossutil_source;
mod output_format;
mod presigned_url;
mod request_template;
mod size_arg;
mod time_arg;
mod transfer_flags;
mod url_list;
mod url_post_policy;

/// Presigned URLs for Alibaba Cloud OSS, byte for byte as the official SDKs write them.
#[derive(Debug, Parser)]
#[command(
    name = "oss-presign",
    version,
    about,
    propagate_version = true,
    after_help = exit_code::TABLE
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Presign a request, or every object of --list FILE, and print the URL (credentials from
    /// the environment, ossutil's configuration or the default chain).
    #[command(after_help = concat_help(cmd_url::EXAMPLES))]
    Url(Box<cmd_url::UrlArgs>),
    /// Check a presigned URL offline and explain it: parameters, expiry, canonical request,
    /// and which part differs when the signature does not match.
    #[command(after_help = concat_help(cmd_verify::EXAMPLES))]
    Verify(Box<cmd_verify::VerifyArgs>),
    /// Download through a presigned GET URL: parallel ranged parts, resume, CRC-64 check.
    #[command(after_help = concat_help(cmd_get::EXAMPLES))]
    Get(Box<cmd_get::GetArgs>),
    /// Upload a file through a presigned PUT URL, or presign here (single PUT or multipart,
    /// resumable), CRC-64 checked.
    #[command(after_help = concat_help(cmd_put::EXAMPLES))]
    Put(Box<cmd_put::PutArgs>),
    /// Serve each folder under --root as a bucket on a local OSS-compatible server.
    #[command(after_help = concat_help(cmd_serve::EXAMPLES))]
    Serve(Box<cmd_serve::ServeArgs>),
    /// Start a local server, presign, download, verify, and show an expired and a tampered
    /// URL refused: the whole story in one command, with nothing configured.
    #[command(after_help = concat_help(cmd_demo::EXAMPLES))]
    Demo(cmd_demo::DemoArgs),
    /// Presign a JSON array of conformance cases from stdin; print a JSON array of results.
    #[command(after_help = concat_help(cmd_batch::EXAMPLES))]
    Batch(cmd_batch::BatchArgs),
}

/// A subcommand's examples followed by the exit code table.
fn concat_help(examples: &'static str) -> String {
    format!("{examples}\n\n{}", exit_code::TABLE)
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(message) = arg_text::check_lengths(&args) {
        say_err!("error: {message}");
        return ExitCode::from(exit_code::USAGE);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return arg_text::clap_failure(&error, &args),
    };
    match cli.command {
        Command::Url(args) => cmd_url::run(*args),
        Command::Verify(args) => cmd_verify::run(*args),
        Command::Get(args) => cmd_get::run(*args),
        Command::Put(args) => cmd_put::run(*args),
        Command::Serve(args) => cmd_serve::run(*args),
        Command::Demo(args) => cmd_demo::run(args),
        Command::Batch(args) => cmd_batch::run(args),
    }
}
