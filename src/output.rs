//! Publishing a finished build: the complete new site is assembled in a staging folder beside
//! the output folder (changed files written, unchanged ones hard-linked from the published
//! site, files the build did not write carried over), then the two folders are swapped in one
//! rename. A failed or interrupted build leaves the published site as it was; an unchanged site
//! writes nothing. A manifest in the output folder lists what the build wrote: only a folder
//! holding one (or a new or empty folder) is published into, and only files it lists are ever
//! removed. A lock file beside the output folder keeps two builds from publishing at once.
//! A small change can instead be published in place, file by file (`in_place`).

use crate::layout::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};
use anyhow::{bail, Context, Result};
use bytes::Bytes;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

pub use crate::layout::MANIFEST;
pub use in_place::publish_in_place;

mod in_place;

/// The manifest's first line; the paths follow, one JSON string a line, sorted.
const MANIFEST_HEADER: &str = "henan-stories output manifest 1";

/// Test hook: milliseconds to sleep between the steps of publishing, so that a test can
/// interrupt a build there.
const PAUSE_VAR: &str = "HENAN_STORIES_TEST_PUBLISH_PAUSE_MS";

/// Test hook: publish with two renames, as where the system cannot exchange two folders.
const NO_EXCHANGE_VAR: &str = "HENAN_STORIES_TEST_NO_EXCHANGE";

/// One file of the built site: a path relative to the output folder, and its bytes. The one
/// type for a built file, whether a build stages it or the preview keeps it: clones of `bytes`
/// share them, so whoever serves a file does not copy it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub bytes: Bytes,
}

impl Output {
    /// Its bytes without the room left by growing them (a third of rendered HTML, on
    /// average), as outputs may be kept for as long as the preview runs.
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Output {
            path: path.into(),
            bytes: Bytes::from(bytes.into().into_boxed_slice()),
        }
    }
}

/// What becomes of each output as soon as it is rendered: an in-memory build keeps it; a build
/// that publishes stages it on disk and keeps only its path, so memory does not grow with the
/// site's HTML.
pub type Sink<'s> = &'s (dyn Fn(Output) -> Result<Output, crate::diagnostics::Diagnostic> + Sync);

/// What becomes of a file of the site's `static/` (its output path, the file): an in-memory
/// build reads it into an output; a build that publishes copies it to the staging folder, never
/// holding a large file in memory whole.
pub type FileSink<'s> =
    &'s (dyn Fn(String, &Path) -> Result<Output, crate::diagnostics::Diagnostic> + Sync);

/// Where outputs go as they are made: rendered ones, and static files of the site.
#[derive(Clone, Copy)]
pub struct Sinks<'s> {
    pub output: Sink<'s>,
    pub file: FileSink<'s>,
}

/// The bytes of the output at `path` in `outputs` (sorted by path).
pub fn find<'o>(outputs: &'o [Output], path: &str) -> Option<&'o [u8]> {
    outputs
        .binary_search_by(|o| o.path.as_str().cmp(path))
        .ok()
        .map(|i| &outputs[i].bytes[..])
}

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
            "refusing to publish here: it contains the site itself, and stale files there would be deleted"
        );
    }
    for dir in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
        if out_abs.starts_with(root.join(dir)) {
            bail!("refusing to publish here: it is inside the site's {dir}/ folder");
        }
    }
    Ok(())
}

