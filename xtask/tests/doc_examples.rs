//! Every runnable example in the crates' docs checks what it shows (issue 13: "doctests that
//! are `# let _ = x;` only" assert nothing and cannot fail).
//!
//! Scans the `///` and `//!` comments of `crates/*/src` for fenced Rust examples and fails on
//! any that runs (`rust`, untagged, `should_panic` excepted) without an `assert`. A `no_run`
//! example, the form for a whole application that needs the network or a real machine's
//! environment, is not run and so not held to it.

use std::fs;
use std::path::{Path, PathBuf};

/// An example found in a doc comment: where it starts, its fence tag and its lines.
struct Example {
    file: PathBuf,
    line: usize,
    tag: String,
    code: Vec<String>,
}

impl Example {
    /// Whether rustdoc runs it: untagged or tagged `rust` (with `edition…` or `should_panic`
    /// beside it); `no_run`, `ignore`, `compile_fail`, `text` and other languages are not.
    fn runs(&self) -> bool {
        self.tag.split(',').map(str::trim).all(|word| {
            word.is_empty()
                || word == "rust"
                || word.starts_with("edition")
                || word == "should_panic"
        })
    }

    fn checks_something(&self) -> bool {
        self.tag.contains("should_panic") || self.code.iter().any(|line| line.contains("assert"))
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The fenced examples of `text`'s doc comments (`///` and `//!`, a fence opened and closed
/// in consecutive doc lines).
fn examples(file: &Path, text: &str) -> Vec<Example> {
    let mut found = Vec::new();
    let mut open: Option<Example> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(doc) = trimmed
            .strip_prefix("///")
            .or_else(|| trimmed.strip_prefix("//!"))
        else {
            // A fence left open by a doc comment that ended is not an example.
            open = None;
            continue;
        };
        let doc = doc.strip_prefix(' ').unwrap_or(doc);
        if let Some(tag) = doc.trim_start().strip_prefix("```") {
            match open.take() {
                Some(example) => found.push(example),
                None => {
                    open = Some(Example {
                        file: file.to_owned(),
                        line: index + 1,
                        tag: tag.trim().to_owned(),
                        code: Vec::new(),
                    })
                }
            }
        } else if let Some(example) = open.as_mut() {
            example.code.push(doc.to_owned());
        }
    }
    found
}

#[test]
fn the_scanner_finds_examples_and_their_checks() {
    let text = "/// Doc.\n///\n/// ```\n/// let x = 1;\n/// assert_eq!(x, 1);\n/// ```\n\
                //! ```no_run\n//! serve();\n//! ```\n/// ```\n/// # let _ = y;\n/// ```\n\
                /// ```text\n/// not rust\n/// ```\n";
    let found = examples(Path::new("x.rs"), text);
    assert_eq!(found.len(), 4);
    assert!(found[0].runs() && found[0].checks_something());
    assert!(!found[1].runs());
    assert_eq!(found[2].line, 10);
    assert!(found[2].runs() && !found[2].checks_something());
    assert!(!found[3].runs());
}

#[test]
fn every_runnable_doc_example_asserts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("crates");
    let mut files = Vec::new();
    for crate_dir in fs::read_dir(&root).expect("crates/").flatten() {
        rust_files(&crate_dir.path().join("src"), &mut files);
    }
    files.sort();
    let mut runnable = 0;
    let mut unchecked = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("a source file");
        for example in examples(file, &text) {
            if !example.runs() {
                continue;
            }
            runnable += 1;
            if !example.checks_something() {
                let shown = example.file.strip_prefix(&root).unwrap_or(&example.file);
                unchecked.push(format!("crates/{}:{}", shown.display(), example.line));
            }
        }
    }
    assert!(
        runnable > 500,
        "only {runnable} runnable examples found: is the scan broken?"
    );
    assert!(
        unchecked.is_empty(),
        "{} runnable doc examples assert nothing (add an assert on what they show, or mark a \
         whole-application example no_run):\n{}",
        unchecked.len(),
        unchecked.join("\n")
    );
}
