//! Small file-system helpers that put the path into every error, and the rules for which files
//! a site ignores (hidden files and editors' swap and backup files).

use crate::diagnostics::{Diagnostic, Kind};
use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Hidden files and editors' temporary files: `.x`, `x~`, `.x.swp`, `#x#`, vim's `4913` probe,
/// emacs's `.#x` lock (a link to nowhere).
pub fn is_ignored(name: &OsStr) -> bool {
    name.to_string_lossy().starts_with('.') || is_unpublished(name)
}

/// Files never published from `static/`: editors' temporary files, system clutter and version
/// control. Other hidden files there are published (`.nojekyll`, `.well-known/`, `.htaccess`).
pub fn is_unpublished(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with('~')
        || name.starts_with(".#")
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

/// Every regular file below `root/folder` (not ignored), as (path relative to the folder,
/// path), sorted so that builds are deterministic. A missing folder has no files. Entries
/// `problems` reports are left out.
pub fn list_files(root: &Path, folder: &str) -> Result<Vec<(String, PathBuf)>> {
    walk(root, folder, is_ignored, None).files()
}

/// `list_files` for `static/`: hidden files are published too.
pub fn list_static_files(root: &Path, folder: &str) -> Result<Vec<(String, PathBuf)>> {
    walk(root, folder, is_unpublished, None).files()
}

/// The entries of `templates/` and `static/` that a build leaves out and must say so: symbolic
/// links that lead outside the site folder, are broken or loop (warnings), and names that are
/// not UTF-8 (errors: a name cannot be published or linked to as it is). Loading the content
/// reports its own, from the one listing it makes.
pub fn problems_outside_content(root: &Path) -> Vec<Diagnostic> {
    let templates = walk(root, crate::layout::TEMPLATES_DIR, is_ignored, None);
    let statics = walk(root, crate::layout::STATIC_DIR, is_unpublished, None);
    [templates, statics]
        .into_iter()
        .flat_map(|w| w.skipped)
        .collect()
}

/// The listings an edit under `serve` compares besides the content's Markdown (which
/// `content::SourceCache` keeps): every file of `content/` (photos and other files of page
/// folders), `static/` and `templates/`, each kept while its folders keep their times.
pub struct Listings {
    content: KeptWalk,
    statics: KeptWalk,
    templates: KeptWalk,
}

impl Default for Listings {
    fn default() -> Self {
        use crate::layout::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};
        Listings {
            content: KeptWalk::new(CONTENT_DIR, is_ignored),
            statics: KeptWalk::new(STATIC_DIR, is_unpublished),
            templates: KeptWalk::new(TEMPLATES_DIR, is_ignored),
        }
    }
}

impl Listings {
    /// Brings every listing up to date (listing again, side by side, those whose folders'
    /// times changed).
    pub fn refresh(&mut self, root: &Path) {
        let Listings {
            content,
            statics,
            templates,
        } = self;
        rayon::join(
            || content.current(root),
            || rayon::join(|| statics.current(root), || templates.current(root)),
        );
    }

    /// `problems_outside_content` as of the last `refresh`.
    pub fn problems_outside_content(&self) -> Vec<Diagnostic> {
        let skipped = [&self.templates.walk.skipped, &self.statics.walk.skipped];
        skipped.into_iter().flatten().cloned().collect()
    }

    /// The listings of `static/` and `templates/` as of the last `refresh`.
    pub fn statics_and_templates(&self) -> (&Walk, &Walk) {
        (&self.statics.walk, &self.templates.walk)
    }

    /// The listings of `content/` and `static/` as of the last `refresh` (for
    /// `media::sources`).
    pub fn content_and_statics(&self) -> (&Walk, &Walk) {
        (&self.content.walk, &self.statics.walk)
    }

    /// What the build cache keeps of these, for `from_kept`.
    pub fn keep(self) -> KeptListings {
        let Listings {
            content,
            statics,
            templates,
        } = self;
        KeptListings([content, statics, templates].map(|k| (k.walk, k.dirs)))
    }

    /// The listings `kept`, each listed again at the next `refresh` if its folders' times
    /// changed since.
    pub fn from_kept(KeptListings(kept): KeptListings) -> Listings {
        let mut listings = Listings::default();
        let [content, statics, templates] = kept;
        for (listing, (walk, dirs)) in [
            (&mut listings.content, content),
            (&mut listings.statics, statics),
            (&mut listings.templates, templates),
        ] {
            listing.walk = walk;
            listing.dirs = dirs;
        }
        listings
    }
}