/// `path` made absolute and canonical as far as it exists.
pub(crate) fn absolute(path: &Path) -> PathBuf {
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

/// Makes `out` hold exactly `outputs` (besides files the build did not write).
pub fn sync(out: &Path, outputs: &[Output]) -> Result<SyncReport> {
    let stage = Stage::new(out)?;
    let kept: Vec<Output> = outputs
        .par_iter()
        .map(|o| stage.put(o.clone()))
        .collect::<Result<_>>()?;
    stage.commit(&kept)
}

/// The output folder's siblings: all on one file system with it, so that moves are renames.
struct Paths {
    out: PathBuf,
    /// Where the new site is assembled; after an exchange, where the old one is removed.
    staging: PathBuf,
    /// The old site between the two renames where folders cannot be exchanged.
    old: PathBuf,
    lock: PathBuf,
}

impl Paths {
    fn new(out: &Path) -> Result<Paths> {
        let out = absolute(out);
        let name = match out.file_name() {
            Some(name) if out.parent().is_some() => name.to_string_lossy().into_owned(),
            _ => bail!("cannot publish into {}: choose a folder", out.display()),
        };
        let sibling = |suffix: &str| out.with_file_name(format!(".{name}.{suffix}"));
        Ok(Paths {
            staging: sibling("staging"),
            old: sibling("old"),
            lock: sibling("lock"),
            out,
        })
    }
}

/// Whether a publish into `out` is under way or was interrupted (its staging folder, or the
/// old site between two renames, is there): the next build must put things in order.
pub fn unsettled(out: &Path) -> bool {
    Paths::new(out).map_or(true, |p| p.staging.exists() || p.old.exists())
}

/// What the output folder held when the build started.
#[derive(Default)]
struct Published {
    /// The files the last build wrote (from its manifest); `None` for a new or empty folder.
    manifest: Option<BTreeSet<String>>,
    /// Files and empty folders the build did not write, relative to the folder: they are
    /// carried over into each new build.
    foreign: Vec<PathBuf>,
    /// Whether it holds temporary files of an interrupted in-place publish, which the new
    /// site leaves out.
    leftovers: bool,
}

/// Writes a build's outputs as they are rendered, so that the whole site never has to be in
/// memory at once, without touching the output folder until the build has succeeded: outputs
/// whose bytes differ from the published file go to the staging folder; `commit` completes the
/// new site there and swaps it in; dropping an uncommitted `Stage` removes the staging folder
/// and leaves `out` alone.
pub struct Stage {
    paths: Paths,
    published: Published,
    /// Outputs written to the staging folder.
    staged: Mutex<Vec<String>>,
    /// Outputs the published site already holds: linked into the staging folder on commit.
    same: Mutex<Vec<String>>,
    /// Folders made in `staging` so far: most outputs go to a folder made for an earlier
    /// one, and asking the file system each time costs a few system calls per file. By their
    /// bytes, hashed with FxHash: hashing a `Path` (by its components, with SipHash) took
    /// 0.6 % of a build.
    made: Mutex<FxHashSet<OsString>>,
    unchanged: AtomicUsize,
    bytes: AtomicU64,
    /// Held until the stage is dropped (after the staging folder is removed).
    _lock: File,
}

impl Stage {
    /// Takes the lock on `out`, puts back what an interrupted publish left, checks that `out`
    /// may be published into, and makes an empty staging folder.
    pub fn new(out: &Path) -> Result<Stage> {
        let paths = Paths::new(out)?;
        let lock = lock(&paths)?;
        recover(&paths)?;
        let published = published(&paths.out)?;
        fs::create_dir(&paths.staging)
            .with_context(|| format!("failed to create {}", paths.staging.display()))?;
        Ok(Stage {
            paths,
            published,
            staged: Mutex::new(Vec::new()),
            same: Mutex::new(Vec::new()),
            made: Mutex::new(FxHashSet::default()),
            unchanged: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            _lock: lock,
        })
    }

    /// Whether the published site holds a file the build wrote at `path`.
    fn wrote(&self, path: &str) -> bool {
        self.published
            .manifest
            .as_ref()
            .is_some_and(|m| m.contains(path))
    }

    /// Stages one output unless `out` already holds its bytes; returns it without its bytes.
    /// Called from many threads at once.
    pub fn put(&self, output: Output) -> Result<Output> {
        let Output { path, bytes } = output;
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if self.wrote(&path) && holds(&self.paths.out.join(&path), &bytes) {
            self.keep(path.clone());
        } else {
            let staged = self.paths.staging.join(&path);
            self.make_staging_room(&staged)?;
            fs::write(&staged, &bytes)
                .with_context(|| format!("failed to write {}", staged.display()))?;
            self.staged_one(path.clone());
        }
        Ok(Output::new(path, Vec::new()))
    }

    /// `put` for an output that is the file `source`: compared and copied in chunks, never
    /// held in memory whole.
    pub fn put_file(&self, path: String, source: &Path) -> Result<Output> {
        let size = fs::metadata(source)
            .with_context(|| format!("failed to read {}", source.display()))?
            .len();
        self.bytes.fetch_add(size, Ordering::Relaxed);
        let published = self.paths.out.join(&path);
        if self.wrote(&path) && same_content(&published, source) {
            self.keep(path.clone());
        } else {
            let staged = self.paths.staging.join(&path);
            self.make_staging_room(&staged)?;
            copy_static(source, &staged).with_context(|| {
                format!(
                    "failed to copy {} to {}",
                    source.display(),
                    staged.display()
                )
            })?;
            self.staged_one(path.clone());
        }
        Ok(Output::new(path, Vec::new()))
    }

    fn keep(&self, path: String) {
        self.unchanged.fetch_add(1, Ordering::Relaxed);
        self.same.lock().expect("no panics while held").push(path);
    }

    fn staged_one(&self, path: String) {
        self.staged.lock().expect("no panics while held").push(path);
    }

    /// Completes the new site in the staging folder and swaps it in, unless nothing changed.
    pub fn commit(self, outputs: &[Output]) -> Result<SyncReport> {
        let staged = std::mem::take(&mut *self.staged.lock().expect("no panics while held"));
        let same = std::mem::take(&mut *self.same.lock().expect("no panics while held"));
        let wanted: BTreeSet<String> = outputs.iter().map(|o| o.path.clone()).collect();
        let removed = self
            .published
            .manifest
            .as_ref()
            .map_or(0, |m| m.difference(&wanted).count());
        let report = SyncReport {
            written: staged.len(),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed,
            bytes: self.bytes.load(Ordering::Relaxed),
        };
        let published = &self.published;
        if staged.is_empty() && published.manifest.as_ref() == Some(&wanted) && !published.leftovers
        {
            return Ok(report);
        }
        let untouched = || {
            format!(
                "{} still holds the previous build, unchanged",
                self.paths.out.display()
            )
        };
        pause("assembling the new site");
        self.assemble(&same, &wanted).with_context(untouched)?;
        pause("swapping it in");
        swap(&self.paths)?;
        pause("removing what the staging folder holds");
        Ok(report)
    }

    /// Makes the staging folder the complete new site: unchanged outputs linked from the
    /// published site, the files the build did not write carried over, the manifest last.
    fn assemble(&self, same: &[String], wanted: &BTreeSet<String>) -> Result<()> {
        let (out, staging) = (&self.paths.out, &self.paths.staging);
        same.par_iter().try_for_each(|path| {
            let target = staging.join(path);
            self.make_staging_room(&target)?;
            link_or_copy(&out.join(path), &target)
        })?;
        pause("carrying over files the build did not write");
        self.published
            .foreign
            .par_iter()
            .try_for_each(|rel| carry(out, staging, rel))?;
        let path = staging.join(MANIFEST);
        fs::write(&path, manifest_text(wanted))
            .with_context(|| format!("failed to write {}", path.display()))
    }
}

/// The manifest listing `paths`.
fn manifest_text(paths: &BTreeSet<String>) -> String {
    let mut manifest = format!("{MANIFEST_HEADER}\n");
    for path in paths {
        manifest.push_str(&serde_json::to_string(path).expect("a string serializes"));
        manifest.push('\n');
    }
    manifest
}

impl Drop for Stage {
    fn drop(&mut self) {
        // Committed or not, the staging folder goes: after a swap it holds the old site.
        let _ = fs::remove_dir_all(&self.paths.staging);
    }
}

/// Takes the lock file beside the output folder, waiting for a build that holds it.
fn lock(paths: &Paths) -> Result<File> {
    if let Some(parent) = paths.lock.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
        .with_context(|| format!("failed to open the lock file {}", paths.lock.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(fs::TryLockError::WouldBlock) => eprintln!(
            "another build is publishing to {}; waiting for it to finish (lock file {})",
            paths.out.display(),
            paths.lock.display()
        ),
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("failed to lock {}", paths.lock.display()))
        }
    }
    file.lock()
        .with_context(|| format!("failed to lock {}", paths.lock.display()))?;
    Ok(file)
}

