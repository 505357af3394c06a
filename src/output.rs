//! Bringing the output folder in line with a finished, in-memory build: write only files whose
//! bytes changed, remove files no longer produced. Called only after everything rendered, so a
//! failed build never touches the published site, and an unchanged site writes nothing.

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// One file of the built site: a path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Output {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Output {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// What becomes of each output as soon as it is rendered: an in-memory build keeps it; a build
/// that publishes stages it on disk and keeps only its path, so memory does not grow with the
/// site's HTML.
pub type Sink<'s> = &'s (dyn Fn(Output) -> Result<Output, crate::diagnostics::Diagnostic> + Sync);

/// `/en/regions/attica/` → `en/regions/attica/index.html`; file paths stay as they are.
pub fn output_path(path: &str) -> String {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    }
}

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
    // Syncing deletes whatever the build does not produce: only do that to a folder that is
    // empty or holds an earlier build (which always has a sitemap), never to, say, a home folder
    // passed as --output by mistake.
    let foreign = std::fs::read_dir(out)
        .is_ok_and(|mut entries| entries.any(|e| e.is_ok_and(|e| !is_hidden(&e.file_name()))))
        && !out.join("sitemap.xml").is_file();
    if foreign {
        bail!(
            "refusing to publish into {}: it holds files but no sitemap.xml, so it is not an earlier build, and files the build does not produce would be deleted; choose an empty or new folder",
            out.display()
        );
    }
    Ok(())
}

/// Hidden entries (`.git` of a pages branch, `.nojekyll`, `.well-known`) are never produced
/// (hidden files in `static/` are ignored), so syncing leaves them alone.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
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
    let stage = Stage::new(out)?;
    let kept: Vec<Output> = outputs
        .par_iter()
        .map(|o| stage.put(o.clone()))
        .collect::<Result<_>>()?;
    stage.commit(&kept)
}

/// Writes a build's outputs as they are rendered, so that the whole site never has to be in
/// memory at once, without touching the output folder until the build has succeeded: outputs
/// whose bytes differ from the published file go to a staging folder beside `out`; `commit`
/// moves them into place (a rename each: a reader never sees half a page) and removes stale
/// files; dropping an uncommitted `Stage` removes the staging folder and leaves `out` alone.
pub struct Stage {
    out: PathBuf,
    staging: PathBuf,
    staged: Mutex<Vec<String>>,
    /// Folders made in `staging` so far: most outputs go to a folder made for an earlier
    /// one, and asking the file system each time costs a few system calls per file.
    made: Mutex<HashSet<PathBuf>>,
    /// Whether `out` existed when the build started: if not, there is nothing to compare with.
    published: bool,
    unchanged: AtomicUsize,
    bytes: AtomicU64,
}

