//! Secret hygiene across the workspace: every value and error path reachable here is built with
//! known secret strings (an access key secret and an STS token), and their `Debug`, `Display`
//! and error chains are scanned for them. The libraries do not log (no `log`/`tracing`
//! dependency), so there is no log output to capture.

use oss_client::{Client, Config, FixedClock, GetObjectRequest, ObjectRequest, PresignOptions};
use oss_credentials::{Credentials, EnvProvider, Environment, ProvideCredentials, StaticProvider};
use oss_sign_core::verify::{verify_presigned, StaticSecret, VerifyRequest};
use oss_sign_core::{v1, v4, SignableRequest, SigningTime};
use std::error::Error as StdError;
use std::fmt::Debug;

const SECRET: &str = "hygieneSECRETx7f3a9";
const TOKEN: &str = "hygieneTOKENq91c2z";

#[derive(Default)]
struct Scan {
    checked: usize,
    leaks: Vec<String>,
}

impl Scan {
    fn text(&mut self, what: &str, text: &str) {
        self.checked += 1;
        for secret in [SECRET, TOKEN] {
            if text.contains(secret) {
                self.leaks.push(format!("{what} shows {secret}: {text}"));
            }
        }
    }

    fn debug(&mut self, what: &str, value: &dyn Debug) {
        self.text(&format!("{what} (Debug)"), &format!("{value:?}"));
        self.text(
            &format!("{what} (Debug, alternate)"),
            &format!("{value:#?}"),
        );
    }

    fn error(&mut self, what: &str, error: &dyn StdError) {
        self.text(&format!("{what} (Display)"), &error.to_string());
        self.debug(what, &error);
        let mut source = error.source();
        while let Some(inner) = source {
            self.text(&format!("{what} (source)"), &inner.to_string());
            self.debug(&format!("{what} (source)"), &inner);
            source = inner.source();
        }
    }

    fn done(self) {
        assert!(self.checked > 40, "only {} outputs scanned", self.checked);
        assert!(self.leaks.is_empty(), "{}", self.leaks.join("\n"));
    }
}

fn client_credentials() -> Credentials {
    Credentials::new("LTAI5tHygiene", SECRET)
        .expect("credentials")
        .with_security_token(TOKEN)
}

fn at() -> SigningTime {
    SigningTime::from_unix_seconds(1_731_403_676).expect("time")
}

#[test]
fn sign_core_values_and_errors_hide_secrets() {
    let mut scan = Scan::default();
    let key = v4::SigningKey::derive(SECRET, at(), "cn-hangzhou", "oss");
    scan.debug("SigningKey", &key);
    let request = SignableRequest::new("GET").bucket("b").key("k");
    let params = v4::PresignParams::new("ak", "cn-hangzhou", at(), 60).security_token(Some(TOKEN));
    scan.debug("v4::PresignParams", &params);
    let presigned = v4::presign(&request, &params, &key).expect("presign");
    scan.debug("v4::Presigned", &presigned);
    let v1_params = v1::PresignParams::new("ak", SECRET, 100).security_token(Some(TOKEN));
    scan.debug("v1::PresignParams", &v1_params);
    scan.debug(
        "v1::Presigned",
        &v1::presign(&request, &v1_params).expect("v1"),
    );
    let secrets = StaticSecret::new("ak", SECRET);
    scan.debug("StaticSecret", &secrets);

    // Every refusal of the verifier, on a URL that carries the token.
    let query = presigned.url_query();
    let variants = [
        query.replace("x-oss-expires=60", "x-oss-expires=0"),
        query.replace("x-oss-expires=60", "x-oss-expires=x"),
        format!("{query}&x-oss-date=1"),
        query.replace("ak%2F", "other%2F"),
        query.replacen("&x-oss-signature=", "&x-oss-signature=0", 1),
        query.clone(),
    ];
    for (index, variant) in variants.iter().enumerate() {
        for (key_name, now) in [
            ("k", at()),
            ("other", at()),
            ("k", at().checked_add_seconds(3600).expect("t")),
        ] {
            let received = VerifyRequest::new("GET", variant).bucket("b").key(key_name);
            if let Err(error) = verify_presigned(&received, &secrets, now) {
                scan.error(&format!("verify error {index}/{key_name}"), &error);
            }
        }
    }
    // Signing refusals with a secret-bearing key.
    let bad = v4::presign(
        &SignableRequest::new("G ET"),
        &v4::PresignParams::new("ak", "cn-hangzhou", at(), 604_801).security_token(Some(TOKEN)),
        &key,
    )
    .expect_err("refused");
    scan.error("v4::presign error", &bad);
    scan.done();
}

