//! `cargo xtask conformance`: runs every vector suite on disk through the public API of the
//! crate it targets, prints a table per suite with a readable diff for each failure, and ends with
//! `N passed, M failed`.
//!
//! Suites live in `conformance/<suite>/` as plain JSON a person can read and extend; see
//! `docs/conformance.md` for each format. A suite can also be pointed at another folder of cases
//! in the same format with `--dir`.

mod case;
mod client;
mod compare;
mod credentials;
mod post_policy;
mod sign_core;
mod transfer;
mod wasm;

use crate::flags::value_of;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use case::{CaseOutcome, Status};

/// A suite: its name, what it checks, and how to run a folder of its cases.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The suite's name.
    pub name: &'static str,
    /// Its folder under `conformance/` (the `wasm` suite reads the `client` cases).
    pub folder: &'static str,
    /// One line on what it checks.
    pub description: &'static str,
    run: fn(&Path) -> Result<Vec<CaseOutcome>, String>,
}

impl Suite {
    /// Runs every case found in `dir`.
    pub fn run(&self, dir: &Path) -> Result<Vec<CaseOutcome>, String> {
        (self.run)(dir)
    }
}

/// Every suite, in the order they are run.
pub fn suites() -> Vec<Suite> {
    vec![
        Suite {
            name: "sign-core",
            folder: "sign-core",
            description: "V4 and V1 signing vectors (header and query mode) through oss-sign-core",
            run: sign_core::run,
        },
        Suite {
            name: "client",
            folder: "client",
            description: "presign cases, endpoint resolution and validation through oss-client",
            run: client::run,
        },
        Suite {
            name: "post-policy",
            folder: "post-policy",
            description: "V4 POST-policy signatures (ali-oss signPostObjectPolicyV4 oracle) through oss-sign-core and oss-client",
            run: post_policy::run,
        },
        Suite {
            name: "credentials",
            folder: "credentials",
            description: "STS RPC signatures and endpoints, environment, INI and CLI config files through oss-credentials",
            run: credentials::run,
        },
        Suite {
            name: "transfer",
            folder: "transfer",
            description: "download scenarios (faults, ranges, expiry, CRC) against the local server through oss-transfer",
            run: transfer::run,
        },
        Suite {
            name: "wasm",
            folder: "client",
            description: "every presign case through the WebAssembly module in Node (crates/oss-presign-wasm/js/batch.mjs): the expectations, and exactly the native results",
            run: wasm::run,
        },
    ]
}

/// The folder that holds the suites (`<workspace>/conformance`).
pub fn default_root() -> PathBuf {
    crate::workspace::root().join("conformance")
}

/// The result of running some suites.
#[derive(Debug, Default)]
pub struct Report {
    /// `(suite name, folder, outcomes)` per suite run.
    pub suites: Vec<(String, PathBuf, Vec<CaseOutcome>)>,
}

impl Report {
    /// `(passed, failed, skipped)` over every suite.
    pub fn totals(&self) -> (usize, usize, usize) {
        let mut totals = (0, 0, 0);
        for (_, _, outcomes) in &self.suites {
            for outcome in outcomes {
                match outcome.status {
                    Status::Passed => totals.0 += 1,
                    Status::Failed(_) => totals.1 += 1,
                    Status::Skipped(_) => totals.2 += 1,
                }
            }
        }
        totals
    }

