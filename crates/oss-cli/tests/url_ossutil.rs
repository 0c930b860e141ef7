//! `oss-presign url` with ossutil 2.0's configuration in a fake home: credentials, region,
//! endpoint and addressing style from `~/.ossutilconfig`, `-c/--config-file`,
//! `OSSUTIL_CONFIG_FILE`, `--profile`/`OSSUTIL_PROFILE`, in ossutil's precedence
//! (flags, then environment, then the file).

mod common;

use std::path::Path;

use common::*;

const CONFIG: &str = "\
# written by `ossutil config`
[default]
accessKeyID = LTAI5tOssutilDefault
accessKeySecret = ossutil-default-secret
region = cn-shanghai

[profile prod]
mode = StsToken
access-key-id = STS.ossutilprod
access_key_secret = ossutil-prod-secret
sts-token = ossutil-prod-token
region = cn-beijing
endpoint = http://127.0.0.1:9000

[profile pathy]
source-profile = default
addressing-style = path

[buckets shared]
examplebucket =
  region = cn-shenzhen
";

fn home_with_config() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::write(home.path().join(".ossutilconfig"), CONFIG).expect("config");
    home
}

/// `url --output url` in `home` with `envs` (no other credentials) and `args`.
fn url_in(home: &Path, envs: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_oss-presign"));
    command
        .env_clear()
        .env("HOME", home)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .envs(envs.iter().copied())
        .args(["url", "--output", "url"])
        .args(args);
    run(&mut command)
}

fn ok_url(home: &Path, envs: &[(&str, &str)], args: &[&str]) -> String {
    let output = url_in(home, envs, args);
    assert_eq!(code(&output), 0, "{envs:?} {args:?}: {}", both(&output));
    for secret in ["ossutil-default-secret", "ossutil-prod-secret"] {
        assert_no_secret(&output, secret);
    }
    stdout(&output).trim_end().to_string()
}

#[test]
fn only_an_ossutil_config_is_enough() {
    let home = home_with_config();
    let url = ok_url(home.path(), &[], &["oss://examplebucket/a b.txt"]);
    assert!(
        url.starts_with("https://examplebucket.oss-cn-shanghai.aliyuncs.com/a%20b.txt?x-oss-credential=LTAI5tOssutilDefault%2F"),
        "{url}"
    );
    assert!(
        url.contains("%2Fcn-shanghai%2Foss%2Faliyun_v4_request"),
        "{url}"
    );
    // The same through --list from stdin-less file input.
    let list = home.path().join("keys.txt");
    std::fs::write(&list, "oss://examplebucket/a b.txt\n").expect("list");
    let listed = ok_url(home.path(), &[], &["--list", list.to_str().expect("utf-8")]);
    assert_eq!(listed.lines().count(), 1);
    assert!(listed.contains("LTAI5tOssutilDefault"), "{listed}");
}

#[test]
fn profiles_and_files_are_chosen_like_ossutil() {
    let home = home_with_config();
    let h = home.path();
    // OSSUTIL_PROFILE and --profile pick [profile prod]: STS keys, its region and endpoint.
    for (envs, args) in [
        (vec![("OSSUTIL_PROFILE", "prod")], vec![]),
        (vec![], vec!["--profile", "prod"]),
        (
            vec![("OSSUTIL_PROFILE", "default")],
            vec!["--profile", "prod"],
        ),
    ] {
        let url = ok_url(h, &envs, &[&args[..], &["oss://examplebucket/k"]].concat());
        assert!(
            url.starts_with("http://127.0.0.1:9000/examplebucket/k?"),
            "{url}"
        );
        assert!(url.contains("x-oss-credential=STS.ossutilprod%2F"), "{url}");
        assert!(url.contains("%2Fcn-beijing%2F"), "{url}");
        assert!(
            url.contains("x-oss-security-token=ossutil-prod-token"),
            "{url}"
        );
    }
    // source-profile and addressing-style.
    let url = ok_url(h, &[], &["--profile", "pathy", "oss://examplebucket/k"]);
    assert!(
        url.starts_with("https://oss-cn-shanghai.aliyuncs.com/examplebucket/k?"),
        "{url}"
    );
    assert!(url.contains("LTAI5tOssutilDefault"), "{url}");

    // Another file: OSSUTIL_CONFIG_FILE, and -c/--config-file over it.
    let other = tempfile::tempdir().expect("temp dir");
    let env_file = other.path().join("env.conf");
    let flag_file = other.path().join("flag.conf");
    std::fs::write(
        &env_file,
        "[default]\naccess-key-id=LTAI5tFromEnvFile\naccess-key-secret=s1\nregion=cn-qingdao\n",
    )
    .expect("file");
    std::fs::write(&flag_file, "[default]\naccess-key-id=LTAI5tFromFlagFile\naccess-key-secret=s2\nregion=cn-zhangjiakou\n").expect("file");
    let env_path = env_file.to_str().expect("utf-8");
    let flag_path = flag_file.to_str().expect("utf-8");
    let url = ok_url(
        h,
        &[("OSSUTIL_CONFIG_FILE", env_path)],
        &["oss://examplebucket/k"],
    );
    assert!(
        url.contains("LTAI5tFromEnvFile") && url.contains("oss-cn-qingdao"),
        "{url}"
    );
    for flag in ["-c", "--config-file"] {
        let url = ok_url(
            h,
            &[("OSSUTIL_CONFIG_FILE", env_path)],
            &[flag, flag_path, "oss://examplebucket/k"],
        );
        assert!(
            url.contains("LTAI5tFromFlagFile") && url.contains("oss-cn-zhangjiakou"),
            "{url}"
        );
    }
    // A file named explicitly must exist.
    let missing = url_in(
        h,
        &[],
        &[
            "-c",
            "/nonexistent/ossutilconfig",
            "oss://examplebucket/k",
            "--region",
            "cn-hangzhou",
        ],
    );
    assert_fails_with(&missing, 3, "/nonexistent/ossutilconfig");
}

