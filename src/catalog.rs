//! The exercise catalog: one `exercises/<name>/exercise.toml` per exercise.
//!
//! The metadata file holds what the runner cannot derive from the layout: title, order,
//! course chapter, hints and how to check. Everything else follows from the name
//! `<name>`: the practice crate `exercises/<name>` (package `<name>`, worker binary
//! `<name>-worker`), the solution crate `solutions/<name>` (package `<name>-solution`,
//! binary `<name>-solution-worker`), and the check, which is the crate's test file
//! `tests/check.rs` (identical in both crates).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The name of the metadata file in each exercise directory.
pub const METADATA_FILE: &str = "exercise.toml";
/// The check test file, relative to an exercise or solution crate.
pub const CHECK_FILE: &str = "tests/check.rs";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    title: String,
    order: u32,
    /// The course chapter the exercise belongs to, for the course map.
    chapter: String,
    hints: Vec<String>,
    #[serde(default)]
    check: CheckSpec,
}

/// How an exercise is checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// A check that runs longer is stopped and reported as failed.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Text the failing check of an untouched exercise must print (`workshop dev check`).
    #[serde(default)]
    pub unsolved_message: Option<String>,
}

fn default_timeout() -> u64 {
    600
}

impl Default for CheckSpec {
    fn default() -> Self {
        CheckSpec { timeout_secs: default_timeout(), unsolved_message: None }
    }
}

/// One exercise, as the catalog knows it.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub name: String,
    pub title: String,
    pub order: u32,
    pub chapter: String,
    pub hints: Vec<String>,
    pub check: CheckSpec,
    /// `exercises/<name>`, absolute.
    pub dir: PathBuf,
    /// `solutions/<name>`, absolute.
    pub solution_dir: PathBuf,
}

/// Which of the two crates of an exercise to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Practice,
    Solution,
}

impl Exercise {
    pub fn package(&self, variant: Variant) -> String {
        match variant {
            Variant::Practice => self.name.clone(),
            Variant::Solution => format!("{}-solution", self.name),
        }
    }

    pub fn worker_bin(&self, variant: Variant) -> String {
        format!("{}-worker", self.package(variant))
    }

    pub fn readme(&self) -> PathBuf {
        self.dir.join("README.md")
    }
}

/// All exercises under a repository root, in course order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub root: PathBuf,
    pub exercises: Vec<Exercise>,
}

impl Catalog {
    /// Reads every `exercises/*/exercise.toml` under `root`.
    pub fn load(root: &Path) -> anyhow::Result<Catalog> {
        let dir = root.join("exercises");
        let mut exercises = Vec::new();
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let meta_path = entry.path().join(METADATA_FILE);
            if !meta_path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&meta_path)?;
            exercises.push(parse(root, &name, &text).with_context(|| format!("in {}", meta_path.display()))?);
        }
        exercises.sort_by(|a, b| (a.order, &a.name).cmp(&(b.order, &b.name)));
        for pair in exercises.windows(2) {
            if pair[0].order == pair[1].order {
                bail!("exercises `{}` and `{}` have the same order {}", pair[0].name, pair[1].name, pair[0].order);
            }
        }
        Ok(Catalog { root: root.to_path_buf(), exercises })
    }

    /// The exercise called `name`, or an error that lists the valid names.
    pub fn get(&self, name: &str) -> anyhow::Result<&Exercise> {
        self.exercises.iter().find(|e| e.name == name).ok_or_else(|| {
            let valid: Vec<&str> = self.exercises.iter().map(|e| e.name.as_str()).collect();
            if valid.is_empty() {
                anyhow::anyhow!("unknown exercise `{name}`: there are no exercises under {}", self.root.display())
            } else {
                anyhow::anyhow!("unknown exercise `{name}`; the exercises are: {}", valid.join(", "))
            }
        })
    }

    /// The exercise after `name` in course order, if any.
    pub fn next_after(&self, name: &str) -> Option<&Exercise> {
        let i = self.exercises.iter().position(|e| e.name == name)?;
        self.exercises.get(i + 1)
    }
}

