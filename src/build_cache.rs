//! What `build` remembers between runs, in `.cache/build/` in the site folder: after a
//! successful build, the stamps (size, modification and change times, inode) of every source it
//! could have read, taken before it read them, and of every file it published, with the
//! options and binary that made them and the warnings it printed. A later `build` whose
//! sources, options, binary and published files all still have those stamps would publish
//! exactly what is there, so it says so without loading or rendering anything.
//!
//! Anything that does not match exactly — a source added, removed or touched, another option,
//! date or binary, a published file changed — or a cache that is missing, cut short, corrupt
//! (a checksum covers it) or of another version means a full build: the cache can make a build
//! faster, never different. A stamp taken less than a second after its file changed is not
//! trusted (a further edit in the same tick of the file system's clock could keep it), so the
//! next build after such an edit is a full one. Published files are stamped once the build
//! has published them: only a change to one by something else, within the same tick and right
//! after the build, could go unseen. A build that publishes in place marks the cache while it
//! does (`Cache::publishing_marker`): a mark left by an interrupted one means a full build, which
//! publishes the whole site again and removes the mark. Deleting the folder is always safe.
//!
//! A build also keeps its engine (`incremental::Kept`), in parts that each carry a CRC-32, under
//! a number its state names. When the published files are as the last build left them and
//! only pages' Markdown files changed (the same files listed), the verdict is `Edited`: the
//! next build restores that engine and makes only what the edit touches. A part that is
//! missing, damaged or another build's means a full build, as above.

use crate::files::Stamp;
use crate::incremental::Kept;
use crate::layout::{CONFIG_FILE, CONTENT_DIR, MANIFEST, STATIC_DIR, TEMPLATES_DIR};
use crate::output::Output;
use crate::pipeline::Options;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The cache's folder in the site, beside the photos' (`.cache/images`).
pub const CACHE_DIR: &str = ".cache/build";

/// The file holding the last build's `State`: `HEADER`, the SHA-1 of the rest, the rest.
const STATE_FILE: &str = "state";

/// Exists while a build publishes in place (`output::publish_in_place`): found by a later
/// build, it means the output folder may be half old, half new.
const PUBLISHING_FILE: &str = "publishing";

/// Changes with the layout of `State`: a cache of another version is not read.
const HEADER: &[u8] = b"henan-stories build cache 2\n";

/// The file naming the parts of what the last build's engine needs (`incremental::Kept`):
/// `ENGINE_HEADER`, the number of the state it goes with, a CRC-32 of the rest, and the
/// parts' CRC-32s and lengths. Each part is a file of its own named by them (`PART_PREFIX`),
/// so that a build after an edit writes only the parts that changed.
const ENGINE_FILE: &str = "engine";

/// Begins the name of a part of the engine: `engine-<CRC-32 in hex>-<length>`.
const PART_PREFIX: &str = "engine-";

/// Changes with the layout of `Kept` (and of the model types it holds).
const ENGINE_HEADER: &[u8] = b"henan-stories build engine 5\n";

/// Test hook: how long (in milliseconds) after its last change a file's stamp is trusted,
/// instead of a second, so that tests need not wait.
const MARGIN_VAR: &str = "HENAN_STORIES_TEST_STAMP_MARGIN_MS";

/// Everything besides the sources that decides what a build publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Key {
    version: String,
    /// The running binary's path, size and modification time: a rebuilt binary may render
    /// differently, and its built-in theme is in it.
    binary: Option<(PathBuf, u64, Option<SystemTime>)>,
    root: PathBuf,
    out: PathBuf,
    drafts: bool,
    base_url: Option<String>,
    /// The day the build takes as today (`SOURCE_DATE_EPOCH`, or the clock).
    build_date: (i32, Option<u8>, Option<u8>),
}

/// One entry of the listing of the sources, by path relative to the site folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Entry {
    Folder,
    File(Stamp),
    /// Changed too recently to trust its stamp: the next build is a full one.
    Unsettled,
    /// Listed but not readable (a broken link, say).
    Unreadable,
}

/// What the last successful build left.
#[derive(Serialize, Deserialize)]
struct State {
    key: Key,
    sources: Vec<(String, Entry)>,
    /// Every published file with its stamp, the output folder's manifest included.
    outputs: Vec<(String, Stamp)>,
    said: Said,
    /// The number written in the engine file saved with this state, if one was.
    engine: Option<u64>,
}

/// What a build said besides its summary, to say it again when nothing changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Said {
    /// The site's language codes, for the summary's count per language.
    pub languages: Vec<String>,
    /// The warnings as printed, without and with colour.
    pub plain: String,
    pub coloured: String,
}

