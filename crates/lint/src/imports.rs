//! Names brought into scope by `use` (and the file's own definitions), so a path is judged
//! by what it stands for: `use std::time::Instant as I; I::now()` is `std::time::Instant::now`.

use std::collections::{HashMap, HashSet};

use syn::{Item, Stmt, UseTree};

/// Crates and types that code often names without a visible `use` (a glob import, a
/// prelude, or a snippet): `SystemTime::now` most likely is `std::time::SystemTime::now`.
const IMPLICIT_ROOTS: &[(&str, &[&str])] = &[
    ("SystemTime", &["std", "time"]),
    ("Instant", &["std", "time"]),
    ("Utc", &["chrono"]),
    ("Local", &["chrono"]),
    ("File", &["std", "fs"]),
    ("OpenOptions", &["std", "fs"]),
    ("TcpStream", &["std", "net"]),
    ("TcpListener", &["std", "net"]),
    ("UdpSocket", &["std", "net"]),
    ("thread", &["std"]),
    ("thread_rng", &["rand"]),
    ("HashMap", &["std", "collections"]),
    ("HashSet", &["std", "collections"]),
];

#[derive(Default)]
struct Scope {
    /// `use a::b::C as D` maps `D` to `[a, b, C]`.
    names: HashMap<String, Vec<String>>,
    /// `use a::b::*` adds `[a, b]`.
    globs: Vec<Vec<String>>,
    /// Items defined here (`struct File`), which shadow the implicit roots.
    defined: HashSet<String>,
}

/// A stack of scopes: the file, inline modules, blocks.
#[derive(Default)]
pub struct Imports {
    scopes: Vec<Scope>,
}

impl Imports {
    pub fn push_items<'a>(&mut self, items: impl IntoIterator<Item = &'a Item>) {
        let mut scope = Scope::default();
        for item in items {
            match item {
                Item::Use(item) => collect(&item.tree, &mut Vec::new(), &mut scope),
                Item::Struct(item) => {
                    scope.defined.insert(item.ident.to_string());
                }
                Item::Enum(item) => {
                    scope.defined.insert(item.ident.to_string());
                }
                Item::Type(item) => {
                    scope.defined.insert(item.ident.to_string());
                }
                Item::Mod(item) => {
                    scope.defined.insert(item.ident.to_string());
                }
                Item::Fn(item) => {
                    scope.defined.insert(item.sig.ident.to_string());
                }
                _ => {}
            }
        }
        self.scopes.push(scope);
    }

    pub fn push_stmts(&mut self, stmts: &[Stmt]) {
        self.push_items(stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Item(item) => Some(item),
            _ => None,
        }))
    }

    pub fn pop(&mut self) {
        self.scopes.pop();
    }

    /// The paths `segments` may stand for, most likely first. A path through an imported
    /// name has exactly one; otherwise the path as written, then through each glob
    /// import, then through an implicit root.
    pub fn candidates(&self, segments: &[String]) -> Vec<Vec<String>> {
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        for scope in self.scopes.iter().rev() {
            if let Some(full) = scope.names.get(first) {
                let mut path = full.clone();
                path.extend_from_slice(&segments[1..]);
                return vec![path];
            }
            if scope.defined.contains(first) {
                return vec![segments.to_vec()];
            }
        }
        let mut out = vec![segments.to_vec()];
        for scope in self.scopes.iter().rev() {
            for glob in &scope.globs {
                let mut path = glob.clone();
                path.extend_from_slice(segments);
                out.push(path);
            }
        }
        if let Some((_, root)) = IMPLICIT_ROOTS.iter().find(|(name, _)| name == first) {
            let mut path: Vec<String> = root.iter().map(|s| s.to_string()).collect();
            path.extend_from_slice(segments);
            out.push(path);
        }
        out
    }

    /// The most likely full path (through an imported name when there is one).
    pub fn resolve(&self, segments: &[String]) -> Vec<String> {
        self.candidates(segments)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// Whether the first segment is a name imported by `use` (not a local variable).
    pub fn is_imported(&self, name: &str) -> bool {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| {
                if scope.names.contains_key(name) {
                    Some(true)
                } else if scope.defined.contains(name) {
                    Some(false)
                } else {
                    None
                }
            })
            .unwrap_or(false)
    }

    /// The paths a lone name may stand for through glob imports (`use std::thread::*;
    /// sleep(d)`); none when the name is defined here.
    pub fn glob_candidates(&self, segments: &[String]) -> Vec<Vec<String>> {
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for scope in self.scopes.iter().rev() {
            if scope.defined.contains(first) {
                break;
            }
            for glob in &scope.globs {
                let mut path = glob.clone();
                path.extend_from_slice(segments);
                out.push(path);
            }
        }
        out
    }
}

fn collect(tree: &UseTree, prefix: &mut Vec<String>, scope: &mut Scope) {
    match tree {
        UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            collect(&path.tree, prefix, scope);
            prefix.pop();
        }
        UseTree::Name(name) => {
            let ident = name.ident.to_string();
            if ident == "self" {
                if let Some(last) = prefix.last() {
                    scope.names.insert(last.clone(), prefix.clone());
                }
            } else {
                let mut full = prefix.clone();
                full.push(ident.clone());
                scope.names.insert(ident, full);
            }
        }
        UseTree::Rename(rename) => {
            let alias = rename.rename.to_string();
            if alias == "_" {
                return;
            }
            let mut full = prefix.clone();
            if rename.ident != "self" {
                full.push(rename.ident.to_string());
            }
            scope.names.insert(alias, full);
        }
        UseTree::Glob(_) => scope.globs.push(prefix.clone()),
        UseTree::Group(group) => {
            for tree in &group.items {
                collect(tree, prefix, scope);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Imports {
        let file = syn::parse_file(src).unwrap();
        let mut imports = Imports::default();
        imports.push_items(&file.items);
        imports
    }

    fn segs(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn renames_groups_and_self_resolve_to_full_paths() {
        let imports = imports(
            "use std::{thread::{self}, time::{Instant as I, SystemTime}}; use rand::prelude::*;",
        );
        assert_eq!(
            imports.resolve(&segs("I::now")),
            segs("std::time::Instant::now")
        );
        assert_eq!(
            imports.resolve(&segs("SystemTime::now")),
            segs("std::time::SystemTime::now")
        );
        assert_eq!(
            imports.resolve(&segs("thread::sleep")),
            segs("std::thread::sleep")
        );
        assert!(
            imports
                .candidates(&segs("thread_rng"))
                .contains(&segs("rand::prelude::thread_rng"))
        );
    }

    #[test]
    fn local_definitions_shadow_implicit_roots() {
        let imports = imports("struct File;");
        assert_eq!(
            imports.candidates(&segs("File::open")),
            vec![segs("File::open")]
        );
        let imports = self::imports("");
        assert!(
            imports
                .candidates(&segs("File::open"))
                .contains(&segs("std::fs::File::open"))
        );
    }
}