impl Stage {
    pub fn new(out: &Path) -> Result<Stage> {
        let out = absolute(out);
        let name = out
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        // Beside `out`, so that moving a file into place is a rename on the same file system.
        let staging = out.with_file_name(format!(".{name}.staging"));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("failed to clear {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("failed to create {}", staging.display()))?;
        Ok(Stage {
            published: out.exists(),
            out,
            staging,
            staged: Mutex::new(Vec::new()),
            made: Mutex::new(HashSet::new()),
            unchanged: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// Stages one output unless `out` already holds its bytes; returns it without its bytes.
    /// Called from many threads at once.
    pub fn put(&self, output: Output) -> Result<Output> {
        let Output { path, bytes } = output;
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if self.published && holds(&self.out.join(&path), &bytes) {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            let staged = self.staging.join(&path);
            self.make_staging_room(&staged)?;
            std::fs::write(&staged, &bytes)
                .with_context(|| format!("failed to write {}", staged.display()))?;
            self.staged
                .lock()
                .expect("no panics while held")
                .push(path.clone());
        }
        Ok(Output {
            path,
            bytes: Vec::new(),
        })
    }

    /// Moves the staged files into `out` and removes files not in `outputs`.
    pub fn commit(self, outputs: &[Output]) -> Result<SyncReport> {
        let staged = std::mem::take(&mut *self.staged.lock().expect("no panics while held"));
        let mut report = SyncReport {
            written: staged.len(),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: 0,
            bytes: self.bytes.load(Ordering::Relaxed),
        };
        if !self.out.exists() {
            // A first build: the staging folder becomes the output folder in one rename.
            if std::fs::rename(&self.staging, &self.out).is_ok() {
                return Ok(report);
            }
        }
        std::fs::create_dir_all(&self.out)
            .with_context(|| format!("failed to create {}", self.out.display()))?;
        staged.par_iter().try_for_each(|path| {
            let target = self.out.join(path);
            make_room(&target)?;
            std::fs::rename(self.staging.join(path), &target)
                .with_context(|| format!("failed to write {}", target.display()))
        })?;
        let wanted: HashSet<PathBuf> = outputs.iter().map(|o| self.out.join(&o.path)).collect();
        report.removed = remove_stale(&self.out, &wanted)?;
        Ok(report)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        // Committed or not, the staging folder goes (after a commit it is empty folders).
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// True when `path` is a file holding exactly `bytes`; the size is checked before reading.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|existing| existing == bytes)
        }
        _ => false,
    }
}

impl Stage {
    /// `make_room` in the staging folder, which starts empty: what is in it is known from
    /// `made`, so most files need no system call before they are written.
    fn make_staging_room(&self, path: &Path) -> Result<()> {
        let mut made = self.made.lock().expect("no panics while held");
        let parent = path.parent();
        if !made.contains(path) {
            if let Some(parent) = parent {
                if made.contains(parent) {
                    return Ok(());
                }
                // Most pages have a folder of their own, in a folder made before: one
                // `mkdir`, and the checks below only if something is in the way.
                let known = |g: &Path| g == self.staging || made.contains(g);
                if parent.parent().is_some_and(known) && std::fs::create_dir(parent).is_ok() {
                    made.insert(parent.to_path_buf());
                    return Ok(());
                }
            }
        }
        if made.contains(path) {
            // `make_room` removes the folder in the way, and what was made in it.
            made.clear();
        }
        make_room(path)?;
        if let Some(parent) = parent {
            made.extend(
                parent
                    .ancestors()
                    .take_while(|a| *a != self.staging)
                    .map(Path::to_path_buf),
            );
        }
        Ok(())
    }
}

/// Clears the way for a file at `path`: a folder in its place goes, as does a file where a
/// parent folder is needed; parents are created.
fn make_room(path: &Path) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(path)
            .with_context(|| format!("failed to replace folder {}", path.display()))?;
    }
    if let Some(parent) = path.parent() {
        if parent.is_file() {
            std::fs::remove_file(parent).ok();
        }
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    Ok(())
}

/// Deletes files under `out` that the build no longer produces, then emptied folders.
fn remove_stale(out: &Path, wanted: &HashSet<PathBuf>) -> Result<usize> {
    let mut removed = 0;
    let mut dirs = Vec::new();
    let entries = walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !is_hidden(e.file_name()));
    for entry in entries {
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
        Output::new(path, text)
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
    fn a_file_replaces_a_folder_and_a_folder_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("public");
        // Staged in one build: `x` is first a folder (for `x/a`, `x/b/c`), then a file; `y`
        // is first a file, then the folder of `y/z`. The later output wins, as on disk.
        let outputs = [
            out("x/a", "1"),
            out("x/b/c", "2"),
            out("x", "3"),
            out("y", "4"),
            out("y/z", "5"),
            out("x2/a", "6"),
        ];
        let stage = Stage::new(&site).unwrap();
        let kept: Vec<Output> = outputs.map(|o| stage.put(o).unwrap()).into();
        stage.commit(&kept).unwrap();
        let read = |p: &str| std::fs::read_to_string(site.join(p)).ok();
        assert_eq!(read("x").as_deref(), Some("3"));
        assert_eq!(read("y/z").as_deref(), Some("5"));
        assert_eq!(read("x2/a").as_deref(), Some("6"));
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
