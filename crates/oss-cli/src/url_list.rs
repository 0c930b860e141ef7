//! `oss-presign url --list FILE`: presign every object of a list, one per line, streaming.
//!
//! * Input: `FILE`, or stdin for `-`. Each line is `oss://BUCKET/KEY`, or a bare key when
//!   `--bucket` is given. The line is the object exactly: only the line break (`\n` or `\r\n`)
//!   is removed; empty lines are skipped (no object has an empty key).
//! * Output: one result per line in the chosen `--output` (the URL alone, the sample's lines,
//!   or JSON lines that also carry `line`, `bucket` and `key`), written through one buffer.
//! * A bad line (not UTF-8, longer than [`MAX_LINE_BYTES`], no bucket, a key or bucket the
//!   client refuses) is reported on stderr as `line N: ...` and the rest continue; the exit
//!   code is then 4 ([`exit_code::SOME_FAILED`]).
//! * Memory stays constant: lines are read in chunks of [`CHUNK_LINES`], presigned by one
//!   worker thread per core (at most 4, each with its own copy of the request whose strings
//!   are reused) and written in input order; at most two chunks per worker are in flight and
//!   their buffers are reused. One client for all (its V4 signing key derived once per day),
//!   and one per bucket that ossutil's `[Bucket-Cname]`/`[Bucket-Endpoint]` send elsewhere;
//!   credentials asked from the chain once and again every [`CREDENTIALS_RECHECK`] (so a
//!   long-running stdin list keeps fresh STS credentials; the chain caches, so asking is
//!   cheap).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use oss_credentials::Credentials;

use crate::credential_source;
use crate::exit_code::{self, Failure};
use crate::object_uri;
use crate::output_format::{self, Origin, OutputFormat};
use crate::request_template::Prepared;

/// Longest line accepted: an `oss://` URI with the longest bucket (63) and key (1023 bytes)
/// fits several times.
pub(crate) const MAX_LINE_BYTES: usize = 4096;
/// How often the credentials are asked for again during a long list.
pub(crate) const CREDENTIALS_RECHECK: Duration = Duration::from_secs(30);
/// Buffer size of the input and the output.
const BUFFER_BYTES: usize = 64 * 1024;

/// One line read by [`next_line`].
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The line's bytes, without the line break, are in the buffer.
    Complete,
    /// The line was longer than the limit; its bytes were skipped.
    TooLong,
}

/// Reads the next line into `buf` (cleared first), never holding more than `max` bytes of it.
/// `None` at the end of the input.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Option<Line>> {
    buf.clear();
    let mut too_long = false;
    let mut seen = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(seen.then_some(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            }));
        }
        seen = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        if !too_long {
            if buf.len() + chunk.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = newline.map_or(available.len(), |at| at + 1);
        reader.consume(used);
        if newline.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            }));
        }
    }
}

/// Splits a line into bucket and key.
fn object_of<'a>(
    line: &'a str,
    default_bucket: Option<&'a str>,
) -> Result<(&'a str, &'a str), String> {
    if object_uri::is_oss_uri(line) {
        return object_uri::parse(line);
    }
    match default_bucket {
        Some(bucket) => Ok((bucket, line)),
        None => {
            Err("not an oss://BUCKET/KEY URI, and no --bucket for bare keys was given".to_string())
        }
    }
}

/// Presigns every object of `source` (a path, or `-` for stdin).
pub(crate) fn run(
    source: &str,
    default_bucket: Option<&str>,
    prepared: &mut Prepared,
    format: OutputFormat,
) -> Result<(), Failure> {
    let input: Box<dyn Read> = if source == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(source).map_err(|e| {
            Failure::new(
                exit_code::LOCAL_IO,
                format!("cannot open the list {source}: {e}"),
            )
        })?)
    };
    let reader = BufReader::with_capacity(BUFFER_BYTES, input);
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(BUFFER_BYTES, stdout);
    let stats = presign_all(reader, &mut out, default_bucket, prepared, format)?;
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            return Err(Failure::internal(format!("cannot write the URLs: {e}")))
        }
        _ if stats.closed => return Ok(()),
        _ => {}
    }
    if stats.failed > 0 {
        return Err(Failure::new(
            exit_code::SOME_FAILED,
            format!(
                "{} of {} objects could not be presigned (see the line numbers above)",
                stats.failed,
                stats.failed + stats.presigned
            ),
        ));
    }
    Ok(())
}

/// Counts of one run.
#[derive(Debug, Default, PartialEq, Eq)]
struct Stats {
    presigned: u64,
    failed: u64,
    /// The output was closed by its reader.
    closed: bool,
}

/// Lines handed to a worker at once.
const CHUNK_LINES: usize = 1024;