/// Puts back what a publish interrupted (power cut, `kill -9`) left: where the output folder
/// was moved aside and the new site not yet moved in, the old site returns; leftover staging
/// and old folders go. Only called while holding the lock.
fn recover(paths: &Paths) -> Result<()> {
    let exists = |p: &Path| fs::symlink_metadata(p).is_ok();
    if !exists(&paths.out) && exists(&paths.old) {
        fs::rename(&paths.old, &paths.out).with_context(|| {
            format!(
                "an interrupted build left the published site in {}; moving it back to {} failed",
                paths.old.display(),
                paths.out.display()
            )
        })?;
    }
    for leftover in [&paths.old, &paths.staging] {
        if exists(leftover) {
            fs::remove_dir_all(leftover).with_context(|| {
                format!(
                    "failed to remove {}, left by an interrupted build",
                    leftover.display()
                )
            })?;
        }
    }
    Ok(())
}

/// What `out` holds, refusing a folder that is not a new or empty one or an earlier build's,
/// and one holding a symbolic link (the build never writes through links, so never outside
/// the output folder).
fn published(out: &Path) -> Result<Published> {
    let mut entries = match fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Published::default()),
        Err(e) => return Err(e).with_context(|| format!("cannot publish into {}", out.display())),
    };
    if entries.next().is_none() {
        return Ok(Published::default());
    }
    let manifest = read_manifest(out)?;
    let (mut foreign, mut leftovers) = (Vec::new(), false);
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.with_context(|| format!("failed to list {}", out.display()))?;
        let rel = entry.path().strip_prefix(out).expect("below out");
        let kind = entry.file_type();
        if kind.is_symlink() {
            bail!(
                "refusing to publish here: {} is a symbolic link, and the build never writes through links (nor outside the output folder); remove the link or choose another folder",
                entry.path().display()
            );
        }
        let ours = rel.to_str().is_some_and(|r| manifest.contains(r)) || rel == Path::new(MANIFEST);
        if in_place::is_leftover(rel) {
            leftovers = true;
            continue;
        }
        let empty_dir =
            kind.is_dir() && fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
        if (!kind.is_dir() && !ours) || empty_dir {
            foreign.push(rel.to_path_buf());
        }
    }
    Ok(Published {
        manifest: Some(manifest),
        foreign,
        leftovers,
    })
}