/// The last build, still current: what it published (path and size, sorted) and said.
pub struct Hit {
    pub outputs: Vec<(String, u64)>,
    pub said: Said,
}

/// What the cache says before a build.
pub enum Verdict {
    /// The published site is the one a build would publish.
    Current(Hit),
    /// The published site is the last build's, and only pages' Markdown files changed since:
    /// the engine of that build can bring it up to date.
    Edited(Box<Edited>),
    /// A build is needed, for the reason given; with the sources as stamped before it, when
    /// they could be listed, to save once it succeeded.
    Stale(Option<Sources>, anyhow::Error),
}

/// The stamps of the sources, taken before a build reads them.
pub struct Sources(Vec<(String, Entry)>);

/// The last build, when only content files (`.md`) changed since, for its engine to update.
pub struct Edited {
    pub kept: Kept,
    /// The changed files, relative to the site folder (`content/regions/attica.en.md`).
    pub changed: Vec<String>,
    /// The published files with their stamps, as this build found them (the manifest left
    /// out), sorted by path.
    pub outputs: Vec<(String, Stamp)>,
    /// The sources as stamped before this build, to save once it succeeded.
    pub sources: Sources,
}

/// The cache of one site, for builds with these options into one output folder.
pub struct Cache {
    root: PathBuf,
    out: PathBuf,
    key: Key,
    /// The parts of the engine this run read and found whole: saving does not write them again.
    verified: std::sync::Mutex<BTreeSet<String>>,
}

/// A part of the engine, by its CRC-32 and length.
type PartRef = (u32, u64);

fn part_name((crc, len): PartRef) -> String {
    format!("{PART_PREFIX}{crc:08x}-{len}")
}

impl Cache {
    pub fn new(options: &Options, out: &Path) -> Cache {
        let root = crate::output::absolute(&options.root);
        let out = crate::output::absolute(out);
        let date = options.build_date;
        let key = Key {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            binary: binary(),
            root: root.clone(),
            out: out.clone(),
            drafts: options.drafts,
            base_url: options.base_url.clone(),
            build_date: (date.year, date.month, date.day),
        };
        Cache {
            root,
            out,
            key,
            verified: Default::default(),
        }
    }

    fn file(&self) -> PathBuf {
        self.root.join(CACHE_DIR).join(STATE_FILE)
    }

    /// The marker an in-place publish writes before its first change and removes after its
    /// last.
    pub fn publishing_marker(&self) -> PathBuf {
        self.root.join(CACHE_DIR).join(PUBLISHING_FILE)
    }

