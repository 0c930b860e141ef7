//! What `url` prints for each presigned request (`--output sample|url|json`).
//!
//! * `sample` (the default): the official presign sample's lines,
//!   `method: GET, expiration: 2024-11-12T09:42:56.000Z, url: https://...`, then one
//!   `signed headers key: NAME, signed headers value: VALUE` line per signed header;
//! * `url`: the URL alone on one line, what `ossutil presign` and `aws s3 presign` print, for
//!   `curl "$(oss-presign url ...)"`;
//! * `json` (also `--json`): one JSON object on one line with `method`, `expiration`, `url`,
//!   `signed_headers`, `credentials_expiration` (null for long-term keys),
//!   `effective_expiration` (the earlier of the two) and `outlives_credentials`; with
//!   `--list`, also `line`, `bucket` and `key`.

use std::io::{self, Write};

use clap::ValueEnum;
use oss_client::PresignResult;
use oss_sign_core::SigningTime;

/// `2024-11-12T10:27:56.000Z`, the sample's format.
pub(crate) fn sample_time(at: SigningTime) -> String {
    let text = at.to_rfc3339();
    match text.strip_suffix('Z') {
        Some(stem) => format!("{stem}.000Z"),
        None => text,
    }
}

/// The output formats of `url`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// The official sample's lines (method, expiration, url; then the signed headers).
    #[default]
    Sample,
    /// The URL alone, on one line.
    Url,
    /// One JSON object per line.
    Json,
}

/// Where a result of `url --list` came from (shown in JSON lines).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin<'a> {
    /// 1-based line number in the list.
    pub(crate) line: u64,
    pub(crate) bucket: &'a str,
    pub(crate) key: &'a str,
}

/// `--output`, with `--json` as its alias (clap refuses the two together).
pub(crate) fn choose(output: Option<OutputFormat>, json: bool) -> OutputFormat {
    match (output, json) {
        (Some(format), _) => format,
        (None, true) => OutputFormat::Json,
        (None, false) => OutputFormat::Sample,
    }
}

/// Writes one result in `format`, ending with a newline.
pub(crate) fn write_result(
    out: &mut impl Write,
    result: &PresignResult,
    format: OutputFormat,
    origin: Option<Origin<'_>>,
) -> io::Result<()> {
    match format {
        OutputFormat::Url => {
            out.write_all(result.url().as_bytes())?;
            out.write_all(b"\n")
        }
        OutputFormat::Sample => {
            writeln!(
                out,
                "method: {}, expiration: {}, url: {}",
                result.method(),
                sample_time(result.expiration()),
                result.url()
            )?;
            for (name, value) in result.signed_headers() {
                writeln!(
                    out,
                    "signed headers key: {name}, signed headers value: {value}"
                )?;
            }
            Ok(())
        }
        OutputFormat::Json => write_json(out, result, origin),
    }
}

/// With `--output url`, the headers the URL was signed with are not printed, yet a request
/// without them gets `SignatureDoesNotMatch`: the note that says which ones to send (on
/// stderr, so that `curl "$(oss-presign url ...)"` still gets the URL alone). `None` for the
/// other formats, which print them, and for a URL that signs no header.
pub(crate) fn url_only_note(result: &PresignResult, format: OutputFormat) -> Option<String> {
    if format != OutputFormat::Url {
        return None;
    }
    let headers: Vec<String> = result
        .signed_headers()
        .map(|(name, value)| format!("-H '{name}: {value}'"))
        .collect();
    if headers.is_empty() {
        return None;
    }
    Some(format!(
        "note: this URL is signed with {} header(s) that the request must send, or OSS answers SignatureDoesNotMatch: {} (--output sample or json lists them too)",
        headers.len(),
        headers.join(" ")
    ))
}