#[test]
fn flags_and_environment_win_over_the_file() {
    let home = home_with_config();
    let h = home.path();
    let url = ok_url(
        h,
        &[("OSS_REGION", "cn-hangzhou")],
        &["oss://examplebucket/k"],
    );
    assert!(
        url.starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/"),
        "{url}"
    );
    let url = ok_url(
        h,
        &[("OSS_REGION", "cn-hangzhou")],
        &["--region", "ap-southeast-1", "oss://examplebucket/k"],
    );
    assert!(url.contains("oss-ap-southeast-1"), "{url}");
    let url = ok_url(
        h,
        &[],
        &[
            "--profile",
            "prod",
            "--endpoint",
            "http://127.0.0.1:9999",
            "oss://examplebucket/k",
        ],
    );
    assert!(
        url.starts_with("http://127.0.0.1:9999/examplebucket/k?"),
        "{url}"
    );
    // Keys in the environment win over the file (ossutil's own order).
    let url = ok_url(
        h,
        &[("OSS_ACCESS_KEY_ID", AK), ("OSS_ACCESS_KEY_SECRET", SK)],
        &["oss://examplebucket/k"],
    );
    assert!(url.contains(&format!("x-oss-credential={AK}%2F")), "{url}");
    assert!(
        url.contains("oss-cn-shanghai"),
        "region still from the file: {url}"
    );
    // The ossutil profile comes before the Alibaba Cloud credentials file; without an ossutil
    // file that file is used as before.
    std::fs::create_dir(h.join(".alibabacloud")).expect("dir");
    std::fs::write(
        h.join(".alibabacloud/credentials.ini"),
        "[default]\ntype = access_key\naccess_key_id = LTAI5tIniDefault\naccess_key_secret = ini-secret\n",
    )
    .expect("ini");
    let url = ok_url(h, &[], &["oss://examplebucket/k"]);
    assert!(url.contains("LTAI5tOssutilDefault"), "{url}");
    std::fs::remove_file(h.join(".ossutilconfig")).expect("removed");
    let url = ok_url(
        h,
        &[],
        &["--region", "cn-hangzhou", "oss://examplebucket/k"],
    );
    assert!(url.contains("LTAI5tIniDefault"), "{url}");
    // An ossutil profile without credentials passes on to the next source.
    std::fs::write(h.join(".ossutilconfig"), "[default]\nregion = cn-chengdu\n").expect("config");
    let url = ok_url(h, &[], &["oss://examplebucket/k"]);
    assert!(
        url.contains("LTAI5tIniDefault") && url.contains("oss-cn-chengdu"),
        "{url}"
    );
}

#[test]
fn broken_configs_are_reported_without_secrets() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    for (text, needle) in [
        ("[default]\naccess-key-id = LTAIx\naccess-key-secret = topsecret-1\nmode = Frobnicate\n", "unknown mode"),
        ("[default]\nmode = StsToken\naccess-key-id = LTAIx\naccess-key-secret = topsecret-1\n", "sts-token"),
        ("[default\naccess-key-secret = topsecret-1\n", "line 1"),
        ("[profile a]\nsource-profile = b\n[profile b]\nsource-profile = a\n[default]\nsource-profile = a\naccess-key-secret = topsecret-1\n", "loops back"),
    ] {
        std::fs::write(h.join(".ossutilconfig"), text).expect("config");
        let output = url_in(h, &[], &["--region", "cn-hangzhou", "oss://examplebucket/k"]);
        assert_case_fails_with(&text, &output, 3, needle);
        assert!(stderr(&output).contains(".ossutilconfig"), "{}", both(&output));
        assert_no_secret(&output, "topsecret-1");
    }
    // Anonymous access cannot sign.
    std::fs::write(
        h.join(".ossutilconfig"),
        "[default]\nmode = Anonymous\nregion = cn-hangzhou\n",
    )
    .expect("config");
    let output = url_in(h, &[], &["oss://examplebucket/k"]);
    assert_eq!(code(&output), 3, "{}", both(&output));
    assert!(stderr(&output).contains("Anonymous"), "{}", both(&output));
}
