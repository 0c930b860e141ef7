//! One crate's module tree as the compiler would find it (`mod name;` in `name.rs` or
//! `name/mod.rs`, inline `mod name { ... }`), with what each module defines, the names its
//! `use` declarations bring in, and every `crate::`/`super::`/`self::` path it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::lex::{tokenize, Token};

/// A path a module names: a `use` entry, or a path in its code.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub(crate) segments: Vec<String>,
    pub(crate) line: usize,
}

/// One module.
#[derive(Debug, Default)]
pub(crate) struct Module {
    /// `crate::a::b`.
    pub(crate) path: String,
    /// The file that holds it (an inline module: its parent's file).
    pub(crate) file: PathBuf,
    pub(crate) parent: Option<usize>,
    pub(crate) children: BTreeMap<String, usize>,
    /// Items defined at its top level (functions, types, traits, constants, statics).
    pub(crate) items: BTreeSet<String>,
    /// The names its `use` declarations bind, each to the path as written.
    pub(crate) bindings: BTreeMap<String, Vec<String>>,
    /// The paths of its glob imports (`use a::b::*`).
    pub(crate) globs: Vec<Vec<String>>,
    pub(crate) references: Vec<Reference>,
    /// Where the files of `mod name;` declarations are looked for.
    child_dir: PathBuf,
}

/// The modules of one crate; module 0 is the crate root.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub(crate) modules: Vec<Module>,
    /// `mod name;` declarations whose file was not found (left out).
    pub(crate) missing: Vec<String>,
}

impl Tree {
    /// Reads the crate whose root file is `root` (`src/lib.rs`, `src/main.rs`).
    pub(crate) fn read(root: &Path) -> Result<Self, String> {
        let source = std::fs::read_to_string(root)
            .map_err(|e| format!("cannot read {}: {e}", root.display()))?;
        let mut tree = Tree::default();
        tree.modules.push(Module {
            path: "crate".to_string(),
            file: root.to_path_buf(),
            child_dir: root.parent().unwrap_or(Path::new(".")).to_path_buf(),
            ..Module::default()
        });
        let tokens = tokenize(&source);
        tree.read_module(0, &tokens)?;
        Ok(tree)
    }

    fn add_child(&mut self, parent: usize, name: &str, file: PathBuf, child_dir: PathBuf) -> usize {
        let id = self.modules.len();
        let path = format!("{}::{name}", self.modules[parent].path);
        self.modules.push(Module {
            path,
            file,
            parent: Some(parent),
            child_dir,
            ..Module::default()
        });
        self.modules[parent].children.insert(name.to_string(), id);
        id
    }

