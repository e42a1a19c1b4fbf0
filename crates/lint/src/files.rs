//! Which files `workshop lint PATH...` reads: files as given, directories searched for
//! `*.rs` in name order, skipping `target/`, hidden directories and `fixtures/` (test
//! inputs that are wrong on purpose, like this crate's own); a directory given by name is
//! always searched.

use std::fs;
use std::path::{Path, PathBuf};

use crate::LintError;

pub fn rust_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LintError> {
    let mut out = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|source| LintError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(tidy(path));
        }
    }
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LintError> {
    let read = |source| LintError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(read)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(read)?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `file_type` does not follow symlinks, so a link to a parent cannot loop.
        let file_type = entry.file_type().map_err(read)?;
        if file_type.is_dir() {
            if name != "target" && name != "fixtures" && !name.starts_with('.') {
                walk(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(tidy(&path));
        }
    }
    Ok(())
}

/// `./src/lib.rs` reads better as `src/lib.rs`.
fn tidy(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}
