use super::*;
use proptest::prelude::*;

fn file() -> PathBuf {
    PathBuf::from("/test/.ossutilconfig")
}

fn source_of(text: &str, profile: &str) -> Result<CredentialSource, CredentialsError> {
    let parsed = parse(text, &file())?;
    let path = file();
    let view = ProfileView::new(&parsed, profile, &path)?
        .ok_or_else(|| CredentialsError::new(ErrorKind::NotLoaded, "no profile"))?;
    view.credential_source()
}

fn static_keys(source: CredentialSource) -> (String, Option<String>) {
    match source {
        CredentialSource::Static(c) => (
            c.access_key_id().to_owned(),
            c.security_token().map(str::to_owned),
        ),
        other => panic!("not static: {other:?}"),
    }
}

#[test]
fn key_spellings_are_one_key() {
    for id_key in [
        "accesskeyid",
        "accessKeyId",
        "access-key-id",
        "access_key_id",
        "AccessKeyID",
    ] {
        let text = format!("[default]\n{id_key} = LTAIa\naccessKeySecret=s\n");
        assert_eq!(
            static_keys(source_of(&text, "default").unwrap()).0,
            "LTAIa",
            "{id_key}"
        );
    }
}

#[test]
fn sections_profiles_and_sources() {
    let text = "\
# comment
; another
[Profile Dev]
mode = StsToken
access-key-id = LTAIdev
access-key-secret = s#not-a-comment
sts-token = tok
region = cn-beijing

[profile child]
source_profile = dev
mode = AK

[buckets shared]
examplebucket =
  region = cn-shanghai
  endpoint = oss-cn-shanghai.aliyuncs.com

[default]
access-key-id = LTAIdefault
access-key-secret = s
";
    assert_eq!(
        static_keys(source_of(text, "dev").unwrap()),
        ("LTAIdev".into(), Some("tok".into()))
    );
    assert_eq!(static_keys(source_of(text, "DEV").unwrap()).0, "LTAIdev");
    assert_eq!(
        static_keys(source_of(text, "child").unwrap()),
        ("LTAIdev".into(), None)
    );
    assert_eq!(
        static_keys(source_of(text, "default").unwrap()).0,
        "LTAIdefault"
    );
    assert_eq!(
        source_of(text, "absent").unwrap_err().kind(),
        ErrorKind::NotLoaded
    );
    let parsed = parse(text, &file()).unwrap();
    let path = file();
    let child = ProfileView::new(&parsed, "child", &path).unwrap().unwrap();
    assert_eq!(child.value("region").as_deref(), Some("cn-beijing"));
}

#[test]
fn legacy_credentials_section_stands_in_for_default() {
    let text = "[Credentials]\nlanguage=EN\nendpoint=oss-cn-hangzhou.aliyuncs.com\naccessKeyID=LTAIold\naccessKeySecret=s\nstsToken=t\n";
    assert_eq!(
        static_keys(source_of(text, "default").unwrap()),
        ("LTAIold".into(), Some("t".into()))
    );
}

#[test]
fn modes() {
    let base = "[default]\naccess-key-id=LTAIa\naccess-key-secret=s\n";
    match source_of(&format!("{base}mode=RamRoleArn\nrole-arn=acs:ram::1:role/r\nrole-session-name=n\nduration-seconds=1800\n"), "default").unwrap() {
        CredentialSource::AssumeRole { role, .. } => {
            assert_eq!(role.role_arn, "acs:ram::1:role/r");
            assert_eq!(role.role_session_name.as_deref(), Some("n"));
            assert_eq!(role.duration_seconds, Some(1800));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        source_of("[default]\nmode=EcsRamRole\necs-role-name=r\n", "default").unwrap(),
        CredentialSource::EcsRamRole { role_name: Some(r) } if r == "r"
    ));
    // Which kind of source each profile must resolve to.
    type IsKind = fn(&CredentialSource) -> bool;
    let cases: [(&str, IsKind); 3] = [
        ("[default]\ncredential-process=/bin/echo x\n", |s| {
            matches!(s, CredentialSource::Process { .. })
        }),
        (
            "[default]\ncredential-uri=http://127.0.0.1:1/creds\n",
            |s| matches!(s, CredentialSource::CredentialsUri { .. }),
        ),
        (
            "[default]\nrole-arn=a\noidc-provider-arn=p\noidc-token-file-path=/t\n",
            |s| matches!(s, CredentialSource::Oidc { .. }),
        ),
    ];
    for (text, expected) in cases {
        let source = source_of(text, "default").unwrap();
        assert!(expected(&source), "{text:?}: {source:?}");
    }
    for (text, kind) in [
        ("[default]\nmode=Anonymous\n", ErrorKind::Unsupported),
        ("[default]\nmode=Magic\n", ErrorKind::InvalidConfig),
        (
            "[default]\nmode=StsToken\naccess-key-id=a\naccess-key-secret=s\n",
            ErrorKind::InvalidConfig,
        ),
        ("[default]\naccess-key-id=a\n", ErrorKind::InvalidConfig),
        ("[default]\nregion=cn-hangzhou\n", ErrorKind::NotLoaded),
        (
            &format!("{base}mode=RamRoleArn\nrole-arn=r\nduration-seconds=10\n"),
            ErrorKind::InvalidConfig,
        ),
    ] {
        assert_eq!(
            source_of(text, "default").unwrap_err().kind(),
            kind,
            "{text}"
        );
    }
}