fn parse(root: &Path, name: &str, text: &str) -> anyhow::Result<Exercise> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        bail!("exercise directory names are lower-case words joined by `-`, not `{name}`");
    }
    let meta: Metadata = toml::from_str(text)?;
    if meta.hints.iter().all(|h| h.trim().is_empty()) {
        bail!("exercise `{name}` has no hints");
    }
    Ok(Exercise {
        name: name.to_string(),
        title: meta.title,
        order: meta.order,
        chapter: meta.chapter,
        hints: meta.hints,
        check: meta.check,
        dir: root.join("exercises").join(name),
        solution_dir: root.join("solutions").join(name),
    })
}

/// The repository root: `$WORKSHOP_ROOT`, else the nearest ancestor of the current
/// directory that holds `exercises/` and a `Cargo.toml`, else the directory this binary
/// was built from.
pub fn repo_root() -> anyhow::Result<PathBuf> {
    if let Some(root) = std::env::var_os("WORKSHOP_ROOT") {
        return Ok(PathBuf::from(root));
    }
    let is_root = |p: &Path| p.join("exercises").is_dir() && p.join("Cargo.toml").is_file();
    if let Ok(cwd) = std::env::current_dir()
        && let Some(found) = cwd.ancestors().find(|p| is_root(p))
    {
        return Ok(found.to_path_buf());
    }
    let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if is_root(&built_from) {
        return Ok(built_from);
    }
    bail!("cannot find the workshop repository: run this from inside it, or set WORKSHOP_ROOT")
}

/// Loads the catalog of the repository this command runs in.
pub fn load() -> anyhow::Result<Catalog> {
    Catalog::load(&repo_root()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, name: &str, toml: &str) {
        let dir = root.join("exercises").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(METADATA_FILE), toml).unwrap();
    }

    #[test]
    fn loads_in_course_order_and_derives_names() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "second", "title = \"B\"\norder = 2\nchapter = \"c\"\nhints = [\"h\"]\n");
        write(
            tmp.path(),
            "first",
            "title = \"A\"\norder = 1\nchapter = \"c\"\nhints = [\"h1\", \"h2\"]\n[check]\ntimeout_secs = 5\nunsolved_message = \"Part A\"\n",
        );
        std::fs::create_dir_all(tmp.path().join("exercises/not-an-exercise")).unwrap();
        let catalog = Catalog::load(tmp.path()).unwrap();
        let names: Vec<_> = catalog.exercises.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["first", "second"]);
        let first = catalog.get("first").unwrap();
        assert_eq!(first.check.timeout_secs, 5);
        assert_eq!(first.check.unsolved_message.as_deref(), Some("Part A"));
        assert_eq!(first.package(Variant::Solution), "first-solution");
        assert_eq!(first.worker_bin(Variant::Practice), "first-worker");
        assert_eq!(first.worker_bin(Variant::Solution), "first-solution-worker");
        assert_eq!(catalog.get("second").unwrap().check.timeout_secs, 600);
        assert_eq!(catalog.next_after("first").unwrap().name, "second");
        assert!(catalog.next_after("second").is_none());
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "alpha", "title = \"A\"\norder = 1\nchapter = \"c\"\nhints = [\"h\"]\n");
        write(tmp.path(), "beta", "title = \"B\"\norder = 2\nchapter = \"c\"\nhints = [\"h\"]\n");
        let err = Catalog::load(tmp.path()).unwrap().get("gamma").unwrap_err().to_string();
        assert!(err.contains("unknown exercise `gamma`"), "{err}");
        assert!(err.contains("alpha, beta"), "{err}");
    }

    #[test]
    fn rejects_bad_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "nohints", "title = \"A\"\norder = 1\nchapter = \"c\"\nhints = []\n");
        let err = format!("{:#}", Catalog::load(tmp.path()).unwrap_err());
        assert!(err.contains("no hints"), "{err}");

        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "typo", "title = \"A\"\norder = 1\nchapter = \"c\"\nhints = [\"h\"]\nhint = \"x\"\n");
        assert!(Catalog::load(tmp.path()).is_err());

        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "a", "title = \"A\"\norder = 1\nchapter = \"c\"\nhints = [\"h\"]\n");
        write(tmp.path(), "b", "title = \"B\"\norder = 1\nchapter = \"c\"\nhints = [\"h\"]\n");
        assert!(format!("{:#}", Catalog::load(tmp.path()).unwrap_err()).contains("same order"));
    }
}