    /// After a full build published the whole site (staged and swapped in): an in-place
    /// publish that was interrupted is repaired.
    pub fn published_whole(&self) -> Result<()> {
        let marker = self.publishing_marker();
        match std::fs::remove_file(&marker) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("removing {}", marker.display()))
            }
            _ => Ok(()),
        }
    }

    /// Whether the published site is current; stamps the sources before a build reads them
    /// (an edit during the build then changes their stamps).
    pub fn verdict(&self) -> Verdict {
        // Side by side: listing and stamping wait on the file system, checking the state
        // file's sum and decoding it on the CPU.
        let (sources, state) = rayon::join(|| self.stamp_sources(), || self.as_left());
        let sources = match sources {
            Ok(sources) => sources,
            Err(e) => return Verdict::Stale(None, e),
        };
        let state = match state {
            Ok(state) => state,
            Err(why) => return Verdict::Stale(Some(sources), why),
        };
        let changed = match pages_changed(&state.sources, &sources.0) {
            Ok(changed) => changed,
            Err(why) => return Verdict::Stale(Some(sources), why),
        };
        // The engine, when needed, is read while the published files are stamped.
        let needed = !changed.is_empty();
        let (output, kept) = rayon::join(
            || self.changed_output(&state.outputs),
            || needed.then(|| self.load_engine(state.engine)),
        );
        if let Some(path) = output {
            let why = anyhow::anyhow!("{path} in the output folder changed");
            return Verdict::Stale(Some(sources), why);
        }
        let outputs = state.outputs.into_iter();
        let outputs = outputs.filter(|(path, _)| path != MANIFEST);
        match kept {
            None => Verdict::Current(Hit {
                outputs: outputs.map(|(path, stamp)| (path, stamp.len)).collect(),
                said: state.said,
            }),
            Some(Ok(kept)) => Verdict::Edited(Box::new(Edited {
                kept,
                changed,
                outputs: outputs.collect(),
                sources,
            })),
            Some(Err(why)) => Verdict::Stale(Some(sources), why.context("pages changed")),
        }
    }

    /// The last build's state, when it was built with the same options and binary and no
    /// publish into the output folder was interrupted since; else why not, for `--verbose`.
    fn as_left(&self) -> Result<State> {
        let state = self.load()?;
        if state.key != self.key {
            bail!("the options, the date or the binary changed");
        }
        if self.publishing_marker().exists() {
            bail!(
                "publishing in place was interrupted: the output folder may be half old, half new"
            );
        }
        if crate::output::unsettled(&self.out) {
            bail!("a publish into the output folder is under way or was interrupted");
        }
        Ok(state)
    }

    /// The engine the last build kept, when it is the one saved with its state (`number`).
    fn load_engine(&self, number: Option<u64>) -> Result<Kept> {
        let Some(number) = number else {
            bail!("the last build kept no engine");
        };
        let dir = self.root.join(CACHE_DIR);
        let file = dir.join(ENGINE_FILE);
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let Some(rest) = bytes.strip_prefix(ENGINE_HEADER) else {
            bail!("{} is not an engine of this version", file.display());
        };
        let (head, rest) = rest.split_at(rest.len().min(12));
        if head.get(..8) != Some(&number.to_le_bytes()[..]) {
            bail!("{} is not the last build's", file.display());
        }
        if head[8..] != crc32fast::hash(rest).to_le_bytes() {
            bail!(
                "{} is damaged (its checksum does not match)",
                file.display()
            );
        }
        let refs: Vec<PartRef> =
            bincode::deserialize(rest).with_context(|| format!("decoding {}", file.display()))?;
        let parts: Vec<Vec<u8>> = refs
            .par_iter()
            .map(|&(crc, len)| {
                let part = dir.join(part_name((crc, len)));
                let bytes =
                    std::fs::read(&part).with_context(|| format!("reading {}", part.display()))?;
                if bytes.len() as u64 != len || crc32fast::hash(&bytes) != crc {
                    bail!(
                        "{} is damaged (its checksum does not match)",
                        part.display()
                    );
                }
                Ok(bytes)
            })
            .collect::<Result<_>>()?;
        let kept = Kept::decode(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
            .with_context(|| format!("decoding the parts {} names", file.display()))?;
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        verified.extend(refs.into_iter().map(part_name));
        Ok(kept)
    }

    /// The state in the cache file, checked against its checksum.
    fn load(&self) -> Result<State> {
        let file = self.file();
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let Some(rest) = bytes.strip_prefix(HEADER) else {
            bail!("{} is not a cache of this version", file.display());
        };
        let (sum, body) = rest.split_at(rest.len().min(20));
        if Sha1::digest(body).as_slice() != sum {
            bail!(
                "{} is damaged (its checksum does not match)",
                file.display()
            );
        }
        bincode::deserialize(body).with_context(|| format!("decoding {}", file.display()))
    }

    /// The first published file whose stamp is not the one recorded.
    fn changed_output(&self, outputs: &[(String, Stamp)]) -> Option<String> {
        outputs
            .par_iter()
            .find_any(|(path, stamp)| {
                std::fs::symlink_metadata(self.out.join(path))
                    .map_or(true, |m| !m.is_file() || Stamp::of(&m) != *stamp)
            })
            .map(|(path, _)| path.clone())
    }

    /// Stamps every file a build could read: `site.toml` and everything in `content/`,
    /// `templates/` and `static/` (ignored files too: a superset only costs a full build
    /// when an editor's swap file changes).
    fn stamp_sources(&self) -> Result<Sources> {
        let config = self.root.join(CONFIG_FILE);
        let mut listed = vec![(CONFIG_FILE.to_owned(), config, Listed::File)];
        for folder in [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR] {
            list(&self.root, folder, &mut listed)?;
        }
        let (now, margin) = (SystemTime::now(), margin());
        let mut entries: Vec<(String, Entry)> = listed
            .into_par_iter()
            .map(|(rel, path, listed)| {
                let entry = match listed {
                    Listed::Folder => Entry::Folder,
                    Listed::Error => Entry::Unreadable,
                    Listed::File => stamp(&path, now, margin),
                };
                (rel, entry)
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Sources(entries))
    }

    /// Records a successful build: the sources as stamped before it, its published
    /// `outputs` as stamped after it, what it said, and what its engine needs to update it.
    pub fn save(
        &self,
        sources: Sources,
        outputs: &[(String, Option<Stamp>)],
        said: Said,
        kept: Option<&Kept>,
    ) -> Result<()> {
        let mut stamped = Vec::with_capacity(outputs.len() + 1);
        for (path, stamp) in outputs {
            let stamp = stamp.with_context(|| format!("{path} could not be read back"))?;
            stamped.push((path.clone(), stamp));
        }
        let manifest = self.out.join(MANIFEST);
        let meta = std::fs::symlink_metadata(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        stamped.push((MANIFEST.to_owned(), Stamp::of(&meta)));
        // Saved first: a state never names an engine file that is not there yet.
        let engine = kept.map(|kept| self.save_engine(kept)).transpose()?;
        let state = State {
            key: self.key.clone(),
            sources: sources.0,
            outputs: stamped,
            said,
            engine: engine.as_ref().map(|(number, _)| *number),
        };
        let body = bincode::serialize(&state).context("encoding the build cache")?;
        let mut bytes = HEADER.to_vec();
        bytes.extend_from_slice(&Sha1::digest(&body));
        bytes.extend_from_slice(&body);
        let file = self.file_in_cache(STATE_FILE)?;
        crate::files::write_atomically(&file, &bytes).map_err(anyhow::Error::msg)?;
        self.remove_other_parts(engine.as_ref().map_or(&[], |(_, refs)| refs))
    }

    /// Writes the parts of `kept` that this run did not find whole already, then the engine
    /// file naming them, under a number of its own that the state then names: an engine file
    /// left by another build is never taken for this one's.
    fn save_engine(&self, kept: &Kept) -> Result<(u64, Vec<PartRef>)> {
        let dir = self.file_in_cache("")?;
        let verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        let mut refs = Vec::new();
        kept.encode(&mut |bytes: Vec<u8>| {
            let part = (crc32fast::hash(&bytes), bytes.len() as u64);
            let name = part_name(part);
            if !verified.contains(&name) {
                crate::files::write_atomically(&dir.join(&name), &bytes)
                    .map_err(anyhow::Error::msg)?;
            }
            refs.push(part);
            Ok(())
        })
        .context("encoding the build's engine")?;
        let number = engine_number();
        let body = bincode::serialize(&refs)?;
        let mut bytes = ENGINE_HEADER.to_vec();
        bytes.extend_from_slice(&number.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        crate::files::write_atomically(&dir.join(ENGINE_FILE), &bytes)
            .map_err(anyhow::Error::msg)?;
        Ok((number, refs))
    }

    /// Removes the parts of engines that `refs`, the engine just saved, does not name (and
    /// what an interrupted save left of one).
    fn remove_other_parts(&self, refs: &[PartRef]) -> Result<()> {
        let dir = self.root.join(CACHE_DIR);
        let keep: BTreeSet<String> = refs.iter().copied().map(part_name).collect();
        let listed =
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?;
        for entry in listed.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(PART_PREFIX) && !keep.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// `name` in the cache's folder, which is made if need be.
    fn file_in_cache(&self, name: &str) -> Result<PathBuf> {
        let dir = self.root.join(CACHE_DIR);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir.join(name))
    }
}

/// Each output of a build as published in `out`: its path, and its stamp (`None` when it
/// cannot be read back).
pub fn stamp_outputs(out: &Path, outputs: &[Output]) -> Vec<(String, Option<Stamp>)> {
    restamp(out, outputs, &[], &[])
}

/// The pages' Markdown files whose stamps changed from `old` to `new` (or were too recent to
/// trust), when the same files are listed and no other changed; else why not.
fn pages_changed(old: &[(String, Entry)], new: &[(String, Entry)]) -> Result<Vec<String>> {
    if old.len() != new.len() || old.iter().zip(new).any(|(a, b)| a.0 != b.0) {
        bail!("a source was added or removed");
    }
    let mut changed = Vec::new();
    for ((path, was), (_, is)) in old.iter().zip(new) {
        let unsettled = *was == Entry::Unsettled || *is == Entry::Unsettled;
        if was == is && !unsettled {
            continue;
        }
        match (is_page_file(path), *was == Entry::Unsettled) {
            (true, _) => changed.push(path.clone()),
            (false, true) => bail!("{path} had changed less than a second before the last build"),
            (false, false) => bail!("a source changed: {path}"),
        }
    }
    // Many pages at once (a checkout, or a site copied just before its last build, all of
    // whose files were too recent to trust) are built in full: the engine holds what it makes
    // until it publishes (15,000 pages peaked at 374 MB this way), a full build streams.
    let pages = new.iter().filter(|(path, _)| is_page_file(path)).count();
    if changed.len() > MANY_PAGES.max(pages / 10) {
        bail!("{} of the {pages} pages' files changed", changed.len());
    }
    Ok(changed)
}

/// Whether the source `path` (relative to the site folder) is a page's Markdown file.
fn is_page_file(path: &str) -> bool {
    let in_content = path
        .strip_prefix(CONTENT_DIR)
        .is_some_and(|p| p.starts_with('/'));
    in_content && path.ends_with(".md")
}

/// The fewest changed pages' files that `pages_changed` leaves to a full build (or more, a
/// tenth of them).
const MANY_PAGES: usize = 64;

/// A number for the engine file, unlike any an earlier build wrote.
fn engine_number() -> u64 {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    let nanos = now.map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// `stamp_outputs` after an edit published in place: the outputs at `changed` paths stamped
/// again, the others keeping their stamps in `before` (sorted by path), which this build found
/// them with; those not in `before` stamped too.
pub fn restamp(
    out: &Path,
    outputs: &[Output],
    before: &[(String, Stamp)],
    changed: &[String],
) -> Vec<(String, Option<Stamp>)> {
    let changed: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
    outputs
        .par_iter()
        .map(|o| {
            let kept = match changed.contains(o.path.as_str()) {
                true => None,
                false => before.binary_search_by(|(p, _)| p.cmp(&o.path)).ok(),
            };
            let stamp = match kept {
                Some(i) => Some(before[i].1),
                None => std::fs::symlink_metadata(out.join(&o.path))
                    .ok()
                    .map(|m| Stamp::of(&m)),
            };
            (o.path.clone(), stamp)
        })
        .collect()
}

/// What listing found at a path.
enum Listed {
    Folder,
    File,
    /// A broken link, a loop, a missing folder.
    Error,
}

/// Adds `root/folder` and everything below it (links followed) to `listed`, as (path
/// relative to `root`, path, what it is).
fn list(root: &Path, folder: &str, listed: &mut Vec<(String, PathBuf, Listed)>) -> Result<()> {
    for entry in walkdir::WalkDir::new(root.join(folder)).follow_links(true) {
        let (path, what) = match entry {
            Ok(e) if e.file_type().is_dir() => (e.into_path(), Listed::Folder),
            Ok(e) => (e.into_path(), Listed::File),
            Err(e) => match e.path() {
                Some(path) => (path.to_path_buf(), Listed::Error),
                None => return Err(e).context("listing the sources"),
            },
        };
        listed.push((crate::files::relative(root, &path), path, what));
    }
    Ok(())
}

/// A listed file's entry: its stamp, when it last changed at least `margin` before `now`.
fn stamp(path: &Path, now: SystemTime, margin: Duration) -> Entry {
    match std::fs::metadata(path) {
        Ok(meta) => match Stamp::of(&meta) {
            stamp if stamp.settled_before(now, margin) => Entry::File(stamp),
            _ => Entry::Unsettled,
        },
        Err(_) => Entry::Unreadable,
    }
}

/// How long after its last change a file's stamp is trusted.
fn margin() -> Duration {
    let ms = std::env::var(MARGIN_VAR).ok().and_then(|v| v.parse().ok());
    Duration::from_millis(ms.unwrap_or(1000))
}

/// The running binary's path, size and modification time.
fn binary() -> Option<(PathBuf, u64, Option<SystemTime>)> {
    let path = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    Some((path, meta.len(), meta.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, len: u64) -> (String, Entry) {
        let mut stamp = Stamp::of(&std::fs::metadata("Cargo.toml").unwrap());
        stamp.len = len;
        (path.to_owned(), Entry::File(stamp))
    }

    #[test]
    fn only_pages_changed_when_only_markdown_under_content_did() {
        let old = [
            file("content/a.en.md", 1),
            file("content/b.en.md", 1),
            ("content/c.en.md".to_owned(), Entry::Unsettled),
            file("static/x.css", 1),
        ];
        let mut new = [
            file("content/a.en.md", 2),
            file("content/b.en.md", 1),
            file("content/c.en.md", 1),
            file("static/x.css", 1),
        ];
        // Changed, or too recent to tell at the last build.
        let changed = pages_changed(&old, &new).unwrap();
        assert_eq!(changed, ["content/a.en.md", "content/c.en.md"]);
        assert!(pages_changed(&old, &old)
            .unwrap()
            .contains(&"content/c.en.md".to_owned()));
        new[3] = file("static/x.css", 2);
        assert!(pages_changed(&old, &new).is_err());
        let fewer = &new[..3];
        assert!(pages_changed(&old, fewer).is_err());
        let renamed = [
            file("content/z.en.md", 1),
            new[1].clone(),
            new[2].clone(),
            new[3].clone(),
        ];
        assert!(pages_changed(&old, &renamed).is_err());
    }
}
