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

use crate::files::Stamp;
use crate::layout::{CONFIG_FILE, CONTENT_DIR, MANIFEST, STATIC_DIR, TEMPLATES_DIR};
use crate::output::Output;
use crate::pipeline::Options;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
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
const HEADER: &[u8] = b"henan-stories build cache 1\n";

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
#[derive(Debug, PartialEq, Serialize, Deserialize)]
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
    /// A build is needed, for the reason given; with the sources as stamped before it, when
    /// they could be listed, to save once it succeeded.
    Stale(Option<Sources>, anyhow::Error),
}

/// The stamps of the sources, taken before a build reads them.
pub struct Sources(Vec<(String, Entry)>);

/// The cache of one site, for builds with these options into one output folder.
pub struct Cache {
    root: PathBuf,
    out: PathBuf,
    key: Key,
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
        Cache { root, out, key }
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
        let sources = match self.stamp_sources() {
            Ok(sources) => sources,
            Err(e) => return Verdict::Stale(None, e),
        };
        match self.current(&sources) {
            Ok(hit) => Verdict::Current(hit),
            Err(why) => Verdict::Stale(Some(sources), why),
        }
    }

    /// The last build, when its sources, options and published files are all as it left
    /// them; else why not, for `--verbose`.
    fn current(&self, sources: &Sources) -> Result<Hit> {
        let state = self.load()?;
        if state.key != self.key {
            bail!("the options, the date or the binary changed");
        }
        if state.sources.iter().any(|(_, e)| *e == Entry::Unsettled) {
            bail!("a source had changed less than a second before the last build");
        }
        if sources.0 != state.sources {
            bail!("a source changed");
        }
        if self.publishing_marker().exists() {
            bail!(
                "publishing in place was interrupted: the output folder may be half old, half new"
            );
        }
        if crate::output::unsettled(&self.out) {
            bail!("a publish into the output folder is under way or was interrupted");
        }
        if let Some(path) = self.changed_output(&state.outputs) {
            bail!("{path} in the output folder changed");
        }
        let outputs = state.outputs.into_iter();
        let outputs = outputs.filter(|(path, _)| path != MANIFEST);
        Ok(Hit {
            outputs: outputs.map(|(path, stamp)| (path, stamp.len)).collect(),
            said: state.said,
        })
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
    /// `outputs` as stamped after it, and what it said.
    pub fn save(
        &self,
        sources: Sources,
        outputs: &[(String, Option<Stamp>)],
        said: Said,
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
        let state = State {
            key: self.key.clone(),
            sources: sources.0,
            outputs: stamped,
            said,
        };
        self.write(&state)
    }

    fn write(&self, state: &State) -> Result<()> {
        let body = bincode::serialize(state).context("encoding the build cache")?;
        let mut bytes = HEADER.to_vec();
        bytes.extend_from_slice(&Sha1::digest(&body));
        bytes.extend_from_slice(&body);
        let file = self.file();
        let dir = file.parent().expect("the cache file is in a folder");
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        crate::files::write_atomically(&file, &bytes).map_err(anyhow::Error::msg)
    }
}

/// Each output of a build as published in `out`: its path, and its stamp (`None` when it
/// cannot be read back).
pub fn stamp_outputs(out: &Path, outputs: &[Output]) -> Vec<(String, Option<Stamp>)> {
    outputs
        .par_iter()
        .map(|o| {
            let meta = std::fs::symlink_metadata(out.join(&o.path));
            (o.path.clone(), meta.ok().map(|m| Stamp::of(&m)))
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
