//! Small file-system helpers that put the path into every error, and the rules for which files
//! a site ignores (hidden files and editors' swap and backup files).

use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::path::Path;

/// Hidden files and editors' temporary files: `.x`, `x~`, `.x.swp`, `#x#`, vim's `4913` probe.
pub fn is_ignored(name: &OsStr) -> bool {
    name.to_string_lossy().starts_with('.') || is_unpublished(name)
}

/// Files never published from `static/`: editors' temporary files, system clutter and version
/// control. Other hidden files there are published (`.nojekyll`, `.well-known/`, `.htaccess`).
pub fn is_unpublished(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
        || name == ".git"
}

/// Whether a build reads the file at `rel` (relative to the site root, any source folder):
/// hidden and editors' files are skipped, except hidden files below `static/`.
pub fn is_read(rel: &Path) -> bool {
    let skip = if rel.starts_with(crate::layout::STATIC_DIR) {
        is_unpublished
    } else {
        is_ignored
    };
    !rel.iter().any(skip)
}

/// The source a path (relative to the site root) belongs to, if a build reads it: what the
/// preview watches and what makes the incremental engine rebuild.
pub fn source(rel: &Path) -> Option<crate::layout::Source> {
    if !is_read(rel) {
        return None;
    }
    let whole = relative(Path::new(""), rel);
    let first = whole.split('/').next()?;
    crate::layout::Source::of(first, &whole)
}

/// `path` relative to `base`, with `/` separators, for messages and URLs.
pub fn relative(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))
}

/// Every regular file below `dir` (not ignored), as (path relative to `dir`, absolute path),
/// sorted so that builds are deterministic. A missing folder has no files.
pub fn list_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    list_files_skipping(dir, is_ignored)
}

/// `list_files` for `static/`: hidden files are published too.
pub fn list_static_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    list_files_skipping(dir, is_unpublished)
}

fn list_files_skipping(
    dir: &Path,
    skip: fn(&OsStr) -> bool,
) -> Result<Vec<(String, std::path::PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skip(e.file_name()));
    for entry in walker {
        let entry = entry.with_context(|| format!("failed to list {}", dir.display()))?;
        if entry.file_type().is_file() {
            out.push((relative(dir, entry.path()), entry.into_path()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_editor_files() {
        for name in [".a.md.swp", "a.md~", "4913", "#a.md#", ".hidden"] {
            assert!(is_ignored(OsStr::new(name)), "{name}");
        }
        assert!(!is_ignored(OsStr::new("attica.en.md")));
    }

    #[test]
    fn hidden_static_files_are_read_editor_files_are_not() {
        for (rel, read) in [
            ("static/.nojekyll", true),
            ("static/.well-known/security.txt", true),
            ("static/style.css", true),
            ("static/.style.css.swp", false),
            ("static/.DS_Store", false),
            ("static/img/a.png~", false),
            ("content/.hidden.md", false),
            ("content/regions/.attica.en.md.swp", false),
            ("content/regions/attica.en.md", true),
            ("templates/.page.html", false),
        ] {
            assert_eq!(is_read(Path::new(rel)), read, "{rel}");
        }
    }
}