/// The paths an earlier build listed in the manifest in `out`, refusing a folder without one.
fn read_manifest(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A site published before builds wrote the manifest has a sitemap.
            let older = if out.join("sitemap.xml").is_file() {
                " (a folder published by a version of henan-stories that wrote no manifest is deleted once, then built again)"
            } else {
                ""
            };
            bail!(
                "refusing to publish here: it is not empty and holds no {MANIFEST}, so it is not the output of an earlier build, and publishing could overwrite or delete files there; choose a new or empty folder with --output, or delete this one if it holds nothing you need{older}"
            )
        }
        Err(e) => return Err(e).with_context(|| format!("failed to read {}", path.display())),
    };
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        bail!(
            "refusing to publish here: {} does not start with `{MANIFEST_HEADER}`; choose a new or empty folder with --output, or delete this one if it holds nothing you need",
            path.display()
        );
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: expected a path in quotes", path.display(), i + 2))
        })
        .collect()
}

/// Swaps the complete new site in the staging folder with the published one (or moves it in
/// when there is none). One exchange where the system supports it; elsewhere two renames,
/// which `recover` completes when interrupted between them.
fn swap(paths: &Paths) -> Result<()> {
    if fs::symlink_metadata(&paths.out).is_err() {
        return fs::rename(&paths.staging, &paths.out).with_context(|| {
            format!(
                "moving {} to {} failed, so there is no published site yet",
                paths.staging.display(),
                paths.out.display()
            )
        });
    }
    if exchange(&paths.staging, &paths.out)? {
        return Ok(());
    }
    fs::rename(&paths.out, &paths.old).with_context(|| {
        format!(
            "{} still holds the previous build, unchanged: moving it aside to {} failed",
            paths.out.display(),
            paths.old.display()
        )
    })?;
    pause("moving the new site in");
    if let Err(e) = fs::rename(&paths.staging, &paths.out) {
        let restored = fs::rename(&paths.old, &paths.out).is_ok();
        let state = if restored {
            format!("{} still holds the previous build", paths.out.display())
        } else {
            format!(
                "the previous build is in {}, and the next build puts it back",
                paths.old.display()
            )
        };
        return Err(e).with_context(|| format!("moving the new site in failed: {state}"));
    }
    pause("removing the old site");
    let _ = fs::remove_dir_all(&paths.old);
    Ok(())
}

