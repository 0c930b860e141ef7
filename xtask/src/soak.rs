//! `cargo xtask soak [--downloads N] [--uploads N] [--seed S]`: the long soaks of `oss-transfer`
//! (`crates/oss-transfer/tests/soak.rs` and `upload_soak.rs`, ignored under a plain
//! `cargo test`), in release mode: the fault soak (N concurrent downloads, each with a server
//! fault), the interruption soak (N downloads in child processes interrupted by SIGINT/SIGTERM,
//! files damaged between runs) and the upload fault soak (N uploads through a proxy that drops,
//! stalls and answers 503).

use xtask::flags::value_of;
use xtask::workspace::run_step;

/// Runs the ignored `fault_soak` and `interrupt_soak_long` tests, one after the other, with the
/// given size and seed.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut downloads = String::from("200");
    let mut uploads = String::from("100");
    let mut seed = String::from("20261128");
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--downloads" => downloads = value_of(&mut iter, "--downloads")?,
            "--uploads" => uploads = value_of(&mut iter, "--uploads")?,
            "--seed" => seed = value_of(&mut iter, "--seed")?,
            other => {
                return Err(format!(
                    "unknown option `{other}`: usage: cargo xtask soak [--downloads N] [--uploads N] [--seed S]"
                ))
            }
        }
    }
    for (name, text) in [
        ("--downloads", &downloads),
        ("--uploads", &uploads),
        ("--seed", &seed),
    ] {
        if text.parse::<u64>().is_err() {
            return Err(format!("{name} takes a whole number, got `{text}`"));
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    release_soak(
        &cargo,
        "soak",
        &["fault_soak", "interrupt_soak_long", "--test-threads", "1"],
        &[("OSS_SOAK_DOWNLOADS", &downloads), ("OSS_SOAK_SEED", &seed)],
    )?;
    release_soak(
        &cargo,
        "upload_soak",
        &["upload_fault_soak"],
        &[("OSS_SOAK_UPLOADS", &uploads), ("OSS_SOAK_SEED", &seed)],
    )
}

/// Runs the ignored tests named in `filters` (then any test-runner flags there) of
/// `oss-transfer`'s `test` target in release mode, exactly, with output shown and `envs` set.
fn release_soak(
    cargo: &str,
    test: &str,
    filters: &[&str],
    envs: &[(&str, &str)],
) -> Result<(), String> {
    let mut args = vec![
        "test",
        "--release",
        "-p",
        "oss-transfer",
        "--test",
        test,
        "--",
        "--ignored",
        "--exact",
    ];
    args.extend_from_slice(filters);
    args.push("--nocapture");
    run_step(cargo, &args, envs)
}
