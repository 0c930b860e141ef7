//! `cargo xtask fuzz [--seconds N] [--target NAME]...`: runs the cargo-fuzz targets of `fuzz/`
//! one after the other for N seconds each (default 60) and fails if any of them crashes.
//!
//! The fuzz crate needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz
//! --locked`); both are checked first, with an error that says how to install what is missing.
//! Before fuzzing a target, the crashing inputs committed under `fuzz/regressions/<target>/`
//! are replayed. Each run writes its libFuzzer log to `fuzz/logs/<target>.log`; a crash leaves
//! its input under `fuzz/artifacts/<target>/`. Not part of `cargo xtask ci` (that stays on the
//! pinned stable toolchain).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// The toolchain the fuzz crate is built with (`-Z` sanitizer flags need nightly), unless
/// `XTASK_FUZZ_TOOLCHAIN` names another one (e.g. a dated `nightly-2026-01-01`).
const DEFAULT_TOOLCHAIN: &str = "nightly";

/// The `+toolchain` argument for cargo.
fn toolchain_arg() -> String {
    let name = std::env::var("XTASK_FUZZ_TOOLCHAIN")
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TOOLCHAIN.to_owned());
    format!("+{}", name.trim())
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    seconds: u64,
    targets: Vec<String>,
    list: bool,
}

fn usage() -> &'static str {
    "usage: cargo xtask fuzz [--seconds N] [--target NAME]... [--list]\n\
     \n\
     Runs every cargo-fuzz target of fuzz/ (or the named ones) for N seconds each (default 60),\n\
     one after the other, and fails if any crashes. Needs the nightly toolchain\n\
     (`rustup toolchain install nightly`) and cargo-fuzz (`cargo install cargo-fuzz --locked`)."
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        seconds: DEFAULT_SECONDS,
        targets: Vec::new(),
        list: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = rest
                    .next()
                    .ok_or_else(|| format!("--seconds needs a value\n{}", usage()))?;
                options.seconds = match value.parse::<u64>() {
                    Ok(seconds) if seconds > 0 => seconds,
                    _ => {
                        return Err(format!(
                            "--seconds {value:?} is not a whole number of seconds greater than 0"
                        ))
                    }
                };
            }
            "--target" => {
                let value = rest
                    .next()
                    .ok_or_else(|| format!("--target needs a target name\n{}", usage()))?;
                options.targets.push(value.clone());
            }
            "--list" => options.list = true,
            "--help" | "-h" => return Err(usage().to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{}", usage())),
        }
    }
    Ok(options)
}

/// `cargo +nightly <args>` in the workspace root, with the pinned toolchain's environment
/// removed so that `+nightly` wins and the fuzz crate builds into its own `fuzz/target`.
fn nightly_cargo(args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg(toolchain_arg())
        .args(args)
        .current_dir(xtask::workspace::root())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    command
}

/// The first non-empty line of a tool's error output (rustup may add a backtrace).
fn first_line(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no error output")
        .to_owned()
}

/// Fails with an actionable message when the nightly toolchain or cargo-fuzz is missing.
fn check_prerequisites() -> Result<(), String> {
    let toolchain = toolchain_arg();
    let nightly = nightly_cargo(&["--version"]).output().map_err(|error| {
        format!("could not run `cargo {toolchain} --version` ({error}): is rustup's cargo on PATH?")
    })?;
    if !nightly.status.success() {
        return Err(format!(
            "the nightly toolchain is not available (`cargo {toolchain} --version` failed: {}).\n\
             Install it with `rustup toolchain install {}`; fuzzing needs nightly for the \
             sanitizer flags and the pinned stable toolchain cannot be used.",
            first_line(&nightly.stderr),
            &toolchain[1..]
        ));
    }
    let fuzz = nightly_cargo(&["fuzz", "--version"])
        .output()
        .map_err(|error| format!("could not run `cargo {toolchain} fuzz --version`: {error}"))?;
    if !fuzz.status.success() {
        return Err(format!(
            "cargo-fuzz is not installed (`cargo {toolchain} fuzz --version` failed: {}).\n\
             Install it with `cargo install cargo-fuzz --locked`.",
            first_line(&fuzz.stderr)
        ));
    }
    Ok(())
}

