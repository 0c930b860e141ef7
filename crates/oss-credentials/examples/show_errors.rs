//! Prints what the default chain reports on a machine with nothing configured (injected
//! environment: no variables, an empty home directory, ECS metadata disabled).

use oss_credentials::{DefaultChain, Environment, ProvideCredentials};

fn main() {
    let home = std::env::temp_dir().join("oss-credentials-example-empty-home");
    let env = Environment::from_map([("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")])
        .with_home_dir(&home);
    let chain = DefaultChain::builder().environment(env).build();
    match futures_executor::block_on(chain.provide_credentials()) {
        Ok(creds) => println!("found {creds}"),
        Err(error) => println!("{error}"),
    }
}