/// `Listings` as the build cache keeps them: each folder's walk and the stamps of its folders.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct KeptListings([(Walk, Dirs); 3]);

/// What listing one source folder found.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct Walk {
    /// Regular files, links to them included, as (path relative to the folder, path).
    pub files: Vec<(String, PathBuf)>,
    /// Every folder listed, the folder itself included.
    pub dirs: Vec<PathBuf>,
    /// What `problems` reports.
    pub skipped: Vec<Diagnostic>,
    /// Entries that could not be read (not kept: a listing with errors is listed again).
    #[serde(skip)]
    pub errors: Vec<walkdir::Error>,
}

impl Walk {
    /// The files listed, or the first entry that could not be read.
    pub fn listed(&self) -> Result<&[(String, PathBuf)]> {
        match self.errors.first() {
            Some(e) => Err(anyhow::anyhow!("failed to list a folder: {e}")),
            None => Ok(&self.files),
        }
    }

    /// `listed`, taking the files.
    fn files(self) -> Result<Vec<(String, PathBuf)>> {
        self.listed()?;
        Ok(self.files)
    }
}

/// Lists `root/folder`, leaving out names `skip` says and, when `only` names an extension,
/// files without it. Symbolic links are followed while they stay inside the site folder
/// (`root`), so that what a build publishes comes from the site and nowhere else.
pub fn walk(root: &Path, folder: &str, skip: fn(&OsStr) -> bool, only: Option<&str>) -> Walk {
    let dir = root.join(folder);
    let mut walk = Walk::default();
    // A link to a folder is checked like any link; a missing folder has no files.
    if !dir.is_dir() && !dir.is_symlink() {
        return walk;
    }
    let site = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let wanted = |path: &Path, is_dir: bool| {
        is_dir || only.is_none_or(|ext| path.extension().is_some_and(|e| e == ext))
    };
    let mut skipped = Vec::new();
    let entries = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        // By name: siblings share their parent's path, so comparing whole paths compares
        // names, without `sort_by_file_name` finding each name again (half of a listing).
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(|e| {
            let keep = (e.depth() == 0 || !skip(e.file_name()))
                && wanted(e.path(), e.file_type().is_dir());
            keep && match problem(root, &site, e) {
                Some(d) => {
                    skipped.push(d);
                    false
                }
                None => true,
            }
        });
    let mut unfollowed_links = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) if e.file_type().is_dir() => walk.dirs.push(e.into_path()),
            // Depth 0 is the folder itself (a link to a file, where a folder is expected).
            Ok(e) if e.file_type().is_file() && e.depth() > 0 => {
                walk.files.push((relative(&dir, e.path()), e.into_path()))
            }
            Ok(_) => {}
            Err(e) => match unfollowed(root, &e) {
                // Walkdir follows links before it filters, so the rules are applied here too.
                Some(path) if skip(path.file_name().unwrap_or_default()) => {}
                Some(path) if wanted(path, path.is_dir()) => {
                    unfollowed_links.push(unfollowed_link(root, path, &e))
                }
                Some(_) => {}
                None => walk.errors.push(e),
            },
        }
    }
    skipped.extend(unfollowed_links);
    walk.skipped = skipped;
    walk
}

/// The folders of a listing, each stamped before it was listed (`None` when not, or too
/// recently changed): a folder's times change when an entry is added, removed or renamed, so
/// while they all stay the same, so does the listing. What `serve` checks instead of listing
/// every folder again after each edit.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct Dirs(Vec<(PathBuf, Option<Stamp>)>);

impl Dirs {
    /// Folders listed from `since` on, each stamped now if it last changed at least a second
    /// before `since` (so not while it was listed); the others are listed again by the next
    /// `check`.
    pub fn listed_since(listed: &[PathBuf], since: std::time::SystemTime) -> Dirs {
        let mut dirs = Dirs::default();
        dirs.restamp(Vec::new(), listed.to_vec(), since);
        dirs
    }

    /// Whether the listing is still current, and the folders' stamps now (for `restamp`).
    pub fn check(&self, now: std::time::SystemTime) -> (bool, Vec<Option<Stamp>>) {
        let stamps: Vec<Option<Stamp>> = (self.0.iter())
            .map(|(dir, _)| Stamp::settled(dir, now))
            .collect();
        let current = !self.0.is_empty()
            && (self.0.iter().zip(&stamps)).all(|((_, then), now)| then.is_some() && then == now);
        (current, stamps)
    }