    /// The human-readable report: a table per suite, each failure's diff, and the closing
    /// `N passed, M failed` line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, dir, outcomes) in &self.suites {
            let passed = outcomes
                .iter()
                .filter(|o| o.status == Status::Passed)
                .count();
            let failed: Vec<&CaseOutcome> = outcomes
                .iter()
                .filter(|o| matches!(o.status, Status::Failed(_)))
                .collect();
            let skipped: Vec<&CaseOutcome> = outcomes
                .iter()
                .filter(|o| matches!(o.status, Status::Skipped(_)))
                .collect();
            let _ = writeln!(out, "\nsuite {name} ({})", dir.display());
            let _ = writeln!(out, "  {:<10} {:>6}", "passed", passed);
            let _ = writeln!(out, "  {:<10} {:>6}", "failed", failed.len());
            let _ = writeln!(out, "  {:<10} {:>6}", "skipped", skipped.len());
            for outcome in skipped {
                if let Status::Skipped(reason) = &outcome.status {
                    let _ = writeln!(out, "  skipped {}: {reason}", outcome.id);
                }
            }
            for outcome in failed {
                if let Status::Failed(diff) = &outcome.status {
                    let _ = writeln!(out, "  FAILED {}:", outcome.id);
                    for line in diff.lines() {
                        let _ = writeln!(out, "    {line}");
                    }
                }
            }
        }
        let (passed, failed, skipped) = self.totals();
        let _ = writeln!(out);
        if skipped > 0 {
            let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
        } else {
            let _ = writeln!(out, "{passed} passed, {failed} failed");
        }
        out
    }

    /// The machine-readable report.
    pub fn to_json(&self) -> Value {
        let (passed, failed, skipped) = self.totals();
        let suites: Vec<Value> = self
            .suites
            .iter()
            .map(|(name, dir, outcomes)| {
                let cases: Vec<Value> = outcomes
                    .iter()
                    .map(|o| match &o.status {
                        Status::Passed => serde_json::json!({"id": o.id, "status": "passed"}),
                        Status::Failed(diff) => {
                            serde_json::json!({"id": o.id, "status": "failed", "diff": diff})
                        }
                        Status::Skipped(reason) => {
                            serde_json::json!({"id": o.id, "status": "skipped", "reason": reason})
                        }
                    })
                    .collect();
                serde_json::json!({"suite": name, "dir": dir.display().to_string(), "cases": cases})
            })
            .collect();
        serde_json::json!({
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "suites": suites,
        })
    }
}

/// Runs the named suites (all when `only` is `None`) from `root/<suite>` or, with `dir`, one
/// suite from that folder.
pub fn run(only: Option<&str>, dir: Option<&Path>, root: &Path) -> Result<Report, String> {
    let all = suites();
    let selected: Vec<Suite> = match only {
        Some(name) => {
            let suite = all
                .iter()
                .find(|s| s.name == name)
                .copied()
                .ok_or_else(|| {
                    let names: Vec<&str> = all.iter().map(|s| s.name).collect();
                    format!(
                        "unknown suite `{name}`: the suites are {}",
                        names.join(", ")
                    )
                })?;
            vec![suite]
        }
        None if dir.is_some() => {
            return Err("--dir needs --suite NAME to say which case format the folder holds".into())
        }
        None => all,
    };
    let mut report = Report::default();
    for suite in selected {
        let folder = dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.join(suite.folder));
        if !folder.is_dir() {
            return Err(format!(
                "suite {}: folder {} does not exist",
                suite.name,
                folder.display()
            ));
        }
        let outcomes = suite
            .run(&folder)
            .map_err(|e| format!("suite {}: {e}", suite.name))?;
        if outcomes.is_empty() {
            return Err(format!(
                "suite {}: no cases found in {}",
                suite.name,
                folder.display()
            ));
        }
        report
            .suites
            .push((suite.name.to_string(), folder, outcomes));
    }
    Ok(report)
}

/// `cargo xtask conformance [--suite NAME] [--dir PATH] [--json FILE]`.
pub fn command(args: &[String]) -> Result<(), String> {
    let mut suite = None;
    let mut dir = None;
    let mut json = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--suite" => suite = Some(value_of(&mut iter, "--suite")?),
            "--dir" => dir = Some(PathBuf::from(value_of(&mut iter, "--dir")?)),
            "--json" => json = Some(PathBuf::from(value_of(&mut iter, "--json")?)),
            "--list" => {
                for s in suites() {
                    println!("{:<12} {}", s.name, s.description);
                }
                return Ok(());
            }
            other => {
                return Err(format!(
                    "unknown option `{other}`: usage: cargo xtask conformance [--suite NAME] [--dir PATH] [--json FILE] [--list]"
                ))
            }
        }
    }
    let report = run(suite.as_deref(), dir.as_deref(), &default_root())?;
    print!("{}", report.render());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report.to_json()).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("report written to {}", path.display());
    }
    let (_, failed, _) = report.totals();
    if failed > 0 {
        Err(format!("{failed} conformance case(s) failed"))
    } else {
        Ok(())
    }
}
