//! `cargo xtask modules [--report] [--root FILE]`: the module-cycle check.
//!
//! For every crate of the workspace (each `crates/*/src/{lib,main}.rs` and xtask's), it reads
//! the module tree from the `mod` declarations, resolves every `use` entry and every
//! `crate::`/`super::`/`self::` path to the module that defines what it names (following
//! re-exports), and looks for modules that import one another back, directly or through a
//! longer chain. Each cycle is printed with the import that makes every step. It fails when it
//! finds one, unless `--report` is given; `--root FILE` checks the one crate whose root file
//! (`lib.rs`, `main.rs`) that is.
//!
//! What counts as an import: `use` declarations and paths in code. Method calls on a type
//! defined elsewhere are not imports (an `impl` block in a child module for a type of its
//! parent is how a folder module spreads one type's code over files).

mod cycles;
mod lex;
mod tree;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use cycles::Cycle;
use tree::Tree;

/// The command behind `cargo xtask modules`.
///
/// ```no_run
/// xtask::modules::command(&["--report".to_string()]).unwrap();
/// ```
pub fn command(args: &[String]) -> Result<(), String> {
    let mut report_only = false;
    let mut only: Option<PathBuf> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--report" => report_only = true,
            "--root" => match args.next() {
                Some(file) => only = Some(PathBuf::from(file)),
                None => {
                    return Err("modules: --root needs a file (a crate's lib.rs or main.rs)".into())
                }
            },
            other => {
                return Err(format!(
                    "modules: unknown option `{other}` (allowed: --report, --root FILE)"
                ))
            }
        }
    }
    let root = crate::workspace::root();
    let roots = match only {
        Some(file) => vec![("crate".to_string(), file)],
        None => crate_roots(&root)?,
    };
    let mut total = 0;
    for (name, file) in roots {
        let cycles = crate_cycles(&file)?;
        let shown = file.strip_prefix(&root).unwrap_or(&file).display();
        if cycles.is_empty() {
            println!("{name} ({shown}): no module cycle");
            continue;
        }
        println!("{name} ({shown}): {} module cycle(s)", cycles.len());
        for cycle in &cycles {
            print!("{}", cycle.describe(&root));
        }
        total += cycles.len();
    }
    match total {
        0 => Ok(()),
        n if report_only => {
            println!("{n} module cycle(s) (reported only: --report)");
            Ok(())
        }
        n => Err(format!(
            "{n} module cycle(s): move the item both sides need to the module lower in the stack"
        )),
    }
}

/// The module cycles of the crate whose root file is `root` (`src/lib.rs` or `src/main.rs`).
///
/// ```no_run
/// let cycles = xtask::modules::crate_cycles(std::path::Path::new("crates/oss-cli/src/main.rs"))?;
/// assert!(cycles.is_empty());
/// # Ok::<(), String>(())
/// ```
pub fn crate_cycles(root: &Path) -> Result<Vec<Cycle>, String> {
    let tree = Tree::read(root)?;
    Ok(cycles::find(&tree))
}

/// `(crate name, root file)` for every library and binary root of the workspace's crates.
fn crate_roots(workspace: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace.join("crates"))
        .map_err(|e| format!("cannot list crates/: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs.push(workspace.join("xtask"));
    let mut roots = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (kind, file) in [("lib", "src/lib.rs"), ("bin", "src/main.rs")] {
            let path = dir.join(file);
            if path.is_file() {
                roots.push((format!("{name} {kind}"), path));
            }
        }
    }
    Ok(roots)
}

impl Cycle {
    /// The cycle, one step a line with the import that makes it.
    fn describe(&self, root: &Path) -> String {
        let mut out = String::new();
        let names: Vec<&str> = self.steps.iter().map(|s| s.from.as_str()).collect();
        let first = names.first().copied().unwrap_or("");
        let _ = writeln!(out, "  cycle: {} -> {first}", names.join(" -> "));
        for step in &self.steps {
            let file = step.file.strip_prefix(root).unwrap_or(&step.file);
            let _ = writeln!(
                out,
                "    {} -> {}: {}:{} names {}",
                step.from,
                step.to,
                file.display(),
                step.line,
                step.named
            );
        }
        out
    }
}