    /// The folders of a new listing, made after `check` at `since` gave `stamps`: those it
    /// checked keep the stamps it took, new ones are stamped as `listed_since` does.
    pub fn restamp(
        &mut self,
        stamps: Vec<Option<Stamp>>,
        listed: Vec<PathBuf>,
        since: std::time::SystemTime,
    ) {
        let before: std::collections::HashMap<&Path, Stamp> = (self.0.iter().zip(stamps))
            .filter_map(|((dir, _), stamp)| Some((dir.as_path(), stamp?)))
            .collect();
        let dirs = (listed.into_iter())
            .map(|dir| {
                let stamp = match before.get(dir.as_path()) {
                    Some(stamp) => Some(*stamp),
                    None => Stamp::settled(&dir, since),
                };
                (dir, stamp)
            })
            .collect();
        self.0 = dirs;
    }
}

/// One source folder's `walk`, kept between edits (`serve`): listed again only when one of
/// its folders' times changed (see `Dirs`).
pub struct KeptWalk {
    folder: &'static str,
    skip: fn(&OsStr) -> bool,
    walk: Walk,
    dirs: Dirs,
}

impl KeptWalk {
    /// `folder` (`walk` with no `only`), not listed yet.
    pub fn new(folder: &'static str, skip: fn(&OsStr) -> bool) -> KeptWalk {
        KeptWalk {
            folder,
            skip,
            walk: Walk::default(),
            dirs: Dirs::default(),
        }
    }

    /// The folder's listing as it is now: the kept one while its folders keep their times.
    pub fn current(&mut self, root: &Path) -> &Walk {
        let now = std::time::SystemTime::now();
        let (current, stamps) = self.dirs.check(now);
        if !current {
            self.walk = walk(root, self.folder, self.skip, None);
            // A listing that met an error is never kept.
            let dirs = match self.walk.errors.is_empty() {
                true => self.walk.dirs.clone(),
                false => Vec::new(),
            };
            self.dirs.restamp(stamps, dirs, now);
        }
        &self.walk
    }
}

/// Why an entry is left out, if it is: a name that is not UTF-8, or a link to outside `site`.
fn problem(root: &Path, site: &Path, e: &walkdir::DirEntry) -> Option<Diagnostic> {
    let name = e.file_name();
    if name.to_str().is_none() {
        let what = if e.file_type().is_dir() {
            "folder"
        } else {
            "file"
        };
        let parent = e.path().parent().unwrap_or(root);
        return Some(
            Diagnostic::error(
                Kind::FileName,
                relative(root, parent),
                format!(
                    "the {what} name `{}` is not UTF-8 (\u{FFFD} stands for the bytes that are \
                     not); the build reads only names that are",
                    name.to_string_lossy()
                ),
            )
            .with_hint(format!("rename the {what}: file names must be UTF-8")),
        );
    }
    if !e.path_is_symlink() {
        return None;
    }
    let target = e.path().canonicalize().ok()?;
    if target.join(crate::layout::MANIFEST).is_file() {
        // Publishing the output folder into itself would nest a copy deeper on each build.
        return Some(
            Diagnostic::warning(
                Kind::Symlink,
                relative(root, e.path()),
                format!(
                    "a symbolic link to {}, a folder this tool publishes to: skipped",
                    target.display()
                ),
            )
            .with_hint("the site's own output is never read back into it; remove the link"),
        );
    }
    (!target.starts_with(site)).then(|| {
        Diagnostic::warning(
            Kind::Symlink,
            relative(root, e.path()),
            format!(
                "a symbolic link to {}, outside the site folder: skipped",
                target.display()
            ),
        )
        .with_hint("only links that stay inside the site folder are followed; copy the file into the site instead")
    })
}

/// The path of a link that could not be followed (broken, or a loop), else `None`.
fn unfollowed<'e>(root: &Path, e: &'e walkdir::Error) -> Option<&'e Path> {
    let path = e.path()?;
    let link = path.symlink_metadata().ok()?.file_type().is_symlink();
    let unfollowed = e.loop_ancestor().is_some() || path.metadata().is_err();
    (link && unfollowed && path.starts_with(root)).then_some(path)
}