#[test]
fn credentials_and_client_hide_secrets() {
    let mut scan = Scan::default();
    let credentials = Credentials::new("LTAI5tHygiene", SECRET)
        .expect("credentials")
        .with_security_token(TOKEN);
    scan.debug("Credentials", &credentials);
    scan.text("Credentials (Display)", &credentials.to_string());
    let provider = StaticProvider::from_credentials(credentials.clone());
    scan.debug("StaticProvider", &provider);

    // Environment errors: a secret without its id, a token without keys.
    for vars in [
        vec![("OSS_ACCESS_KEY_SECRET", SECRET)],
        vec![
            ("OSS_SESSION_TOKEN", TOKEN),
            ("OSS_ACCESS_KEY_SECRET", SECRET),
        ],
        vec![
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
        ],
        vec![
            ("OSS_ACCESS_KEY_ID", "LTAI5tHygiene"),
            ("OSS_ACCESS_KEY_SECRET", SECRET),
            ("OSS_SESSION_TOKEN", TOKEN),
        ],
    ] {
        let env = Environment::from_map(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        scan.debug("Environment", &env);
        let provider = EnvProvider::with_environment(env);
        scan.debug("EnvProvider", &provider);
        match provider.load() {
            Ok(loaded) => {
                scan.debug("loaded credentials", &loaded);
                scan.text("loaded credentials (Display)", &loaded.to_string());
            }
            Err(error) => scan.error("EnvProvider error", &error),
        }
    }

    // A client holding the credentials, and its refusals.
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(credentials.clone())
            .clock(FixedClock::new(at()))
            .build()
            .expect("config"),
    );
    scan.debug("Client", &client);
    let ok = client
        .presign(&GetObjectRequest::new("examplebucket", "k"))
        .expect("presign");
    scan.debug("PresignResult", &ok);
    assert!(
        ok.url().contains(TOKEN),
        "the URL itself must carry the token"
    );
    let signed = client
        .sign_request_with_credentials(
            &GetObjectRequest::new("examplebucket", "k"),
            &client_credentials(),
        )
        .expect("header signing");
    scan.debug("SignedRequest", &signed);
    for request in [
        ObjectRequest::new("GET", "Bad_Bucket", "k"),
        ObjectRequest::new("GET", "examplebucket", ""),
        ObjectRequest::new("G ET", "examplebucket", "k"),
        ObjectRequest::new("GET", "examplebucket", "k").parameter("x-oss-signature", TOKEN),
        ObjectRequest::new("GET", "examplebucket", "k").header("x-oss-meta-a", "line\nbreak"),
    ] {
        if let Err(error) = client.presign(&request) {
            scan.error("presign error", &error);
        }
    }
    let too_long = client.presign_with(
        &GetObjectRequest::new("examplebucket", "k"),
        &PresignOptions::new().expires(std::time::Duration::from_secs(604_801)),
    );
    if let Err(error) = too_long {
        scan.error("expiry error", &error);
    }
    let config_error = Config::builder()
        .region("oss-cn-hangzhou")
        .credentials(credentials)
        .build();
    if let Err(error) = config_error {
        scan.error("config error", &error);
    }
    // An async provider that fails.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let empty = EnvProvider::with_environment(Environment::from_map(std::iter::empty::<(
        String,
        String,
    )>()));
    if let Err(error) = runtime.block_on(empty.provide_credentials()) {
        scan.error("provider error", &error);
    }
    scan.done();
}
