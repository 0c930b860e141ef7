//! `cargo xtask soak [--downloads N] [--uploads N] [--seed S]`: the long soaks of `oss-transfer`
//! (`crates/oss-transfer/tests/soak.rs` and `upload_soak.rs`, ignored under a plain
//! `cargo test`), in release mode: the fault soak (N concurrent downloads, each with a server
//! fault), the interruption soak (N downloads in child processes interrupted by SIGINT/SIGTERM,
//! files damaged between runs) and the upload fault soak (N uploads through a proxy that drops,
//! stalls and answers 503).

use xtask::workspace::run_step;

/// Runs the ignored `fault_soak` and `interrupt_soak_long` tests, one after the other, with the
/// given size and seed.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut downloads = String::from("200");
    let mut uploads = String::from("100");
    let mut seed = String::from("20261128");
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |flag: &str| {
            iter.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--downloads" => downloads = value("--downloads")?,
            "--uploads" => uploads = value("--uploads")?,
            "--seed" => seed = value("--seed")?,
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
    run_step(
        &cargo,
        &[
            "test",
            "--release",
            "-p",
            "oss-transfer",
            "--test",
            "soak",
            "--",
            "--ignored",
            "--exact",
            "fault_soak",
            "interrupt_soak_long",
            "--test-threads",
            "1",
            "--nocapture",
        ],
        &[("OSS_SOAK_DOWNLOADS", &downloads), ("OSS_SOAK_SEED", &seed)],
    )?;
    run_step(
        &cargo,
        &[
            "test",
            "--release",
            "-p",
            "oss-transfer",
            "--test",
            "upload_soak",
            "--",
            "--ignored",
            "--exact",
            "upload_fault_soak",
            "--nocapture",
        ],
        &[("OSS_SOAK_UPLOADS", &uploads), ("OSS_SOAK_SEED", &seed)],
    )
}
