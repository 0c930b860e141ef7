//! `oss-presign url` and its credentials, through the real binary with a fake HOME: explicit
//! profiles, a profile that exists nowhere, the warning for a URL that outlives its STS
//! token (stderr only), and broken files the chain skipped (reported on stderr).

mod common;

use common::{assert_stderr_has, both, code, oss_presign, run, stderr, stdout, URL_ARGS};
use std::path::Path;
use std::time::{Duration, SystemTime};

const PROD_INI: &str = "[prod]\ntype = access_key\naccess_key_id = LTAI5tProdProfile\naccess_key_secret = prod-profile-secret\n";

fn write(home: &Path, relative: &str, text: &str) {
    let path = home.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_explicit_profile_beats_environment_credentials() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".alibabacloud/credentials.ini", PROD_INI);
    for explicit in [
        vec!["--profile", "prod"],
        // ALIBABA_CLOUD_PROFILE is the same choice.
        vec![],
    ] {
        let mut command = oss_presign(&home);
        common::with_credentials(&mut command);
        if explicit.is_empty() {
            command.env("ALIBABA_CLOUD_PROFILE", "prod");
        }
        let output = run(command.args(URL_ARGS).args(&explicit));
        assert_eq!(code(&output), 0, "{}", both(&output));
        let text = stdout(&output);
        assert!(
            text.contains("x-oss-credential=LTAI5tProdProfile%2F"),
            "{}",
            both(&output)
        );
        assert!(!text.contains(common::AK), "{text}");
        assert!(!both(&output).contains("prod-profile-secret"));
    }
}

#[test]
fn a_profile_that_exists_nowhere_exits_3_naming_the_files() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".alibabacloud/credentials.ini", PROD_INI);
    let mut command = oss_presign(&home);
    common::with_credentials(&mut command);
    let output = run(command.args(URL_ARGS).args(["--profile", "nosuch"]));
    assert_eq!(code(&output), 3, "{}", both(&output));
    assert_eq!(stdout(&output), "");
    let config = home.path().join(".aliyun/config.json");
    let ini = home.path().join(".alibabacloud/credentials.ini");
    assert_stderr_has(&output, "the profile 'nosuch' exists nowhere");
    assert_stderr_has(&output, &config.display().to_string());
    assert_stderr_has(&output, &ini.display().to_string());
}

#[test]
fn a_skipped_broken_file_is_reported_on_stderr() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), ".aliyun/config.json", "{ \"current\": ");
    write(
        home.path(),
        ".alibabacloud/credentials.ini",
        "[default]\ntype = access_key\naccess_key_id = LTAI5tIniDefault\naccess_key_secret = ini-secret\n",
    );
    let output = run(oss_presign(&home).args(URL_ARGS));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("method: GET, expiration: "), "{out}");
    assert!(
        out.contains("x-oss-credential=LTAI5tIniDefault%2F"),
        "{out}"
    );
    let err = stderr(&output);
    assert!(
        err.starts_with("warning: skipped cli_config: cannot parse CLI configuration"),
        "{err}"
    );
    assert!(
        err.contains(
            &home
                .path()
                .join(".aliyun/config.json")
                .display()
                .to_string()
        ),
        "{err}"
    );
    assert!(!err.contains("ini-secret"), "{err}");
}

/// A CLI profile in `External` mode whose program prints STS credentials expiring in an hour.
fn sts_home() -> (tempfile::TempDir, SystemTime) {
    let home = tempfile::tempdir().unwrap();
    let expires = SystemTime::now() + Duration::from_secs(3600);
    let stamp = oss_sign_core::SigningTime::try_from(expires)
        .expect("test instants lie in 1970..=9999")
        .to_rfc3339();
    let script = home.path().join("fetch-sts.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' '{{\"mode\":\"StsToken\",\"access_key_id\":\"STS.NUexample\",\"access_key_secret\":\"sts-secret\",\"sts_token\":\"sts-token-value\",\"expiration\":\"{stamp}\"}}'\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    write(
        home.path(),
        ".aliyun/config.json",
        &format!(
            // Run by the shell, not executed itself: a file this process has just written can be
            // "busy" to exec (ETXTBSY) while another test thread's fork still holds it open.
            r#"{{"current":"sts","profiles":[{{"name":"sts","mode":"External","process_command":"/bin/sh {}"}}]}}"#,
            script.display()
        ),
    );
    (home, expires)
}

fn sample(at: SystemTime) -> String {
    oss_sign_core::SigningTime::try_from(at)
        .expect("test instants lie in 1970..=9999")
        .to_rfc3339()
        .replace('Z', ".000Z")
}

#[cfg(unix)]
#[test]
fn a_url_that_outlives_its_sts_token_warns_on_stderr_only() {
    let (home, expires) = sts_home();
    let token_end = sample(expires);

    // Seven days asked, one hour of token: a warning naming the real end, on stderr.
    let output = run(oss_presign(&home).args(URL_ARGS).args(["--expires", "7d"]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("method: GET, expiration: "), "{out}");
    assert!(out.contains("x-oss-expires=604800"), "{out}");
    assert!(
        out.contains("x-oss-security-token=sts-token-value"),
        "{out}"
    );
    assert!(!out.contains("warning"), "{out}");
    let err = stderr(&output);
    assert!(
        err.starts_with("warning: the URL is signed until "),
        "{err}"
    );
    assert!(
        err.contains(&format!("OSS refuses the URL from {token_end} on")),
        "{err}"
    );
    assert!(
        !err.contains("sts-secret") && !err.contains("sts-token-value"),
        "{err}"
    );

    // The same with --json: the fields carry it, stdout is one JSON object.
    let output = run(oss_presign(&home)
        .args(URL_ARGS)
        .args(["--expires", "7d", "--json"]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["outlives_credentials"], true);
    assert_eq!(value["credentials_expiration"], token_end.as_str());
    assert_eq!(value["effective_expiration"], token_end.as_str());
    assert_ne!(value["expiration"], token_end.as_str());
    assert!(stderr(&output).starts_with("warning: the URL is signed until "));

    // Ten minutes fit in the token's life: no warning, the URL's own expiration holds.
    let output = run(oss_presign(&home)
        .args(URL_ARGS)
        .args(["--expires", "10m", "--json"]));
    assert_eq!(code(&output), 0, "{}", both(&output));
    assert_eq!(stderr(&output), "");
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["outlives_credentials"], false);
    assert_eq!(value["credentials_expiration"], token_end.as_str());
    assert_eq!(value["effective_expiration"], value["expiration"]);
}
