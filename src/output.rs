//! Bringing the output folder in line with a finished, in-memory build: write only files whose
//! bytes changed, remove files no longer produced. Called only after everything rendered, so a
//! failed build never touches the published site, and an unchanged site writes nothing.

use crate::render::Output;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
}

/// Refuses output folders whose clean-up would delete the site's own sources.
pub fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let out_abs = absolute(out);
    if root.starts_with(&out_abs) {
        bail!(
            "refusing to publish into {}: it contains the site itself, and stale files there would be deleted",
            out.display()
        );
    }
    for dir in ["content", "templates", "static"] {
        if out_abs.starts_with(root.join(dir)) {
            bail!(
                "refusing to publish into {}: it is inside the site's {dir}/ folder",
                out.display()
            );
        }
    }
    Ok(())
}

/// `path` made absolute and canonical as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut result = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        result.push(name);
    }
    result
}

/// Makes `out` hold exactly `outputs`.
pub fn sync(out: &Path, outputs: &[Output]) -> Result<SyncReport> {
    std::fs::create_dir_all(out).with_context(|| format!("failed to create {}", out.display()))?;
    let results: Vec<Result<bool>> = outputs
        .par_iter()
        .map(|o| write_if_changed(&out.join(&o.path), &o.bytes))
        .collect();
    let mut report = SyncReport::default();
    for (r, o) in results.into_iter().zip(outputs) {
        report.bytes += o.bytes.len() as u64;
        if r? {
            report.written += 1;
        } else {
            report.unchanged += 1;
        }
    }
    let wanted: HashSet<PathBuf> = outputs.iter().map(|o| out.join(&o.path)).collect();
    report.removed = remove_stale(out, &wanted)?;
    Ok(report)
}

/// Writes `bytes` to `path` unless it already holds them; true when written. Writes go to a
/// temporary file first, so a reader never sees half a page.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.is_file() && meta.len() == bytes.len() as u64 {
            if let Ok(existing) = std::fs::read(path) {
                if existing == bytes {
                    return Ok(false);
                }
            }
        } else if meta.is_dir() {
            std::fs::remove_dir_all(path)
                .with_context(|| format!("failed to replace folder {}", path.display()))?;
        }
    }
    if let Some(parent) = path.parent() {
        if parent.is_file() {
            std::fs::remove_file(parent).ok();
        }
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("failed to write {}", path.display()))?;
    Ok(true)
}

/// Deletes files under `out` that the build no longer produces, then emptied folders.
fn remove_stale(out: &Path, wanted: &HashSet<PathBuf>) -> Result<usize> {
    let mut removed = 0;
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.with_context(|| format!("failed to list {}", out.display()))?;
        if entry.file_type().is_dir() {
            dirs.push(entry.into_path());
        } else if !wanted.contains(entry.path()) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("failed to remove {}", entry.path().display()))?;
            removed += 1;
        }
    }
    // Deepest first, so parents are empty by the time they are tried.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &str, text: &str) -> Output {
        Output {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_only_changes_and_removes_stale() {
        let dir = tempfile::tempdir().unwrap();
        let first = [out("a/index.html", "A"), out("b.txt", "B")];
        let r = sync(dir.path(), &first).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (2, 0, 0));
        let r = sync(dir.path(), &first).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 2, 0));
        let r = sync(dir.path(), &[out("a/index.html", "A2")]).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (1, 0, 1));
        assert!(!dir.path().join("b.txt").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/index.html")).unwrap(),
            "A2"
        );
    }

    #[test]
    fn refuses_to_publish_over_the_site() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        assert!(check_output_dir(dir.path(), dir.path()).is_err());
        assert!(check_output_dir(dir.path(), &dir.path().join("content/x")).is_err());
        assert!(check_output_dir(dir.path(), &dir.path().join("public")).is_ok());
    }
}