#[test]
fn errors_never_show_values() {
    let secret = "VerySecretValue123";
    for text in [
        format!("[default]\nmode=Nope{secret}\naccess-key-secret={secret}\n"),
        format!("[default]\naccess-key-secret={secret}\n"),
        format!("[default]\n{secret}\n"),
        format!("{secret}=1\n"),
    ] {
        let err = source_of(&text, "default").unwrap_err();
        assert!(!err.to_string().contains(secret), "{err}");
        assert!(!format!("{err:?}").contains(secret), "{err:?}");
    }
}

#[test]
fn source_profile_cycles_and_gaps_are_refused() {
    let cycle = "[profile a]\nsource-profile=b\n[profile b]\nsource-profile=a\n";
    assert_eq!(
        source_of(cycle, "a").unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
    let gap = "[profile a]\nsource-profile=missing\n";
    assert_eq!(
        source_of(gap, "a").unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
    let selfish = "[profile a]\nsource-profile=A\n";
    assert_eq!(
        source_of(selfish, "a").unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
}

#[test]
fn malformed_files_name_the_line() {
    for (text, line) in [
        ("[default\n", 1),
        ("key=1\n", 1),
        ("[default]\n\nno equals sign\n", 3),
        ("[]\n", 1),
        ("[default]\n = v\n", 2),
    ] {
        let err = parse(text, &file()).unwrap_err();
        assert!(
            err.to_string().contains(&format!("line {line}")),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn file_and_profile_precedence() {
    let home = tempfile::tempdir().unwrap();
    let write = |name: &str, id: &str| {
        let path = home.path().join(name);
        std::fs::write(
            &path,
            format!("[default]\naccess-key-id={id}\naccess-key-secret=s\n[profile p]\naccess-key-id={id}P\naccess-key-secret=s\nregion=cn-beijing\n"),
        )
        .unwrap();
        path
    };
    write(DEFAULT_FILE_NAME, "LTAIhome");
    let from_env = write("env.conf", "LTAIenv");
    let from_flag = write("flag.conf", "LTAIflag");
    let id = |provider: OssutilConfigProvider| {
        let creds = futures_executor::block_on(provider.provide_credentials()).unwrap();
        assert_eq!(creds.provider_name(), "ossutil_config");
        creds.access_key_id().to_owned()
    };
    let env = |vars: &[(&str, &str)]| {
        Environment::from_map(vars.iter().copied()).with_home_dir(home.path())
    };
    assert_eq!(
        id(OssutilConfigProvider::with_environment(env(&[]))),
        "LTAIhome"
    );
    let env_file = from_env.to_str().unwrap();
    assert_eq!(
        id(OssutilConfigProvider::with_environment(env(&[(
            ENV_OSSUTIL_CONFIG_FILE,
            env_file
        )]))),
        "LTAIenv"
    );
    assert_eq!(
        id(
            OssutilConfigProvider::with_environment(env(&[(ENV_OSSUTIL_CONFIG_FILE, env_file)]))
                .config_file(&from_flag)
        ),
        "LTAIflag"
    );
    assert_eq!(
        id(OssutilConfigProvider::with_environment(env(&[(
            ENV_OSSUTIL_PROFILE,
            "p"
        )]))),
        "LTAIhomeP"
    );
    assert_eq!(
        id(
            OssutilConfigProvider::with_environment(env(&[(ENV_OSSUTIL_PROFILE, "absent")]))
                .profile("P")
        ),
        "LTAIhomeP"
    );
    let settings = OssutilConfigProvider::with_environment(env(&[]))
        .profile("p")
        .settings()
        .unwrap()
        .unwrap();
    assert_eq!(
        (settings.region(), settings.endpoint()),
        (Some("cn-beijing"), None)
    );
    assert!(OssutilConfigProvider::with_environment(env(&[]))
        .profile("nope")
        .settings()
        .unwrap()
        .is_none());
    let huge = home.path().join("huge.conf");
    std::fs::write(&huge, vec![b'#'; 2 * 1024 * 1024]).unwrap();
    let err = OssutilConfigProvider::with_environment(env(&[]))
        .config_file(&huge)
        .resolve()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        if let Ok(parsed) = parse(&text, &file()) {
            let path = file();
            if let Ok(Some(view)) = ProfileView::new(&parsed, "default", &path) {
                let _ = view.credential_source();
            }
        }
    }

    #[test]
    fn written_profiles_read_back(
        name in "[a-z][a-z0-9-]{0,10}",
        id in "LTAI[A-Za-z0-9]{8,20}",
        secret in "[!-~]{1,40}",
        region in "[a-z]{2}-[a-z]{3,10}",
    ) {
        let text = format!("[profile {name}]\naccess-key-id = {id}\naccess-key-secret = {secret}\nregion = {region}\n");
        let parsed = parse(&text, &file()).unwrap();
        let path = file();
        let view = ProfileView::new(&parsed, &name, &path).unwrap().unwrap();
        prop_assert_eq!(view.value("region"), Some(region));
        match view.credential_source().unwrap() {
            CredentialSource::Static(c) => {
                prop_assert_eq!(c.access_key_id(), id.as_str());
                prop_assert_eq!(c.access_key_secret(), secret.trim());
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
