//! Embeds the pristine exercise files into the `workshop` binary (see `src/embedded.rs`).
//!
//! A file's pristine version is its blob in git's `HEAD` when there is one, so that the
//! learner's edits in the work tree never become what `workshop reset` restores; files
//! not in `HEAD` (a fresh download without git, or an exercise being written) are taken
//! from the work tree (in a git clone also followed: the build reruns when they change,
//! while without git the first build's copy stays the pristine one). Otherwise the
//! build reruns when `HEAD` moves, an exercise's metadata changes or a workspace member
//! is added, not on every edit of a committed exercise file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");

    let git_ok = git(&root, &["rev-parse", "--verify", "-q", "HEAD"]).is_some();
    let mut paths = BTreeSet::new();
    if git_ok {
        for watched in ["HEAD", "packed-refs"] {
            watch_git_path(&root, watched);
        }
        if let Some(head_ref) = git(&root, &["symbolic-ref", "-q", "HEAD"]) {
            watch_git_path(&root, String::from_utf8_lossy(&head_ref).trim());
        }
        if let Some(listing) = git(&root, &["ls-tree", "-r", "--name-only", "HEAD", "--", "exercises"]) {
            paths.extend(String::from_utf8_lossy(&listing).lines().map(str::to_string));
        }
    }
    let exercises = root.join("exercises");
    walk(&root, &exercises, &mut paths);
    if let Ok(entries) = std::fs::read_dir(&exercises) {
        for entry in entries.flatten() {
            let meta = entry.path().join("exercise.toml");
            if meta.is_file() {
                println!("cargo:rerun-if-changed={}", meta.display());
            }
        }
    }
    // A new exercise is also a new workspace member; watching the directory itself
    // would rerun this script (and relink `workshop`) on every edit of an exercise.
    println!("cargo:rerun-if-changed=Cargo.toml");

    let mut generated = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for path in &paths {
        let committed = if git_ok { git(&root, &["show", &format!("HEAD:{path}")]) } else { None };
        let contents = match committed {
            Some(contents) => contents,
            None => {
                // In a git clone, a file not committed yet belongs to an exercise being
                // written: follow its changes. Without git, the first build's copy is
                // the pristine one, so the learner's edits must not replace it.
                if git_ok {
                    println!("cargo:rerun-if-changed={path}");
                }
                match std::fs::read(root.join(path)) {
                    Ok(contents) => contents,
                    Err(_) => continue,
                }
            }
        };
        let copy = out_dir.join("pristine").join(path);
        std::fs::create_dir_all(copy.parent().expect("parent")).expect("create pristine dir");
        if std::fs::read(&copy).ok().as_deref() != Some(&contents[..]) {
            std::fs::write(&copy, &contents).expect("write pristine copy");
        }
        generated.push_str(&format!("    ({path:?}, include_bytes!({:?})),\n", copy.display().to_string()));
    }
    generated.push_str("];\n");
    let target = out_dir.join("embedded_exercises.rs");
    if std::fs::read_to_string(&target).ok().as_deref() != Some(generated.as_str()) {
        std::fs::write(&target, generated).expect("write embedded_exercises.rs");
    }
}

fn git(root: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("git").current_dir(root).args(args).output().ok()?;
    output.status.success().then_some(output.stdout)
}

fn watch_git_path(root: &Path, name: &str) {
    if let Some(path) = git(root, &["rev-parse", "--git-path", name]) {
        let path = root.join(String::from_utf8_lossy(&path).trim());
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// Work-tree files under `dir`, skipping hidden entries and build output.
fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
