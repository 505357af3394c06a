//! The rebuild step of the live preview, behind one trait so that the full rebuild used now can
//! be swapped for an incremental engine without touching the server.

use crate::build::{self, Failed, Options};
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::diagnostics::Diagnostic;
use crate::files;
use crate::templates::{self, STATIC_DIR, TEMPLATES_DIR};
use bytes::Bytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which part of the site a changed file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `site.toml`: everything depends on it.
    Config,
    Content,
    Template,
    Static,
}

/// A file (or folder) under one of the watched sources that was created, edited, renamed or
/// removed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub kind: ChangeKind,
    /// Relative to the site root, with `/` separators (`content/regions/attica.en.md`).
    pub path: String,
}

impl Change {
    /// Classifies `path` (absolute, below `root`); `None` for files the site does not read:
    /// editors' swap and backup files, hidden files, and anything outside the sources.
    pub fn classify(root: &Path, path: &Path) -> Option<Change> {
        let rel = path.strip_prefix(root).ok()?;
        if rel.iter().any(files::is_ignored) {
            return None;
        }
        let rel = files::relative(root, path);
        let first = rel.split('/').next()?;
        let kind = match first {
            CONFIG_FILE if rel == CONFIG_FILE => ChangeKind::Config,
            CONTENT_DIR => ChangeKind::Content,
            TEMPLATES_DIR => ChangeKind::Template,
            STATIC_DIR => ChangeKind::Static,
            _ => return None,
        };
        Some(Change { kind, path: rel })
    }
}

/// What a rebuild changed in the served site.
#[derive(Debug, Default)]
pub struct Update {
    /// Files that are new or whose bytes changed, by output path (`en/regions/index.html`).
    pub changed: Vec<(String, Bytes)>,
    /// Output paths that no longer exist.
    pub removed: Vec<String>,
    /// Warnings of the build (a build with errors is a `Failed`).
    pub warnings: Vec<Diagnostic>,
}

/// Brings the in-memory site in line with the files on disk.
pub trait Engine: Send {
    /// Rebuilds after `changes` (the first call builds everything, whatever `changes` says).
    /// On failure the engine keeps what it had, so that the next call diffs against the last
    /// good site.
    fn rebuild(&mut self, changes: &[Change]) -> Result<Update, Failed>;
}

/// Rebuilds the whole site on every change (a few milliseconds for the portal), except that an
/// edit of an existing static file only re-reads the static files.
pub struct FullRebuild {
    options: Options,
    /// The last good site, by output path.
    published: HashMap<String, Bytes>,
    /// Names of the static files in the last good site; a static edit that keeps them can skip
    /// the build.
    static_names: Option<Vec<String>>,
}

impl FullRebuild {
    pub fn new(options: Options) -> Self {
        FullRebuild {
            options,
            published: HashMap::new(),
            static_names: None,
        }
    }

    fn full(&mut self) -> Result<Update, Failed> {
        let built = build::build(&self.options)?;
        let next: HashMap<String, Bytes> = built
            .outputs
            .into_iter()
            .map(|o| (o.path, Bytes::from(o.bytes)))
            .collect();
        let mut update = self.replace(next, |_| true);
        update.warnings = built.diagnostics;
        self.static_names = static_names(&self.options.root);
        Ok(update)
    }

    /// Re-reads only the static files, when the edit renamed, added or removed none of them.
    fn statics_only(&mut self) -> Option<Update> {
        let names = static_names(&self.options.root)?;
        if self.static_names.as_ref() != Some(&names) {
            return None;
        }
        let files = templates::static_files(&self.options.root).ok()?;
        let mut next = self.published.clone();
        next.extend(files.into_iter().map(|(n, b)| (n, Bytes::from(b))));
        Some(self.replace(next, |p| {
            names.binary_search_by(|n| n.as_str().cmp(p)).is_ok()
        }))
    }

    /// Makes `next` the published site and says what differs, among the paths `scope` accepts.
    fn replace(&mut self, next: HashMap<String, Bytes>, scope: impl Fn(&str) -> bool) -> Update {
        let mut changed: Vec<(String, Bytes)> = next
            .iter()
            .filter(|(p, b)| scope(p) && self.published.get(*p) != Some(b))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        let mut removed: Vec<String> = self
            .published
            .keys()
            .filter(|p| !next.contains_key(*p))
            .cloned()
            .collect();
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        removed.sort();
        self.published = next;
        Update {
            changed,
            removed,
            warnings: Vec::new(),
        }
    }
}

impl Engine for FullRebuild {
    fn rebuild(&mut self, changes: &[Change]) -> Result<Update, Failed> {
        let statics = !changes.is_empty() && changes.iter().all(|c| c.kind == ChangeKind::Static);
        if statics {
            if let Some(update) = self.statics_only() {
                return Ok(update);
            }
        }
        match self.full() {
            Ok(update) => Ok(update),
            Err(failed) => {
                // The next success must not take the static shortcut from a stale state.
                self.static_names = None;
                Err(failed)
            }
        }
    }
}

/// Every static file name the site publishes (built-in and the site's own), sorted; `None` if
/// `static/` cannot be listed.
fn static_names(root: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = files::list_files(&root.join(STATIC_DIR))
        .ok()?
        .into_iter()
        .map(|(name, _)| name)
        .chain(
            templates::BUILTIN_STATIC
                .iter()
                .map(|(n, _)| (*n).to_owned()),
        )
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// The folders and files a site reads, for the watcher.
pub fn sources(root: &Path) -> [PathBuf; 4] {
    [
        root.join(CONFIG_FILE),
        root.join(CONTENT_DIR),
        root.join(TEMPLATES_DIR),
        root.join(STATIC_DIR),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_changed_paths() {
        let root = Path::new("/site");
        let table: &[(&str, Option<ChangeKind>)] = &[
            ("/site/site.toml", Some(ChangeKind::Config)),
            (
                "/site/content/regions/attica.en.md",
                Some(ChangeKind::Content),
            ),
            ("/site/content/regions", Some(ChangeKind::Content)),
            ("/site/content", Some(ChangeKind::Content)),
            ("/site/templates/page.html", Some(ChangeKind::Template)),
            ("/site/static/style.css", Some(ChangeKind::Static)),
            ("/site/static/img/a.png", Some(ChangeKind::Static)),
            // Editors' swap, backup and probe files.
            ("/site/content/regions/.attica.en.md.swp", None),
            ("/site/content/regions/attica.en.md~", None),
            ("/site/content/regions/4913", None),
            ("/site/content/#attica.en.md#", None),
            ("/site/site.toml~", None),
            ("/site/.site.toml.swp", None),
            // Hidden folders and everything outside the sources.
            ("/site/content/.git/HEAD", None),
            ("/site/public/index.html", None),
            ("/site/target/debug/x", None),
            ("/site/README.md", None),
            ("/site/site.toml/x", None),
            ("/site", None),
            ("/elsewhere/content/a.md", None),
        ];
        for (path, want) in table {
            let got = Change::classify(root, Path::new(path)).map(|c| c.kind);
            assert_eq!(got, *want, "{path}");
        }
        let c = Change::classify(root, Path::new("/site/content/a/b.md")).unwrap();
        assert_eq!(c.path, "content/a/b.md");
    }
}