    fn read_module(&mut self, id: usize, tokens: &[Token]) -> Result<(), String> {
        let mut depth = 0usize;
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            let next = tokens.get(i + 1);
            let after = tokens.get(i + 2);
            match token.text.as_str() {
                "{" => depth += 1,
                "}" => depth = depth.saturating_sub(1),
                "mod" if depth == 0 && next.is_some_and(Token::is_ident) => {
                    let name = next.map(|t| t.text.clone()).unwrap_or_default();
                    let dir = self.modules[id].child_dir.join(&name);
                    if after.is_some_and(|t| t.is("{")) {
                        let end = matching_brace(tokens, i + 2);
                        let file = self.modules[id].file.clone();
                        let child = self.add_child(id, &name, file, dir);
                        self.read_module(child, &tokens[i + 3..end])?;
                        i = end + 1;
                        continue;
                    }
                    if after.is_some_and(|t| t.is(";")) {
                        let base = &self.modules[id].child_dir;
                        let flat = base.join(format!("{name}.rs"));
                        let folder = base.join(&name).join("mod.rs");
                        let file = if flat.is_file() { flat } else { folder };
                        match std::fs::read_to_string(&file) {
                            Ok(source) => {
                                let child_dir = if file.ends_with("mod.rs") {
                                    file.parent().unwrap_or(Path::new(".")).to_path_buf()
                                } else {
                                    dir
                                };
                                let child = self.add_child(id, &name, file, child_dir);
                                self.read_module(child, &tokenize(&source))?;
                            }
                            Err(_) => self
                                .missing
                                .push(format!("{}::{name}", self.modules[id].path)),
                        }
                        i += 3;
                        continue;
                    }
                }
                "use" => {
                    let end = (i..tokens.len())
                        .find(|&k| tokens[k].is(";"))
                        .unwrap_or(tokens.len());
                    let mut entries = Vec::new();
                    let mut pos = i + 1;
                    parse_use_tree(&tokens[..end], &mut pos, Vec::new(), &mut entries);
                    let module = &mut self.modules[id];
                    for entry in entries {
                        module.references.push(Reference {
                            segments: entry.segments.clone(),
                            line: token.line,
                        });
                        match entry.binding {
                            Binding::Glob => module.globs.push(entry.segments),
                            Binding::Name(name) if name != "_" => {
                                module.bindings.insert(name, entry.segments);
                            }
                            Binding::Name(_) => {}
                        }
                    }
                    i = end + 1;
                    continue;
                }
                "fn" | "struct" | "enum" | "trait" | "type" | "union" | "static" | "const"
                    if depth == 0 =>
                {
                    let name = match next {
                        Some(t) if t.is("mut") => after,
                        other => other,
                    };
                    if let Some(name) = name.filter(|t| t.is_ident() && !t.is("fn") && !t.is("_")) {
                        self.modules[id].items.insert(name.text.clone());
                    }
                }
                // A path in code: `crate::`, `super::`, `self::` or a child module's name
                // (other first segments are external crates, types, ...; resolving drops them).
                _ if token.is_ident()
                    && next.is_some_and(|t| t.is("::"))
                    && after.is_some_and(Token::is_ident)
                    && !(i > 0 && tokens[i - 1].is("::")) =>
                {
                    let mut segments = vec![token.text.clone()];
                    let mut k = i + 1;
                    while tokens.get(k).is_some_and(|t| t.is("::"))
                        && tokens.get(k + 1).is_some_and(Token::is_ident)
                    {
                        segments.push(tokens[k + 1].text.clone());
                        k += 2;
                    }
                    self.modules[id].references.push(Reference {
                        segments,
                        line: token.line,
                    });
                    i = k;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }
}

/// The index of the `}` closing the `{` at `open`.
fn matching_brace(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        if token.is("{") {
            depth += 1;
        } else if token.is("}") {
            depth -= 1;
            if depth == 0 {
                return k;
            }
        }
    }
    tokens.len()
}

#[derive(Debug, PartialEq, Eq)]
enum Binding {
    Name(String),
    Glob,
}

#[derive(Debug, PartialEq, Eq)]
struct UseEntry {
    segments: Vec<String>,
    binding: Binding,
}

/// Reads one use tree (`a::b::{c, d as e, f::*, self}`) from `tokens[*pos..]`.
fn parse_use_tree(tokens: &[Token], pos: &mut usize, prefix: Vec<String>, out: &mut Vec<UseEntry>) {
    let mut segments = prefix;
    while let Some(token) = tokens.get(*pos) {
        if token.is("::") {
            *pos += 1;
        } else if token.is("{") {
            *pos += 1;
            while let Some(inner) = tokens.get(*pos) {
                if inner.is("}") {
                    *pos += 1;
                    break;
                }
                if inner.is(",") {
                    *pos += 1;
                    continue;
                }
                let before = *pos;
                parse_use_tree(tokens, pos, segments.clone(), out);
                if *pos == before {
                    *pos += 1;
                }
            }
            return;
        } else if token.is("*") {
            *pos += 1;
            out.push(UseEntry {
                segments,
                binding: Binding::Glob,
            });
            return;
        } else if token.is_ident() {
            segments.push(token.text.clone());
            *pos += 1;
            if tokens.get(*pos).is_some_and(|t| t.is("::")) {
                continue;
            }
            if segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
                segments.pop();
            }
            let mut name = segments.last().cloned().unwrap_or_default();
            if tokens.get(*pos).is_some_and(|t| t.is("as")) {
                if let Some(alias) = tokens.get(*pos + 1) {
                    name = alias.text.clone();
                }
                *pos += 2;
            }
            out.push(UseEntry {
                segments,
                binding: Binding::Name(name),
            });
            return;
        } else {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(source: &str) -> Vec<(String, String)> {
        let tokens = tokenize(source);
        let mut out = Vec::new();
        let mut pos = 1;
        let end = tokens.iter().position(|t| t.is(";")).unwrap();
        parse_use_tree(&tokens[..end], &mut pos, Vec::new(), &mut out);
        out.into_iter()
            .map(|e| {
                let binding = match e.binding {
                    Binding::Name(n) => n,
                    Binding::Glob => "*".to_string(),
                };
                (e.segments.join("::"), binding)
            })
            .collect()
    }

    #[test]
    fn use_trees_are_flattened() {
        assert_eq!(
            entries("use crate::a::{self, b::{c as d, *}, e};"),
            [
                ("crate::a".to_string(), "a".to_string()),
                ("crate::a::b::c".to_string(), "d".to_string()),
                ("crate::a::b".to_string(), "*".to_string()),
                ("crate::a::e".to_string(), "e".to_string()),
            ]
        );
        assert_eq!(
            entries("use ::std::io;"),
            [("std::io".to_string(), "io".to_string())]
        );
    }
}
