//! The learner's progress: `.workshop-state.toml` at the repository root (git-ignored).
//!
//! It records which exercises passed their check and which one is current. Names that
//! are no longer in the catalog are ignored; a missing or unreadable file means a fresh
//! start, so deleting it is a safe way to start over.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;

pub const STATE_FILE: &str = ".workshop-state.toml";

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Progress {
    /// The exercise `check`, `hint` and `watch` act on when no name is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// Exercises whose last check passed.
    #[serde(default)]
    pub done: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    Pending,
}

impl Progress {
    /// The state file: `$WORKSHOP_STATE_FILE` if set (tests use it to leave the
    /// learner's file alone), else `.workshop-state.toml` at the root.
    pub fn path(root: &Path) -> PathBuf {
        match std::env::var_os("WORKSHOP_STATE_FILE") {
            Some(path) => PathBuf::from(path),
            None => root.join(STATE_FILE),
        }
    }

    pub fn load(root: &Path) -> Progress {
        std::fs::read_to_string(Self::path(root))
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let text = format!(
            "# Your progress through the workshop, written by `workshop`. Delete it to start over.\n{}",
            toml::to_string(self)?
        );
        let path = Self::path(root);
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }

    pub fn status(&self, name: &str) -> Status {
        if self.done.contains(name) { Status::Done } else { Status::Pending }
    }

    /// The current exercise: the recorded one if it still exists, else the first pending
    /// one, else the first.
    pub fn current<'c>(&self, catalog: &'c Catalog) -> Option<&'c crate::catalog::Exercise> {
        if let Some(name) = &self.current
            && let Ok(ex) = catalog.get(name)
        {
            return Some(ex);
        }
        catalog.exercises.iter().find(|e| !self.done.contains(&e.name)).or(catalog.exercises.first())
    }

    /// Records a check result. A pass moves `current` to the next pending exercise.
    pub fn record(&mut self, catalog: &Catalog, name: &str, passed: bool) {
        if passed {
            self.done.insert(name.to_string());
            let next = catalog
                .exercises
                .iter()
                .skip_while(|e| e.name != name)
                .skip(1)
                .chain(catalog.exercises.iter())
                .find(|e| !self.done.contains(&e.name));
            self.current = Some(next.map(|e| e.name.clone()).unwrap_or_else(|| name.to_string()));
        } else {
            self.done.remove(name);
            self.current = Some(name.to_string());
        }
    }

    /// Number of catalog exercises done.
    pub fn done_count(&self, catalog: &Catalog) -> usize {
        catalog.exercises.iter().filter(|e| self.done.contains(&e.name)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(names: &[&str]) -> (tempfile::TempDir, Catalog) {
        let tmp = tempfile::tempdir().unwrap();
        for (i, name) in names.iter().enumerate() {
            let dir = tmp.path().join("exercises").join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("exercise.toml"),
                format!("title = \"{name}\"\norder = {i}\nchapter = \"c\"\nhints = [\"h\"]\n"),
            )
            .unwrap();
        }
        let catalog = Catalog::load(tmp.path()).unwrap();
        (tmp, catalog)
    }

    #[test]
    fn pass_moves_on_and_failure_stays() {
        let (tmp, catalog) = catalog(&["a", "b", "c"]);
        let mut p = Progress::load(tmp.path());
        assert_eq!(p.current(&catalog).unwrap().name, "a");
        p.record(&catalog, "b", true);
        assert_eq!(p.current.as_deref(), Some("c"));
        p.record(&catalog, "c", true);
        assert_eq!(p.current.as_deref(), Some("a"), "wraps to the first pending");
        p.record(&catalog, "a", true);
        assert_eq!(p.done_count(&catalog), 3);
        p.record(&catalog, "b", false);
        assert_eq!(p.status("b"), Status::Pending);
        assert_eq!(p.current.as_deref(), Some("b"));
        p.save(tmp.path()).unwrap();
        assert_eq!(Progress::load(tmp.path()), p);
    }

    #[test]
    fn unreadable_file_is_a_fresh_start_and_unknown_names_are_ignored() {
        let (tmp, catalog) = catalog(&["a"]);
        std::fs::write(Progress::path(tmp.path()), "not = [toml").unwrap();
        assert_eq!(Progress::load(tmp.path()), Progress::default());
        std::fs::write(Progress::path(tmp.path()), "current = \"gone\"\ndone = [\"gone\"]\n").unwrap();
        let p = Progress::load(tmp.path());
        assert_eq!(p.current(&catalog).unwrap().name, "a");
        assert_eq!(p.done_count(&catalog), 0);
    }
}