/// One line of a chunk: its bytes in [`Chunk::data`], or too long.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    too_long: bool,
}

/// A run of consecutive lines.
#[derive(Debug, Default)]
struct Chunk {
    /// The number of the first line.
    first_line: u64,
    data: Vec<u8>,
    lines: Vec<Span>,
}

/// A chunk to presign, with the credentials to sign it with.
struct Job {
    chunk: Chunk,
    output: Vec<u8>,
    credentials: Credentials,
}

/// A presigned chunk: the output bytes, the bad lines, and the buffers back for reuse.
struct Done {
    chunk: Chunk,
    output: Vec<u8>,
    errors: Vec<(u64, String)>,
    presigned: u64,
}

/// Fills `chunk` with up to [`CHUNK_LINES`] lines; `false` when the input had none left.
fn read_chunk(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    chunk: &mut Chunk,
    next_number: &mut u64,
) -> Result<bool, Failure> {
    chunk.first_line = *next_number;
    chunk.data.clear();
    chunk.lines.clear();
    while chunk.lines.len() < CHUNK_LINES {
        let Some(kind) = next_line(reader, line, MAX_LINE_BYTES)
            .map_err(|e| Failure::new(exit_code::LOCAL_IO, format!("cannot read the list: {e}")))?
        else {
            break;
        };
        let start = chunk.data.len();
        chunk.data.extend_from_slice(line);
        chunk.lines.push(Span {
            start,
            end: chunk.data.len(),
            too_long: kind == Line::TooLong,
        });
        *next_number += 1;
    }
    Ok(!chunk.lines.is_empty())
}

/// What a worker needs, shared by all of them (one client: one signing-key cache).
struct Signer<'a> {
    clients: &'a crate::client_flags::ClientSet,
    options: &'a oss_client::PresignOptions,
    default_bucket: Option<&'a str>,
    format: OutputFormat,
    /// Whether the note of `output_format::url_only_note` was given (once per list: every
    /// line is signed with the same headers).
    header_note_given: std::sync::atomic::AtomicBool,
}

impl Signer<'_> {
    /// Presigns every line of a chunk into `job.output`.
    fn run(&self, template: &mut crate::request_template::RequestTemplate, job: Job) -> Done {
        let Job {
            chunk,
            mut output,
            credentials,
        } = job;
        output.clear();
        let mut errors = Vec::new();
        let mut presigned = 0;
        for (index, span) in chunk.lines.iter().enumerate() {
            let number = chunk.first_line + index as u64;
            if span.too_long {
                errors.push((
                    number,
                    format!("longer than {MAX_LINE_BYTES} bytes; skipped"),
                ));
                continue;
            }
            let bytes = &chunk.data[span.start..span.end];
            if bytes.is_empty() {
                continue;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                errors.push((
                    number,
                    "not valid UTF-8 (object keys are UTF-8)".to_string(),
                ));
                continue;
            };
            let (bucket, key) = match object_of(text, self.default_bucket) {
                Ok(object) => object,
                Err(message) => {
                    errors.push((number, message));
                    continue;
                }
            };
            let client = match self.clients.for_bucket(bucket) {
                Ok(client) => client,
                Err(message) => {
                    errors.push((number, message.to_owned()));
                    continue;
                }
            };
            template.set_object(bucket, key);
            match client.presign_with_credentials(
                template.presignable(),
                self.options,
                &credentials,
            ) {
                Ok(result) => {
                    if !self.header_note_given.load(Ordering::Relaxed) {
                        if let Some(note) = output_format::url_only_note(&result, self.format) {
                            if !self.header_note_given.swap(true, Ordering::Relaxed) {
                                say_err!("{note}");
                            }
                        }
                    }
                    let origin = Origin {
                        line: number,
                        bucket,
                        key,
                    };
                    // Writing into a Vec cannot fail.
                    let _ = output_format::write_result(
                        &mut output,
                        &result,
                        self.format,
                        Some(origin),
                    );
                    presigned += 1;
                }
                Err(e) => errors.push((number, e.to_string())),
            }
        }
        Done {
            chunk,
            output,
            errors,
            presigned,
        }
    }
}