/// The targets `cargo fuzz list` knows, one name a line.
fn parse_target_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn list_targets() -> Result<Vec<String>, String> {
    let toolchain = toolchain_arg();
    let output = nightly_cargo(&["fuzz", "list"])
        .output()
        .map_err(|error| format!("could not run `cargo {toolchain} fuzz list`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo {toolchain} fuzz list` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let targets = parse_target_list(&String::from_utf8_lossy(&output.stdout));
    if targets.is_empty() {
        return Err("`cargo fuzz list` found no targets in fuzz/".to_owned());
    }
    Ok(targets)
}

/// The executions and seconds of libFuzzer's closing `Done N runs in S second(s)` line.
fn parse_done_line(log: &str) -> Option<(u64, u64)> {
    let line = log.lines().rev().find(|line| line.starts_with("Done "))?;
    let mut words = line.split_whitespace();
    let runs = words.nth(1)?.parse().ok()?;
    let seconds = words.nth(2)?.parse().ok()?;
    Some((runs, seconds))
}

/// The committed crashing inputs of a target (files directly under its folder).
fn regression_inputs(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The outcome of one target.
struct Outcome {
    target: String,
    runs: Option<u64>,
    seconds: Option<u64>,
    passed: bool,
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Replays the committed regressions of `target`, then fuzzes it for `seconds`.
fn fuzz_one(target: &str, seconds: u64) -> Result<Outcome, String> {
    let root = xtask::workspace::root();
    let fuzz_dir = root.join("fuzz");
    let regressions = regression_inputs(&fuzz_dir.join("regressions").join(target));
    if !regressions.is_empty() {
        println!(
            "\n==> {target}: replaying {} committed regression input(s)",
            regressions.len()
        );
        let mut command = nightly_cargo(&["fuzz", "run", target]);
        command.args(&regressions).arg("--").arg("-runs=1");
        let status = command
            .status()
            .map_err(|error| format!("could not start cargo fuzz: {error}"))?;
        if !status.success() {
            return Ok(Outcome {
                target: target.to_owned(),
                runs: None,
                seconds: None,
                passed: false,
            });
        }
    }

    let corpus = fuzz_dir.join("corpus").join(target);
    let seeds = fuzz_dir.join("seeds").join(target);
    let logs = fuzz_dir.join("logs");
    fs::create_dir_all(&corpus)
        .and_then(|()| fs::create_dir_all(&logs))
        .map_err(|error| format!("cannot create {}: {error}", corpus.display()))?;
    let log_path = logs.join(format!("{target}.log"));
    println!(
        "\n==> {target}: fuzzing for {seconds} s (log: {})",
        log_path.display()
    );
    let mut command = nightly_cargo(&["fuzz", "run", target]);
    command.arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg("-timeout=30");
    let output = command
        .output()
        .map_err(|error| format!("could not start cargo fuzz: {error}"))?;
    let mut log = String::from_utf8_lossy(&output.stdout).into_owned();
    log.push_str(&String::from_utf8_lossy(&output.stderr));
    fs::write(&log_path, &log)
        .map_err(|error| format!("cannot write {}: {error}", log_path.display()))?;
    let done = parse_done_line(&log);
    let passed = output.status.success() && done.is_some();
    if passed {
        if let Some((runs, secs)) = done {
            println!("    {target}: {runs} executions in {secs} s, no crash");
        }
    } else {
        println!("{}", tail(&log, 40));
        println!(
            "    {target}: FAILED ({}); crashing input under fuzz/artifacts/{target}/",
            output.status
        );
    }
    Ok(Outcome {
        target: target.to_owned(),
        runs: done.map(|(runs, _)| runs),
        seconds: done.map(|(_, secs)| secs),
        passed,
    })
}

/// Entry point of `cargo xtask fuzz`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    check_prerequisites()?;
    let known = list_targets()?;
    if options.list {
        for target in &known {
            println!("{target}");
        }
        return Ok(());
    }
    let selected = if options.targets.is_empty() {
        known.clone()
    } else {
        for target in &options.targets {
            if !known.contains(target) {
                return Err(format!(
                    "unknown fuzz target `{target}`; the targets are: {}",
                    known.join(", ")
                ));
            }
        }
        options.targets.clone()
    };

    let mut outcomes = Vec::new();
    for target in &selected {
        outcomes.push(fuzz_one(target, options.seconds)?);
    }

    println!(
        "\n{:<20} {:>12} {:>8}  result",
        "target", "executions", "seconds"
    );
    for outcome in &outcomes {
        let show = |value: Option<u64>| value.map_or_else(|| "-".to_owned(), |v| v.to_string());
        println!(
            "{:<20} {:>12} {:>8}  {}",
            outcome.target,
            show(outcome.runs),
            show(outcome.seconds),
            if outcome.passed { "ok" } else { "CRASH" }
        );
    }
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.target.as_str())
        .collect();
    if failed.is_empty() {
        println!("\nxtask fuzz: {} target(s) ran clean", outcomes.len());
        Ok(())
    } else {
        Err(format!(
            "fuzz target(s) failed: {}; see fuzz/logs/ and fuzz/artifacts/",
            failed.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_seconds_and_targets() {
        let options = parse_args(&args(&["--seconds", "5", "--target", "a", "--target", "b"]))
            .expect("valid arguments");
        assert_eq!(
            options,
            Options {
                seconds: 5,
                targets: vec!["a".to_owned(), "b".to_owned()],
                list: false
            }
        );
        assert_eq!(parse_args(&[]).expect("defaults").seconds, DEFAULT_SECONDS);
    }

    #[test]
    fn refuses_bad_arguments_with_a_reason() {
        let missing = parse_args(&args(&["--seconds"])).unwrap_err();
        assert!(missing.contains("--seconds needs a value"), "{missing}");
        for bad in ["0", "-3", "ten", "1.5"] {
            let err = parse_args(&args(&["--seconds", bad])).unwrap_err();
            assert!(err.contains("greater than 0"), "{err}");
        }
        let unknown = parse_args(&args(&["--fast"])).unwrap_err();
        assert!(unknown.contains("unknown argument `--fast`"), "{unknown}");
        let no_target = parse_args(&args(&["--target"])).unwrap_err();
        assert!(no_target.contains("--target needs"), "{no_target}");
    }

    #[test]
    fn reads_libfuzzer_summary_line() {
        let log = "#1159120\tDONE   cov: 312 ft: 1201\n###### End ######\nDone 1159120 runs in 61 second(s)\n";
        assert_eq!(parse_done_line(log), Some((1_159_120, 61)));
        assert_eq!(
            parse_done_line("==1==ERROR: AddressSanitizer: heap-buffer-overflow"),
            None
        );
    }

    #[test]
    fn keeps_the_first_error_line() {
        assert_eq!(
            first_line(b"\nerror: no such command: `fuzz`\n\nhelp: ...\n"),
            "error: no such command: `fuzz`"
        );
        assert_eq!(first_line(b""), "no error output");
    }

    #[test]
    fn reads_target_list() {
        assert_eq!(
            parse_target_list("verify\n presign \n\n"),
            vec!["verify".to_owned(), "presign".to_owned()]
        );
    }

    #[test]
    fn finds_regression_files_sorted() {
        let dir = tempfile::tempdir().expect("temporary folder");
        fs::write(dir.path().join("b"), b"2").expect("write");
        fs::write(dir.path().join("a"), b"1").expect("write");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let found = regression_inputs(dir.path());
        assert_eq!(found, vec![dir.path().join("a"), dir.path().join("b")]);
        assert!(regression_inputs(&dir.path().join("missing")).is_empty());
    }
}