fn unfollowed_link(root: &Path, path: &Path, e: &walkdir::Error) -> Diagnostic {
    let message = match e.loop_ancestor() {
        Some(folder) => {
            let site = root.canonicalize().unwrap_or_else(|_| root.to_owned());
            let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_owned());
            let name = match relative(&site, &folder) {
                name if name.is_empty() => "the site folder".to_owned(),
                name => format!("`{name}`"),
            };
            format!("a symbolic link to {name}, a folder that holds it: skipped (it would loop)")
        }
        None => {
            let target = std::fs::read_link(path).unwrap_or_default();
            format!("a broken symbolic link (to {}): skipped", target.display())
        }
    };
    Diagnostic::warning(Kind::Symlink, relative(root, path), message)
}

/// What tells that a file changed without reading it: its size, modification time and (Unix)
/// the inode's change time, which no tool can set back, and inode number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64, u64),
}

impl Stamp {
    /// The stamp of a file's metadata, trusted or not.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: {
                use std::os::unix::fs::MetadataExt;
                (meta.ctime(), meta.ctime_nsec(), meta.ino())
            },
        }
    }

    /// The file's stamp, or `None` when it cannot be trusted: when the file changed within
    /// the last second, a further edit in the same tick of the file system's clock could keep
    /// the same times and size (git calls this "racily clean").
    pub fn settled(path: &Path, now: std::time::SystemTime) -> Option<Stamp> {
        Stamp::of(&std::fs::metadata(path).ok()?).trusted(now)
    }

    fn trusted(self, now: std::time::SystemTime) -> Option<Stamp> {
        (self.settled_before(now, std::time::Duration::from_secs(1))).then_some(self)
    }

    /// `settled` for the file of each of `items` (a path relative to `root`, `/`-separated),
    /// side by side. On Linux each file is looked up in its folder, opened once for the
    /// files that follow in it: looking up every folder of the path again for each of
    /// 15,000 files was half the time `serve` took to stamp them after an edit.
    pub fn settled_all<T: Sync>(
        root: &Path,
        items: &[T],
        file: impl Fn(&T) -> &str + Sync,
        now: std::time::SystemTime,
    ) -> Vec<Option<Stamp>> {
        use rayon::prelude::*;
        items
            .par_chunks(256)
            .flat_map_iter(|chunk| {
                let mut folder = Folder::default();
                let stamps = chunk.iter().map(|item| folder.stamp(root, file(item), now));
                stamps.collect::<Vec<_>>()
            })
            .collect()
    }

    /// Whether the file last changed at least `margin` before `now` (and its modification time
    /// is known), so that any later edit changes the stamp.
    pub fn settled_before(&self, now: std::time::SystemTime, margin: std::time::Duration) -> bool {
        let old = |t: std::time::SystemTime| now.duration_since(t).is_ok_and(|age| age >= margin);
        #[cfg(unix)]
        {
            let (secs, nanos, _) = self.changed;
            let ctime =
                std::time::UNIX_EPOCH + std::time::Duration::new(secs.max(0) as u64, nanos as u32);
            if !old(ctime) {
                return false;
            }
        }
        self.modified.is_some_and(old)
    }
}

/// The folder of the last file `Stamp::settled_all` stamped, opened.
#[derive(Default)]
struct Folder<'a> {
    path: Option<&'a str>,
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

impl<'a> Folder<'a> {
    #[cfg(target_os = "linux")]
    fn stamp(&mut self, root: &Path, file: &'a str, now: std::time::SystemTime) -> Option<Stamp> {
        use rustix::fs::{AtFlags, Mode, OFlags, StatxFlags};
        let (folder, name) = file.rsplit_once('/').unwrap_or(("", file));
        if self.path != Some(folder) {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            self.fd = rustix::fs::open(root.join(folder), flags, Mode::empty()).ok();
            self.path = Some(folder);
        }
        let Some(fd) = &self.fd else {
            return Stamp::settled(&root.join(file), now);
        };
        // As `std::fs::metadata` has it: links followed, the same fields.
        let stat = rustix::fs::statx(fd, name, AtFlags::empty(), StatxFlags::BASIC_STATS).ok()?;
        let time = |t: rustix::fs::StatxTimestamp| {
            let nanos = std::time::Duration::from_nanos(t.tv_nsec.into());
            match u64::try_from(t.tv_sec) {
                Ok(secs) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs) + nanos,
                Err(_) => {
                    let before = std::time::Duration::from_secs(t.tv_sec.unsigned_abs());
                    std::time::UNIX_EPOCH - before + nanos
                }
            }
        };
        let stamp = Stamp {
            len: stat.stx_size,
            modified: Some(time(stat.stx_mtime)),
            changed: (
                stat.stx_ctime.tv_sec,
                stat.stx_ctime.tv_nsec.into(),
                stat.stx_ino,
            ),
        };
        stamp.trusted(now)
    }

    #[cfg(not(target_os = "linux"))]
    fn stamp(&mut self, root: &Path, file: &'a str, now: std::time::SystemTime) -> Option<Stamp> {
        Stamp::settled(&root.join(file), now)
    }
}

