//! The workflow source the code pane shows: files by the path source locations name
//! (relative to the worker crate, e.g. `src/workflow.rs`), read from a crate directory.

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    files: BTreeMap<String, Vec<String>>,
    /// The file to show when no event points anywhere yet.
    pub main: Option<String>,
}

impl Sources {
    pub fn add(&mut self, path: impl Into<String>, text: &str) {
        let path = path.into();
        if self.main.is_none() {
            self.main = Some(path.clone());
        }
        self.files.insert(path, text.lines().map(|l| l.replace('\t', "    ")).collect());
    }

    /// Reads `dir/src/workflow.rs` (the main file) and every other `.rs` file under
    /// `dir/src`, keyed as `src/<name>`.
    pub fn from_crate_dir(dir: &Path) -> Sources {
        let mut sources = Sources::default();
        let src = dir.join("src");
        let workflow = src.join("workflow.rs");
        if let Ok(text) = std::fs::read_to_string(&workflow) {
            sources.add("src/workflow.rs", &text);
        }
        let mut stack = vec![src.clone()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let key = format!("src/{}", path.strip_prefix(&src).unwrap_or(&path).display());
                    if !sources.files.contains_key(&key)
                        && let Ok(text) = std::fs::read_to_string(&path)
                    {
                        sources.add(key, &text);
                    }
                }
            }
        }
        sources
    }

    /// The lines of a file a location names; a location recorded with another prefix
    /// (an absolute path, `exercises/x/src/workflow.rs`) matches by its tail.
    pub fn file(&self, path: &str) -> Option<(&str, &[String])> {
        if let Some((k, v)) = self.files.get_key_value(path) {
            return Some((k, v));
        }
        self.files.iter().find(|(k, _)| path.ends_with(&format!("/{k}"))).map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn main_file(&self) -> Option<(&str, &[String])> {
        self.file(self.main.as_deref()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_match_by_path_tail() {
        let mut s = Sources::default();
        s.add("src/workflow.rs", "fn a() {}\n\tlet x = 1;\n");
        assert_eq!(s.file("src/workflow.rs").unwrap().1.len(), 2);
        assert_eq!(s.file("/home/me/exercises/durable-execution/src/workflow.rs").unwrap().1[1], "    let x = 1;");
        assert!(s.file("src/other.rs").is_none());
        assert_eq!(s.main_file().unwrap().0, "src/workflow.rs");
    }
}