/// The pipeline: this thread reads chunks and writes results in input order; one worker per
/// core (at most 4) presigns them. At most two chunks per worker are in flight, so memory
/// stays bounded whatever the length of the list.
fn presign_all(
    mut reader: impl BufRead,
    out: &mut impl Write,
    default_bucket: Option<&str>,
    prepared: &mut Prepared,
    format: OutputFormat,
) -> Result<Stats, Failure> {
    let runtime = exit_code::runtime()?;
    let fetch = |prepared: &Prepared| -> Result<Credentials, Failure> {
        runtime
            .block_on(prepared.clients.provider.provide_credentials())
            .map_err(|e| {
                credential_source::no_credentials(&format!("could not get credentials: {e}"))
            })
    };
    let mut credentials = fetch(prepared)?;
    credential_source::print_warnings(&credentials);
    let mut fetched_at = Instant::now();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let signer = Signer {
        clients: &prepared.clients,
        options: &prepared.options,
        default_bucket,
        format,
        header_note_given: std::sync::atomic::AtomicBool::new(false),
    };
    let template = &prepared.template;
    let mut stats = Stats::default();
    std::thread::scope(|scope| -> Result<(), Failure> {
        let mut lanes = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Job>(2);
            let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(2);
            let mut template = template.clone();
            let signer = &signer;
            scope.spawn(move || {
                for job in job_rx {
                    if done_tx.send(signer.run(&mut template, job)).is_err() {
                        break;
                    }
                }
            });
            lanes.push((job_tx, done_rx));
        }
        let lost = || Failure::internal("a presigning thread stopped unexpectedly");
        let mut spare: Vec<(Chunk, Vec<u8>)> = Vec::new();
        let mut line = Vec::with_capacity(MAX_LINE_BYTES);
        let mut next_number: u64 = 1;
        let (mut sent, mut received, mut eof) = (0usize, 0usize, false);
        loop {
            while !eof && sent - received < 2 * workers {
                let (mut chunk, output) = spare.pop().unwrap_or_default();
                if !read_chunk(&mut reader, &mut line, &mut chunk, &mut next_number)? {
                    eof = true;
                    break;
                }
                if fetched_at.elapsed() >= CREDENTIALS_RECHECK {
                    credentials = fetch(prepared)?;
                    fetched_at = Instant::now();
                }
                let job = Job {
                    chunk,
                    output,
                    credentials: credentials.clone(),
                };
                lanes[sent % workers].0.send(job).map_err(|_| lost())?;
                sent += 1;
            }
            if received == sent {
                break;
            }
            let done = lanes[received % workers].1.recv().map_err(|_| lost())?;
            received += 1;
            match out.write_all(&done.output) {
                Ok(()) => {}
                // The reader has gone (`| head`): stop quietly, as `say!` does.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                    stats.closed = true;
                    return Ok(());
                }
                Err(e) => return Err(Failure::internal(format!("cannot write the URLs: {e}"))),
            }
            for (number, message) in &done.errors {
                say_err!("line {number}: {message}");
            }
            stats.presigned += done.presigned;
            stats.failed += done.errors.len() as u64;
            spare.push((done.chunk, done.output));
        }
        Ok(())
    })?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, ()>> {
        let mut reader = BufReader::with_capacity(7, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, &mut buf, max).expect("read") {
            out.push(match line {
                Line::Complete => Ok(String::from_utf8_lossy(&buf).into_owned()),
                Line::TooLong => Err(()),
            });
        }
        out
    }

    #[test]
    fn lines_and_breaks() {
        assert_eq!(lines(b"", 100), vec![]);
        assert_eq!(lines(b"a\nb", 100), vec![Ok("a".into()), Ok("b".into())]);
        assert_eq!(
            lines(b"a\r\nb\r\n", 100),
            vec![Ok("a".into()), Ok("b".into())]
        );
        assert_eq!(lines(b"\n\n", 100), vec![Ok("".into()), Ok("".into())]);
        assert_eq!(lines(b" a b \n", 100), vec![Ok(" a b ".into())]);
        assert_eq!(
            lines(b"short\nthis line is too long\nok", 10),
            vec![Ok("short".into()), Err(()), Ok("ok".into())]
        );
        assert_eq!(lines(b"0123456789\n", 10), vec![Ok("0123456789".into())]);
        assert_eq!(lines(b"0123456789a", 10), vec![Err(())]);
    }

    #[test]
    fn objects_of_lines() {
        assert_eq!(object_of("oss://b/k ?#", None), Ok(("b", "k ?#")));
        assert_eq!(object_of("oss://b/k", Some("d")), Ok(("b", "k")));
        assert_eq!(object_of("dir/k", Some("d")), Ok(("d", "dir/k")));
        assert!(object_of("dir/k", None).is_err());
        assert!(object_of("oss://b", Some("d")).is_err());
    }

    proptest! {
        #[test]
        fn lines_round_trip(items in proptest::collection::vec("[^\r\n]{0,30}", 1..20), crlf in any::<bool>()) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let mut text = items.join(sep);
            text.push_str(sep);
            let expected: Vec<Result<String, ()>> = items.iter().map(|s| Ok(s.clone())).collect();
            prop_assert_eq!(lines(text.as_bytes(), 200), expected);
        }
    }
}