/// Exchanges two folders in one step; false where the system cannot (then nothing moved).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    if std::env::var_os(NO_EXCHANGE_VAR).is_some() {
        return Ok(false);
    }
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
        Err(e) => {
            // The new site is assembled beside the output folder and swapped in.
            let hint = if matches!(e, Errno::BUSY | Errno::XDEV) {
                " (the output folder must be an ordinary folder on the same file system as the folder above it, not a mount point)"
            } else {
                ""
            };
            Err(std::io::Error::from(e)).with_context(|| {
                format!(
                    "{} still holds the previous build, unchanged: exchanging it with {} failed{hint}",
                    b.display(),
                    a.display()
                )
            })
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool> {
    let _ = NO_EXCHANGE_VAR;
    Ok(false)
}

/// The test hook's pause before the publishing step `next`, said on stderr so that a test
/// knows when publishing has begun.
fn pause(next: &str) {
    if let Some(ms) = std::env::var(PAUSE_VAR).ok().and_then(|v| v.parse().ok()) {
        eprintln!("(test hook) publishing: {next}");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// A hard link to `from` at `to` (which keeps the file's modification time and costs no
/// space), or a copy where the file system has no hard links.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_err() {
        fs::copy(from, to)
            .with_context(|| format!("failed to copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}

/// Carries a file or empty folder the build did not write from `out` into `staging`,
/// refusing when the new build puts something at its path or needs a folder there.
fn carry(out: &Path, staging: &Path, rel: &Path) -> Result<()> {
    let (from, to) = (out.join(rel), staging.join(rel));
    let clash = || {
        format!(
            "{} was not written by the build (it is not in {MANIFEST}), and the build now publishes a file at its path or in a folder there; move it out of the output folder",
            from.display()
        )
    };
    let Ok(meta) = fs::symlink_metadata(&from) else {
        return Ok(()); // removed since the build started
    };
    let is_dir = meta.is_dir();
    match fs::symlink_metadata(&to) {
        Ok(m) if is_dir && m.is_dir() => return Ok(()),
        Ok(_) => bail!(clash()),
        Err(_) => {}
    }
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).with_context(clash)?;
    }
    if is_dir {
        fs::create_dir(&to).with_context(clash)
    } else {
        link_or_copy(&from, &to)
    }
}

/// True when `path` is a file holding exactly `bytes`; the size is checked before reading.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|existing| existing == bytes)
        }
        _ => false,
    }
}

/// Copies a static file (in the kernel where it can), with its modification time, so that
/// the next build's `same_content` need not read it.
fn copy_static(source: &Path, to: &Path) -> std::io::Result<()> {
    fs::copy(source, to)?;
    let modified = fs::metadata(source)?.modified()?;
    File::options().write(true).open(to)?.set_modified(modified)
}

