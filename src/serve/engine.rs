//! The rebuild step of the live preview, behind one trait so that the server does not depend on
//! how a rebuild is done: `IncrementalEngine` renders again only what an edit affects.

use crate::diagnostics::Diagnostic;
use crate::files;
use crate::incremental::Incremental;
use crate::layout::{CONFIG_FILE, CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};
use crate::outdated;
use crate::output::Output;
use crate::pipeline::{Failed, Options};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which part of the site a changed file belongs to.
pub use crate::layout::Source as ChangeKind;

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
    /// editors' swap and backup files, hidden files (but for `static/`'s), and anything outside
    /// the sources.
    pub fn classify(root: &Path, path: &Path) -> Option<Change> {
        let kind = files::source(path.strip_prefix(root).ok()?)?;
        Some(Change {
            kind,
            path: files::relative(root, path),
        })
    }
}

/// What a rebuild changed in the served site.
#[derive(Debug, Default)]
pub struct Update {
    /// Files that are new or whose bytes changed, by output path (`en/regions/index.html`).
    /// (Clones of the engine's: their bytes are shared.)
    pub changed: Vec<Output>,
    /// Output paths that no longer exist.
    pub removed: Vec<String>,
    /// Warnings of the build (a build with errors is a `Failed`).
    pub warnings: Vec<Diagnostic>,
    /// The preview's notices on possibly outdated translations, by output path (see
    /// `outdated::preview_notices`): the history is read again at each rebuild.
    pub notices: HashMap<String, String>,
}

/// Brings the in-memory site in line with the files on disk.
pub trait Engine: Send {
    /// Rebuilds after `changes` (the first call builds everything, whatever `changes` says).
    /// On failure the engine keeps what it had, so that the next call diffs against the last
    /// good site.
    fn rebuild(&mut self, changes: &[Change]) -> Result<Update, Failed>;
}

/// Keeps the site up to date with the incremental engine, which renders again only what an
/// edit affects. It is made by the first build that succeeds: until then there is no site to
/// update, and `Incremental::new` fails when the build does.
pub struct IncrementalEngine {
    options: Options,
    site: Option<Incremental>,
    /// Called when a photo an edit added has been encoded (see `Incremental::encode_in_background`).
    encoded: Option<crate::media::Background>,
    history: outdated::Latest,
}

impl IncrementalEngine {
    pub fn new(options: Options) -> Self {
        IncrementalEngine {
            options,
            site: None,
            encoded: None,
            history: outdated::Latest::default(),
        }
    }

    /// Edits do not wait for new photos to be encoded; `encoded` hears when one is.
    pub fn with_background(self, encoded: crate::media::Background) -> Self {
        IncrementalEngine {
            encoded: Some(encoded),
            ..self
        }
    }
}

impl Engine for IncrementalEngine {
    fn rebuild(&mut self, changes: &[Change]) -> Result<Update, Failed> {
        let Some(site) = &mut self.site else {
            let site = self.site.insert(Incremental::new(&self.options)?);
            if let Some(encoded) = &self.encoded {
                site.encode_in_background(encoded.clone());
            }
            // Nothing was served before: every output is new.
            let changed = site.files().to_vec();
            return Ok(Update {
                changed,
                removed: Vec::new(),
                warnings: site.diagnostics().to_vec(),
                notices: outdated::preview_notices(
                    &site.built().site,
                    self.history.get(&self.options.root),
                ),
            });
        };
        let paths: Vec<PathBuf> = changes
            .iter()
            .map(|c| self.options.root.join(&c.path))
            .collect();
        let delta = site.apply(&paths)?;
        let changed = delta
            .changed
            .into_iter()
            .filter_map(|path| site.output(&path).cloned())
            .collect();
        Ok(Update {
            changed,
            removed: delta.removed,
            warnings: site.diagnostics().to_vec(),
            notices: outdated::preview_notices(
                &site.built().site,
                self.history.get(&self.options.root),
            ),
        })
    }
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
            // Published from static/ although hidden.
            ("/site/static/.nojekyll", Some(ChangeKind::Static)),
            (
                "/site/static/.well-known/security.txt",
                Some(ChangeKind::Static),
            ),
            ("/site/static/.style.css.swp", None),
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
