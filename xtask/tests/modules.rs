//! The module-cycle check (`cargo xtask modules`) on small crates written for each case, and on
//! the workspace's own crates that must stay free of cycles.

use std::path::{Path, PathBuf};

use xtask::modules::{crate_cycles, Cycle};

/// Writes `files` (path, source) under a temporary folder and returns it with its `src/lib.rs`.
fn fixture(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, source) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(&path, source).expect("write fixture");
    }
    let root = dir.path().join("src/lib.rs");
    (dir, root)
}

/// Each cycle as its modules in walking order, `a -> b -> a`.
fn walks(cycles: &[Cycle]) -> Vec<String> {
    cycles
        .iter()
        .map(|cycle| {
            let mut names: Vec<&str> = cycle.steps.iter().map(|s| s.from.as_str()).collect();
            names.push(cycle.steps[0].from.as_str());
            names.join(" -> ")
        })
        .collect()
}

fn cycles_of(files: &[(&str, &str)]) -> Vec<Cycle> {
    let (_dir, root) = fixture(files);
    crate_cycles(&root).expect("reads the fixture")
}

#[test]
fn two_siblings_importing_each_other_are_a_cycle_with_the_lines_that_make_it() {
    let cycles = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "use crate::b::Key;\npub(crate) const PAYLOAD: &str = \"x\";\n",
        ),
        (
            "src/b.rs",
            "\n\nuse crate::a::{self, PAYLOAD};\npub(crate) struct Key;\n",
        ),
    ]);
    assert_eq!(walks(&cycles), ["crate::a -> crate::b -> crate::a"]);
    let steps = &cycles[0].steps;
    assert_eq!(
        (steps[0].line, steps[0].named.as_str()),
        (1, "crate::b::Key")
    );
    assert!(steps[0].file.ends_with("src/a.rs"), "{:?}", steps[0].file);
    assert_eq!((steps[1].line, steps[1].named.as_str()), (3, "crate::a"));
}

#[test]
fn a_longer_cycle_through_paths_in_code_is_found() {
    let cycles = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
        ("src/a.rs", "pub fn f() { crate::b::g() }\n"),
        ("src/b.rs", "pub fn g() { super::c::h() }\n"),
        (
            "src/c.rs",
            "pub fn h() { let _ = crate::a::f; crate::d::leaf() }\n",
        ),
        ("src/d.rs", "pub fn leaf() {}\n"),
    ]);
    assert_eq!(
        walks(&cycles),
        ["crate::a -> crate::b -> crate::c -> crate::a"]
    );
}

#[test]
fn re_exports_are_followed_to_the_module_that_defines_the_item() {
    // a and b both name `crate::Shared`, which the root re-exports from c: they depend on c,
    // not on the root, and the root's re-export of b's item is no cycle either.
    let cycles = cycles_of(&[
        (
            "src/lib.rs",
            "mod a;\nmod b;\nmod c;\npub use c::Shared;\npub use b::*;\n",
        ),
        (
            "src/a.rs",
            "use crate::Shared;\npub fn f(_: Shared) { crate::g() }\n",
        ),
        (
            "src/b.rs",
            "use crate::{a, Shared};\npub fn g() { a::f(Shared) }\n",
        ),
        ("src/c.rs", "pub struct Shared;\n"),
    ]);
    // a names crate::g, which the root has from b through its glob: a -> b -> a.
    assert_eq!(walks(&cycles), ["crate::a -> crate::b -> crate::a"]);

    let cycles = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\nmod c;\npub use c::Shared;\n"),
        ("src/a.rs", "use crate::Shared;\npub fn f(_: Shared) {}\n"),
        (
            "src/b.rs",
            "use crate::{a, Shared};\npub fn g() { a::f(Shared) }\n",
        ),
        ("src/c.rs", "pub struct Shared;\n"),
    ]);
    assert!(cycles.is_empty(), "{:?}", walks(&cycles));
}

#[test]
fn a_folder_module_that_calls_a_child_using_its_helpers_is_a_cycle_until_they_move() {
    let cycles = cycles_of(&[
        ("src/lib.rs", "mod run;\n"),
        (
            "src/run/mod.rs",
            "mod child;\npub(crate) fn helper() {}\npub fn go() { child::work() }\n",
        ),
        (
            "src/run/child.rs",
            "use super::helper;\npub fn work() { helper() }\n",
        ),
    ]);
    assert_eq!(
        walks(&cycles),
        ["crate::run -> crate::run::child -> crate::run"]
    );

    let cycles = cycles_of(&[
        ("src/lib.rs", "mod run;\n"),
        (
            "src/run/mod.rs",
            "mod child;\nmod helpers;\npub fn go() { child::work() }\n",
        ),
        ("src/run/helpers.rs", "pub(crate) fn helper() {}\n"),
        (
            "src/run/child.rs",
            "use super::helpers::helper;\npub fn work() { helper() }\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
    ]);
    assert!(cycles.is_empty(), "{:?}", walks(&cycles));
}

#[test]
fn comments_strings_and_inline_modules_are_read_as_the_compiler_reads_them() {
    let cycles = cycles_of(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        (
            "src/a.rs",
            "//! See [`crate::b::Key`].\n/// use crate::b::Key;\npub fn f() -> &'static str { \"crate::b::Key\" }\npub mod inner { pub fn g() { super::super::b::k() } }\n",
        ),
        ("src/b.rs", "pub fn k() {}\npub fn h() { crate::a::f(); }\n"),
    ]);
    // b names a; a names b only in a doc comment and a string (not imports), and its inline
    // module a::inner is a module of its own: no cycle.
    assert!(cycles.is_empty(), "{:?}", walks(&cycles));
}

#[test]
fn every_workspace_crate_has_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    for file in [
        "crates/oss-cli/src/main.rs",
        "crates/oss-cli/src/lib.rs",
        "crates/oss-sign-core/src/lib.rs",
        "crates/oss-transfer/src/lib.rs",
        "crates/oss-client/src/lib.rs",
        "crates/oss-credentials/src/lib.rs",
        "crates/oss-testserver/src/lib.rs",
        "xtask/src/lib.rs",
        "xtask/src/main.rs",
    ] {
        let cycles = crate_cycles(&root.join(file)).expect("reads the crate");
        assert!(cycles.is_empty(), "{file}: {:?}", walks(&cycles));
    }
}
