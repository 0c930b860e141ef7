//! `cargo xtask soak [--downloads N] [--seed S]`: the long soaks of `oss-transfer`
//! (`crates/oss-transfer/tests/soak.rs`, ignored under a plain `cargo test`), in release mode:
//! the fault soak (N concurrent downloads, each with a server fault) and the interruption soak
//! (N downloads in child processes interrupted by SIGINT/SIGTERM, files damaged between runs).

use xtask::workspace::run_step;

/// Runs the ignored `fault_soak` and `interrupt_soak_long` tests, one after the other, with the
/// given size and seed.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut downloads = String::from("200");
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
            "--seed" => seed = value("--seed")?,
            other => {
                return Err(format!(
                    "unknown option `{other}`: usage: cargo xtask soak [--downloads N] [--seed S]"
                ))
            }
        }
    }
    for (name, text) in [("--downloads", &downloads), ("--seed", &seed)] {
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
    )
}
