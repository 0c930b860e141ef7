//! `url --output url` prints the URL alone, so the headers it was signed with would be lost:
//! the note on stderr that names them, checked against a real `serve` with curl.

mod common;

use common::*;

/// `sh -c SCRIPT` with the test credentials and no metadata service.
fn shell(home: &tempfile::TempDir, script: &str) -> std::process::Output {
    run(with_credentials(&mut std::process::Command::new("sh"))
        .env("HOME", home.path())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .args(["-c", script]))
}

#[test]
fn url_only_output_names_the_signed_headers_on_stderr() {
    let home = tempfile::tempdir().expect("temp dir");
    let root = tempfile::tempdir().expect("root");
    std::fs::create_dir_all(root.path().join("photos")).expect("bucket");
    std::fs::write(root.path().join("photos/cat.jpg"), b"meow").expect("object");
    let served = common::serve::serve(&home, root.path(), false, &[]);
    let endpoint = served.endpoint.as_str();
    let signed = [
        "url",
        "--endpoint",
        endpoint,
        "--region",
        "cn-hangzhou",
        "oss://photos/cat.jpg",
        "--request-payer",
        "requester",
        "--output",
        "url",
    ];
    let output = run(with_credentials(&mut oss_presign(&home)).args(signed));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let url = stdout(&output);
    assert_eq!(url.lines().count(), 1, "{url}");
    assert!(url.starts_with(endpoint), "{url}");
    let note = stderr(&output);
    assert!(note.starts_with("note: "), "{note}");
    assert!(
        note.contains("-H 'x-oss-request-payer: requester'"),
        "{note}"
    );
    assert!(note.contains("SignatureDoesNotMatch"), "{note}");

    // What the note says is true: without the header OSS (here `serve`) refuses the URL,
    // with the header as the note writes it the object comes back.
    let url = url.trim();
    let refused = shell(&home, &format!("curl -fsS -o /dev/null '{url}'"));
    assert_eq!(code(&refused), 22, "{}", both(&refused));
    let fetched = shell(
        &home,
        &format!("curl -fsS -H 'x-oss-request-payer: requester' '{url}'"),
    );
    assert_eq!(code(&fetched), 0, "{}", both(&fetched));
    assert_eq!(fetched.stdout, b"meow");

    // The other formats print the headers themselves, and a URL that signs none needs no note.
    let sample = run(with_credentials(&mut oss_presign(&home)).args(&signed[..8]));
    assert_eq!(code(&sample), 0, "{}", both(&sample));
    assert!(stderr(&sample).is_empty(), "{}", stderr(&sample));
    assert_stdout_has(&sample, "signed headers key: x-oss-request-payer");
    let plain = run(with_credentials(&mut oss_presign(&home))
        .args(&signed[..6])
        .args(["--output", "url"]));
    assert_eq!(code(&plain), 0, "{}", both(&plain));
    assert!(stderr(&plain).is_empty(), "{}", stderr(&plain));
}

#[test]
fn a_list_gives_the_note_once() {
    let home = tempfile::tempdir().expect("temp dir");
    let keys: Vec<String> = (0..5_000)
        .map(|i| format!("oss://examplebucket/k{i}"))
        .collect();
    let output = run_with_stdin(
        with_credentials(&mut oss_presign(&home)).args([
            "url",
            "--region",
            "cn-hangzhou",
            "--list",
            "-",
            "--traffic-limit",
            "819200",
            "--output",
            "url",
        ]),
        keys.join("\n").as_bytes(),
    );
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(stdout(&output).lines().count(), 5_000);
    let errors = stderr(&output);
    let notes: Vec<&str> = errors.lines().collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("-H 'x-oss-traffic-limit: 819200'"),
        "{}",
        notes[0]
    );
}