/// Writes through a temporary name, so that a build stopped half-way, or another build
/// reading the file (a cache), never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, |file| std::io::Write::write_all(file, bytes))
}

/// `write_atomically` of what `write` writes to the file, as it goes.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), String> {
    // Unique per call: two threads may write one file at the same time (two pages, one per
    // language, showing one photo); a shared temporary name made one rename fail.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut file| write(&mut file));
    let result = written.and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))
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
    fn links_into_each_other_end_with_warnings_a_file_for_a_folder_lists_nothing() {
        use std::os::unix::fs::symlink;
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        for dir in ["static/a", "static/b"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("static/a/x.css"), "x").unwrap();
        symlink("../b", root.join("static/a/to_b")).unwrap();
        symlink("../a", root.join("static/b/to_a")).unwrap();
        let walk = walk(root, "static", is_unpublished, None);
        let files: Vec<&str> = walk.files.iter().map(|(rel, _)| rel.as_str()).collect();
        assert_eq!(files, ["a/x.css", "b/to_a/x.css"]);
        let skipped: Vec<&str> = walk.skipped.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(skipped, ["static/a/to_b/to_a", "static/b/to_a/to_b"]);
        std::fs::write(root.join("templates"), "not a folder").unwrap();
        let walk = super::walk(root, "templates", is_ignored, None);
        assert!(walk.files.is_empty() && walk.skipped.is_empty() && walk.errors.is_empty());
    }

    #[test]
    fn a_listing_is_in_the_order_of_names_at_each_level() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("content");
        let names = [
            "a/x.md", "a/b/z.md", "a-b.md", "a.b.md", "ab/y.md", "B.md", "é.md",
        ];
        for name in names {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, name).unwrap();
        }
        let listed = walk(site.path(), "content", is_ignored, None);
        let ours: Vec<&str> = listed.files.iter().map(|(rel, _)| rel.as_str()).collect();
        let by_name: Vec<String> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| relative(&dir, e.path()))
            .collect();
        assert_eq!(ours, by_name);
        assert_eq!(
            ours,
            ["B.md", "a/b/z.md", "a/x.md", "a-b.md", "a.b.md", "ab/y.md", "é.md"]
        );
    }

    #[test]
    fn stamps_taken_side_by_side_are_those_of_each_file_alone() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        for dir in ["a", "b/c"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in ["top.md", "a/x.md", "a/y.md", "b/c/z.md"] {
            std::fs::write(root.join(file), file).unwrap();
        }
        std::os::unix::fs::symlink("../top.md", root.join("a/link.md")).unwrap();
        let files = [
            "top.md",
            "a/x.md",
            "a/link.md",
            "a/gone.md",
            "a/y.md",
            "b/c/z.md",
            "nowhere/q.md",
        ];
        for later in [0, 5] {
            let now = std::time::SystemTime::now() + std::time::Duration::from_secs(later);
            let each: Vec<Option<Stamp>> = (files.iter())
                .map(|f| Stamp::settled(&root.join(f), now))
                .collect();
            assert_eq!(Stamp::settled_all(root, &files, |f| f, now), each);
            let trusted = each.iter().filter(|s| s.is_some()).count();
            assert_eq!(trusted, if later == 0 { 0 } else { 5 }, "{each:?}");
        }
    }

    #[test]
    fn hidden_static_files_are_read_editor_files_are_not() {
        for (rel, read) in [
            ("static/.nojekyll", true),
            ("static/.well-known/security.txt", true),
            ("static/style.css", true),
            ("static/.style.css.swp", false),
            ("static/.DS_Store", false),
            ("static/.#about.md", false),
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
