//! The pristine exercise files, embedded at build time by `build.rs` for `reset`.
//!
//! "Pristine" is the version in git's `HEAD` when the repository is a git clone (so a
//! learner's uncommitted edits never become the reset target), otherwise the files as
//! they were when the binary was first built.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/embedded_exercises.rs"));
}

/// `(path relative to the repository root, contents)` of every embedded file.
pub fn all() -> &'static [(&'static str, &'static [u8])] {
    generated::FILES
}

/// The embedded files of `exercises/<name>/`.
pub fn exercise_files(name: &str) -> Vec<(&'static str, &'static [u8])> {
    let prefix = format!("exercises/{name}/");
    all().iter().copied().filter(|(path, _)| path.starts_with(&prefix)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_relative_and_under_exercises() {
        for (path, _) in super::all() {
            assert!(path.starts_with("exercises/"), "{path}");
            assert!(!path.contains(".."), "{path}");
        }
    }
}