/// One JSON object, keys in alphabetical order (as `serde_json::json!` wrote them before).
fn write_json(
    out: &mut impl Write,
    result: &PresignResult,
    origin: Option<Origin<'_>>,
) -> io::Result<()> {
    let string = |out: &mut dyn Write, text: &str| -> io::Result<()> {
        serde_json::to_writer(out, text).map_err(io::Error::other)
    };
    out.write_all(b"{")?;
    if let Some(origin) = origin {
        out.write_all(b"\"bucket\":")?;
        string(out, origin.bucket)?;
        out.write_all(b",")?;
    }
    out.write_all(b"\"credentials_expiration\":")?;
    match result.credentials_expiration() {
        Some(at) => string(out, &sample_time(at))?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"effective_expiration\":")?;
    string(out, &sample_time(result.effective_expiration()))?;
    out.write_all(b",\"expiration\":")?;
    string(out, &sample_time(result.expiration()))?;
    if let Some(origin) = origin {
        out.write_all(b",\"key\":")?;
        string(out, origin.key)?;
        write!(out, ",\"line\":{}", origin.line)?;
    }
    out.write_all(b",\"method\":")?;
    string(out, result.method())?;
    write!(
        out,
        ",\"outlives_credentials\":{}",
        result.outlives_credentials()
    )?;
    out.write_all(b",\"signed_headers\":{")?;
    for (index, (name, value)) in result.signed_headers().enumerate() {
        if index > 0 {
            out.write_all(b",")?;
        }
        string(out, name)?;
        out.write_all(b":")?;
        string(out, value)?;
    }
    out.write_all(b"},\"url\":")?;
    string(out, result.url())?;
    out.write_all(b"}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_client::{Client, Config, FixedClock, GetObjectRequest, PutObjectRequest, SigningTime};
    use oss_credentials::Credentials;

    fn client() -> Client {
        Client::new(
            Config::builder()
                .region("cn-hangzhou")
                .credentials(
                    Credentials::new(
                        "LTAI5tExampleAccessKeyId",
                        "ExampleAccessKeySecret0123456789abcd",
                    )
                    .expect("credentials"),
                )
                .clock(FixedClock::new(
                    SigningTime::parse_rfc3339("2024-11-12T09:27:56Z").expect("time"),
                ))
                .build()
                .expect("config"),
        )
    }

    fn text(result: &PresignResult, format: OutputFormat, origin: Option<Origin<'_>>) -> String {
        let mut out = Vec::new();
        write_result(&mut out, result, format, origin).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn the_three_formats() {
        let put = PutObjectRequest::new("examplebucket", "a \"b\".txt").content_type("text/plain");
        let result = client().presign(&put).expect("presigned");
        assert_eq!(
            text(&result, OutputFormat::Url, None),
            format!("{}\n", result.url())
        );
        let sample = text(&result, OutputFormat::Sample, None);
        assert_eq!(
            sample.lines().nth(1),
            Some("signed headers key: content-type, signed headers value: text/plain")
        );
        let json = text(&result, OutputFormat::Json, None);
        assert_eq!(json.lines().count(), 1);
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["url"], result.url());
        assert_eq!(value["method"], "PUT");
        assert_eq!(value["expiration"], "2024-11-12T09:42:56.000Z");
        assert_eq!(value["signed_headers"]["content-type"], "text/plain");
        // The same bytes serde_json's own map writes (keys sorted).
        let expected = serde_json::json!({
            "method": result.method(),
            "expiration": "2024-11-12T09:42:56.000Z",
            "url": result.url(),
            "signed_headers": {"content-type": "text/plain"},
            "credentials_expiration": null,
            "effective_expiration": "2024-11-12T09:42:56.000Z",
            "outlives_credentials": false,
        });
        assert_eq!(json, format!("{expected}\n"));
    }

    #[test]
    fn json_lines_carry_their_origin() {
        let get = GetObjectRequest::new("examplebucket", "中文 \"q\"\n");
        let result = client().presign(&get).expect("presigned");
        let origin = Origin {
            line: 7,
            bucket: "examplebucket",
            key: "中文 \"q\"\n",
        };
        let json = text(&result, OutputFormat::Json, Some(origin));
        assert_eq!(json.lines().count(), 1, "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["line"], 7);
        assert_eq!(value["key"], "中文 \"q\"\n");
        assert_eq!(value["bucket"], "examplebucket");
    }

    #[test]
    fn json_alias() {
        assert_eq!(choose(None, false), OutputFormat::Sample);
        assert_eq!(choose(None, true), OutputFormat::Json);
        assert_eq!(choose(Some(OutputFormat::Url), false), OutputFormat::Url);
    }
}