/// True when `published` is a file with the same bytes as `source`. Like rsync's quick check:
/// a different size means changed, the same size and modification time (which `copy_static`
/// gives the copy) unchanged; otherwise the contents are compared in chunks, so a large file
/// is never held in memory whole.
fn same_content(published: &Path, source: &Path) -> bool {
    const CHUNK: u64 = 1 << 16;
    let (Ok(p), Ok(s)) = (fs::symlink_metadata(published), fs::metadata(source)) else {
        return false;
    };
    if !p.is_file() || p.len() != s.len() {
        return false;
    }
    if p.modified()
        .is_ok_and(|t| s.modified().is_ok_and(|u| t == u))
    {
        return true;
    }
    let (Ok(mut a), Ok(mut b)) = (File::open(published), File::open(source)) else {
        return false;
    };
    let (mut x, mut y) = (
        Vec::with_capacity(CHUNK as usize),
        Vec::with_capacity(CHUNK as usize),
    );
    loop {
        x.clear();
        y.clear();
        let read = (&mut a)
            .take(CHUNK)
            .read_to_end(&mut x)
            .and_then(|n| (&mut b).take(CHUNK).read_to_end(&mut y).map(|m| (n, m)));
        match read {
            Ok((0, 0)) => return true,
            Ok(_) if x == y => {}
            _ => return false,
        }
    }
}

impl Stage {
    /// `make_room` in the staging folder, which starts empty: what is in it is known from
    /// `made`, so most files need no system call before they are written.
    fn make_staging_room(&self, path: &Path) -> Result<()> {
        let staging = &self.paths.staging;
        let mut made = self.made.lock().expect("no panics while held");
        let parent = path.parent();
        if !made.contains(path.as_os_str()) {
            if let Some(parent) = parent {
                if made.contains(parent.as_os_str()) {
                    return Ok(());
                }
                // Most pages have a folder of their own, in a folder made before: one
                // `mkdir`, and the checks below only if something is in the way.
                let known = |g: &Path| g == staging || made.contains(g.as_os_str());
                if parent.parent().is_some_and(known) && fs::create_dir(parent).is_ok() {
                    made.insert(parent.as_os_str().to_owned());
                    return Ok(());
                }
            }
        }
        if made.contains(path.as_os_str()) {
            // `make_room` removes the folder in the way, and what was made in it.
            made.clear();
        }
        make_room(path)?;
        if let Some(parent) = parent {
            made.extend(
                parent
                    .ancestors()
                    .take_while(|a| *a != staging)
                    .map(|a| a.as_os_str().to_owned()),
            );
        }
        Ok(())
    }
}

/// Clears the way for a file at `path` in the staging folder: a folder in its place goes, as
/// does a file where a parent folder is needed; parents are created.
fn make_room(path: &Path) -> Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(path)
            .with_context(|| format!("failed to replace folder {}", path.display()))?;
    }
    if let Some(parent) = path.parent() {
        if parent.is_file() {
            fs::remove_file(parent).ok();
        }
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    Ok(())
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
    fn keeps_files_it_did_not_write_and_refuses_a_folder_it_does_not_own() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("public");
        sync(&site, &[out("a.html", "A"), out("b.html", "B")]).unwrap();
        std::fs::write(site.join("CNAME"), "example.org").unwrap();
        let r = sync(&site, &[out("a.html", "A2")]).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (1, 0, 1));
        assert!(site.join("CNAME").exists());
        assert!(!site.join("b.html").exists());
        std::fs::remove_file(site.join(MANIFEST)).unwrap();
        let e = sync(&site, &[out("a.html", "A")]).unwrap_err();
        assert!(format!("{e:#}").contains("holds no"), "{e:#}");
        assert!(site.join("CNAME").exists());
    }

    #[test]
    fn a_site_moved_aside_by_an_interrupted_publish_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("public");
        sync(&site, &[out("a.html", "A")]).unwrap();
        std::fs::write(site.join("CNAME"), "example.org").unwrap();
        // Killed between the two renames: the old site aside, the new one still staged.
        std::fs::rename(&site, dir.path().join(".public.old")).unwrap();
        std::fs::create_dir(dir.path().join(".public.staging")).unwrap();
        let r = sync(&site, &[out("a.html", "A")]).unwrap();
        assert_eq!((r.written, r.unchanged), (0, 1));
        assert!(site.join("CNAME").exists());
        assert!(!dir.path().join(".public.old").exists());
        assert!(!dir.path().join(".public.staging").exists());
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
