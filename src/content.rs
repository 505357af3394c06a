//! The site model — pages, sections and their translations — and how it is loaded from
//! `content/`: discovery, front matter, translation pairing, inheritance of language-neutral
//! fields, and the cross-file checks (URL collisions, region references).

use crate::config::Config;
use crate::dates::PartialDate;
use crate::diagnostics::{suggest, Diagnostic};
use crate::files;
use crate::front_matter::{self, FrontMatter, Neutral, PageKind, NEUTRAL_FIELDS};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::SystemTime;

pub const CONTENT_DIR: &str = "content";
pub const REGIONS: &str = "regions";
pub const EVENTS: &str = "events";

/// One content file in one language.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root, with `/` separators: `content/regions/attica.en.md`.
    pub file: String,
    pub lang: String,
    /// Folder under `content/` (`regions`, `stories/2023`, or empty at the top).
    pub dir: String,
    /// The file name without language suffix and extension: `attica`.
    pub key: String,
    /// `dir/key`: what translations of one page share.
    pub id: String,
    pub kind: PageKind,
    pub front: FrontMatter,
    /// The URL segment: the front matter's `slug`, else the key.
    pub slug: String,
    /// Site path, always starting and ending with a slash: `/en/regions/attica/`.
    pub path: String,
    /// The normalized source (no BOM, LF line ends). Empty once a full build has taken it
    /// (`Site::take_sources`): read it again with `source_text`.
    pub source: String,
    pub body_line: usize,
    /// Byte offset of the Markdown body in `source`.
    pub body_start: usize,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// The source, for quoting a line in a message: from memory, or from `root` again after a
    /// build took it (an empty file has nothing to quote either way).
    pub fn source_text(&self, root: &Path) -> std::borrow::Cow<'_, str> {
        if self.source.is_empty() {
            let text = std::fs::read_to_string(root.join(&self.file)).unwrap_or_default();
            std::borrow::Cow::Owned(crate::front_matter::normalize(&text))
        } else {
            std::borrow::Cow::Borrowed(&self.source)
        }
    }

    pub fn is_region(&self) -> bool {
        self.kind == PageKind::Region
    }

    pub fn is_event(&self) -> bool {
        self.kind == PageKind::Event
    }
}

/// A folder's list page in one language; `dir` is empty for the home page.
#[derive(Debug, Clone)]
pub struct Section {
    pub lang: String,
    pub dir: String,
    /// `_index.<lang>.md`, when the folder has one.
    pub index: Option<Page>,
    /// Site path: `/en/regions/`, `/en/` for the home page.
    pub path: String,
    /// Indices into `Site::pages`, in list order.
    pub pages: Vec<usize>,
    /// Folders directly below, by `dir`.
    pub subsections: Vec<String>,
}

/// Everything loaded and validated, ready to render. Pages are sorted by (id, language order).
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    /// "Today", from `SOURCE_DATE_EPOCH` when set.
    pub build_date: PartialDate,
    /// Region keys that exist in any language (drafts included), sorted, for references and
    /// hints.
    pub region_keys: Vec<String>,
    /// Ids of the draft pages this build leaves out, so a link to one can say why it is broken.
    pub drafts: HashSet<String>,
    by_id: HashMap<String, Vec<usize>>,
}

/// What `load` produces: the site (if nothing is fatal) and every diagnostic.
pub struct Loaded {
    pub site: Option<Site>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every content file made it into the site and no two publish to one URL: even with
    /// errors (a mismatched field, an unknown region) the site can be rendered to find more
    /// problems, such as broken links, without reporting links to dropped files as broken.
    pub whole: bool,
}

/// A page with its warnings, or the errors that stopped it.
type PageResult = Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>>;

pub struct LoadOptions {
    pub drafts: bool,
    pub build_date: PartialDate,
}

impl Site {
    /// Moves the pages' sources out of the model, aligned with `pages`, so that a build can let
    /// each go as soon as the page is rendered: together they are as large as the content.
    pub fn take_sources(&mut self) -> Vec<String> {
        self.pages
            .iter_mut()
            .map(|p| std::mem::take(&mut p.source))
            .collect()
    }

    /// The page of the site read from the same file as `page`, if the site has it.
    fn holding(&self, page: &Page) -> Option<&Page> {
        if page.key == "_index" {
            self.section(&page.dir, &page.lang)?.index.as_ref()
        } else {
            self.page(&page.id, &page.lang)
        }
        .filter(|p| p.file == page.file)
    }

    /// Translations of a page id, in language order.
    pub fn translations(&self, id: &str) -> impl Iterator<Item = &Page> {
        self.by_id
            .get(id)
            .into_iter()
            .flatten()
            .map(move |&i| &self.pages[i])
    }

    pub fn page(&self, id: &str, lang: &str) -> Option<&Page> {
        self.translations(id).find(|p| p.lang == lang)
    }

    pub fn section(&self, dir: &str, lang: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.dir == dir && s.lang == lang)
    }

    /// The regions a page names (`regions: [...]`) that exist in its language.
    pub fn regions_of<'a>(&'a self, p: &'a Page) -> impl Iterator<Item = &'a Page> {
        p.front
            .neutral
            .regions
            .iter()
            .flatten()
            .filter_map(|key| self.page(&format!("{REGIONS}/{key}"), &p.lang))
    }

    /// Published pages of a kind in one language.
    pub fn pages_of<'a>(&'a self, kind: PageKind, lang: &'a str) -> impl Iterator<Item = &'a Page> {
        self.pages
            .iter()
            .filter(move |p| p.kind == kind && p.lang == lang)
    }
}

/// Content files as last read and parsed, for `serve`: a file whose size and change times are
/// those it had when read is not read again. Parsing a page depends only on its bytes and its
/// path, so the cached result is the one reading it again would give.
#[derive(Default)]
pub struct SourceCache {
    /// Every listed file's stamp (`None`: too recent to trust, always read again) and what
    /// reading it gave, before translations filled in each other's fields.
    files: HashMap<String, (Option<Stamp>, Cached)>,
    /// Files whose entry is `Cached::Read`, for `hollow`.
    read: Vec<String>,
    /// The files of the last listing, in order.
    listing: Vec<FoundFile>,
    /// What filling in and checking each group of translations found, by page id (only ids
    /// with diagnostics).
    groups: HashMap<String, Vec<Diagnostic>>,
    /// The folders of the last listing, stamped before it was made (`None` when not, or too
    /// recently changed): a folder's times change when an entry is added, removed or
    /// renamed, so while they stay the same, the listing does.
    dirs: Vec<(std::path::PathBuf, Option<Stamp>)>,
}

/// What reading a file gave.
enum Cached {
    Read(Box<PageResult>),
    /// What reading gave, for a file whose page is in the site the cache last helped build:
    /// the page is that one, but for what filling it in from its translations changed — its
    /// own language-neutral fields (and its slug and path). Keeping only those keeps the
    /// sources in memory once.
    InSite {
        neutral: Neutral,
        warnings: Vec<Diagnostic>,
    },
}

impl Cached {
    fn warnings(&self) -> Option<&[Diagnostic]> {
        match self {
            Cached::Read(read) => read.as_ref().as_ref().ok().map(|(_, w)| w.as_slice()),
            Cached::InSite { warnings, .. } => Some(warnings),
        }
    }
}

impl SourceCache {
    /// Keeps only what `site` does not hold of the pages read since the last call: call it
    /// once `site` is built from them (and will not be put back).
    pub fn hollow(&mut self, site: &Site) {
        for file in std::mem::take(&mut self.read) {
            let Some((_, entry)) = self.files.get_mut(&file) else {
                continue;
            };
            let Cached::Read(read) = entry else {
                continue;
            };
            let Ok((raw, warnings)) = read.as_mut() else {
                continue;
            };
            if site.holding(raw).is_some_and(|p| p.source == raw.source) {
                *entry = Cached::InSite {
                    neutral: std::mem::take(&mut raw.front.neutral),
                    warnings: std::mem::take(warnings),
                };
            }
        }
    }

    /// Forgets the stamps of the files read since the last `hollow`, so that they are read
    /// again: after an edit that failed, the site no longer holds what they hold.
    pub fn forget_read(&mut self) {
        for file in &self.read {
            if let Some((stamp, _)) = self.files.get_mut(file) {
                *stamp = None;
            }
        }
    }

    /// Makes every entry whole again from `site` (the one `hollow` was given), before a full
    /// `load` with this cache.
    pub fn refill(&mut self, site: &Site) {
        let pages = site.pages.iter();
        let pages = pages.chain(site.sections.iter().filter_map(|s| s.index.as_ref()));
        for page in pages {
            let Some((_, entry)) = self.files.get_mut(&page.file) else {
                continue;
            };
            if let Cached::InSite { neutral, warnings } = entry {
                let raw = raw_page(page, std::mem::take(neutral));
                *entry = Cached::Read(Box::new(Ok((raw, std::mem::take(warnings)))));
                self.read.push(page.file.clone());
            }
        }
    }

    /// The page of `file` as read (before filling in), from the entry or from `site`.
    fn raw(&self, file: &str, site: &Site, found: &FoundFile) -> Option<Page> {
        match &self.files.get(file)?.1 {
            Cached::Read(read) => read.as_ref().as_ref().ok().map(|(page, _)| page.clone()),
            Cached::InSite { neutral, .. } => {
                let page = if found.key == "_index" {
                    site.section(&found.dir, &found.lang)?.index.as_ref()?
                } else {
                    let id = if found.dir.is_empty() {
                        found.key.clone()
                    } else {
                        format!("{}/{}", found.dir, found.key)
                    };
                    site.page(&id, &found.lang)?
                };
                Some(raw_page(page, neutral.clone()))
            }
        }
    }
}

/// `page` (filled in) as it was read: with its own `neutral` fields, no slug or path yet.
fn raw_page(page: &Page, neutral: Neutral) -> Page {
    let mut raw = Page {
        slug: String::new(),
        path: String::new(),
        ..page.clone()
    };
    raw.front.neutral = neutral;
    raw
}

/// What tells that a file changed without reading it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// The inode's change time (Unix), which no tool can set back, and the inode number.
    #[cfg(unix)]
    changed: (i64, i64, u64),
}

impl Stamp {
    /// The file's stamp, or `None` when it cannot be trusted: when the file changed within
    /// the last second, a further edit in the same tick of the file system's clock could keep
    /// the same times and size (git calls this "racily clean").
    fn settled(path: &Path, now: std::time::SystemTime) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta.modified().ok();
        let recent = |t: std::time::SystemTime| {
            now.duration_since(t)
                .map_or(true, |age| age < std::time::Duration::from_secs(1))
        };
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            let ctime = std::time::UNIX_EPOCH
                + std::time::Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec() as u32);
            if recent(ctime) {
                return None;
            }
            (meta.ctime(), meta.ctime_nsec(), meta.ino())
        };
        if modified.is_none_or(recent) {
            return None;
        }
        Some(Stamp {
            len: meta.len(),
            modified,
            #[cfg(unix)]
            changed,
        })
    }
}

/// Reads and parses the found files, taking unchanged ones from `cache` (when given), which
/// then holds exactly the found files.
fn read_pages(
    root: &Path,
    files: &[FoundFile],
    cache: Option<&mut SourceCache>,
) -> Vec<PageResult> {
    let Some(cache) = cache else {
        return files.par_iter().map(|f| read_page(root, f)).collect();
    };
    // `None` for a cache hit, else what reading it again gave.
    let read: Vec<Option<(Option<Stamp>, Cached)>> = files
        .par_iter()
        .map_init(SystemTime::now, |now, f| {
            cache.read_if_changed(root, f, *now)
        })
        .collect();
    let mut old = std::mem::take(&mut cache.files);
    let mut results = Vec::with_capacity(files.len());
    for (f, read) in files.iter().zip(read) {
        let mut entry = match read {
            None => old.remove(&f.file).expect("a cache hit"),
            Some(entry) => entry,
        };
        let result = match &entry.1 {
            Cached::Read(result) => result.as_ref().clone(),
            // Not refilled (see `refill`): read again.
            Cached::InSite { .. } => {
                let result = read_page(root, f);
                entry.1 = Cached::Read(Box::new(result.clone()));
                result
            }
        };
        results.push(result);
        cache.files.insert(f.file.clone(), entry);
    }
    cache.read = files.iter().map(|f| f.file.clone()).collect();
    cache.listing = files.to_vec();
    results
}

impl SourceCache {
    /// `None` when the cached result for `f` is current, else `f` read again with its stamp.
    fn read_if_changed(
        &self,
        root: &Path,
        f: &FoundFile,
        now: SystemTime,
    ) -> Option<(Option<Stamp>, Cached)> {
        // Stamped before reading: an edit during the read changes the stamp.
        let stamp = Stamp::settled(&root.join(&f.file), now);
        match (stamp, self.files.get(&f.file)) {
            (Some(now), Some((Some(then), _))) if now == *then => None,
            _ => Some((stamp, Cached::Read(Box::new(read_page(root, f))))),
        }
    }
}

/// The pages and section intros `patch` replaced, as they were before, so that the caller
/// can compare (or put them back).
pub struct Patch {
    /// (index in `Site::pages`, the page before).
    pub pages: Vec<(usize, Page)>,
    /// (index in `Site::sections`, its index file before).
    pub intros: Vec<(usize, Page)>,
    /// (index in `Site::sections`, its list before) for lists whose order changed.
    pub lists: Vec<(usize, Vec<usize>)>,
    /// Every diagnostic a full load would give.
    pub diagnostics: Vec<Diagnostic>,
}

impl Patch {
    /// Page `i` of the site as it was before, if the patch replaced it.
    pub fn page(&self, i: usize) -> Option<&Page> {
        self.pages.iter().find(|(k, _)| *k == i).map(|(_, p)| p)
    }

    /// The index file of section `j` as it was before, if the patch replaced it.
    pub fn intro(&self, j: usize) -> Option<&Page> {
        self.intros.iter().find(|(k, _)| *k == j).map(|(_, p)| p)
    }

    /// Puts the pages and lists back as they were before `patch`.
    pub fn undo(self, site: &mut Site) {
        for (i, page) in self.pages {
            site.pages[i] = page;
        }
        for (j, page) in self.intros {
            site.sections[j].index = Some(page);
        }
        for (j, list) in self.lists {
            site.sections[j].pages = list;
        }
    }
}

/// Brings `site` (loaded with `cache`, with the same configuration and options) up to date
/// with `root/content` in place, in proportion to what changed: the files are listed and
/// their stamps compared with the cache, and only changed files and their translations are
/// read, filled in and checked again. Returns `None`, leaving `site` as it was, when the
/// edit is more than that: files added, removed or renamed, a file that does not parse, a
/// page that becomes or stops being a draft or changes its address; a full `load` then does
/// it.
pub fn patch(
    root: &Path,
    site: &mut Site,
    options: &LoadOptions,
    cache: &mut SourceCache,
) -> Option<Patch> {
    let now = SystemTime::now();
    let stamps: Vec<Option<Stamp>> = cache
        .dirs
        .iter()
        .map(|(dir, _)| Stamp::settled(dir, now))
        .collect();
    let listed = !cache.dirs.is_empty()
        && (cache.dirs.iter().zip(&stamps)).all(|((_, then), now)| then.is_some() && then == now);
    if !listed {
        let found = discover(root, &root.join(CONTENT_DIR), &site.config).ok()?;
        if !found.diagnostics.is_empty() || found.files != cache.listing {
            return None;
        }
        let before: HashMap<&Path, Stamp> = (cache.dirs.iter().zip(stamps))
            .filter_map(|((dir, _), stamp)| Some((dir.as_path(), stamp?)))
            .collect();
        let dirs = (found.dirs.into_iter())
            .map(|dir| {
                let stamp = before.get(dir.as_path()).copied();
                (dir, stamp)
            })
            .collect();
        cache.dirs = dirs;
    }
    let found = &cache.listing;
    let read: Vec<(usize, (Option<Stamp>, Cached))> = found
        .par_iter()
        .enumerate()
        .filter_map(|(k, f)| Some((k, cache.read_if_changed(root, f, now)?)))
        .collect();
    let changed: Vec<usize> = read.iter().map(|(k, _)| *k).collect();
    for (k, entry) in read {
        cache.files.insert(found[k].file.clone(), entry);
        cache.read.push(found[k].file.clone());
    }
    // The files of each changed group of translations (by folder and key).
    let mut members: BTreeMap<(&str, &str), Vec<&FoundFile>> = changed
        .iter()
        .map(|&k| {
            let f = &found[k];
            ((f.dir.as_str(), f.key.as_str()), Vec::new())
        })
        .collect();
    for f in found {
        if let Some(m) = members.get_mut(&(f.dir.as_str(), f.key.as_str())) {
            m.push(f);
        }
    }
    let order: HashMap<&str, usize> = site
        .config
        .codes()
        .enumerate()
        .map(|(i, c)| (c, i))
        .collect();
    // Each changed group of translations, filled in and checked again; of its pages, those
    // that differ from the site's, with their place (one group's worth at a time, so that
    // re-reading every file never holds a second copy of the site).
    let mut groups: Vec<Regrouped> = Vec::new();
    for ((dir, key), files) in members {
        let mut group = Vec::new();
        for g in files {
            group.push(cache.raw(&g.file, site, g)?);
        }
        group.sort_by_key(|p| order[p.lang.as_str()]);
        let diagnostics = settle_group(&mut group, &site.region_keys);
        let mut differing = Vec::new();
        for p in group {
            let Some(place) = place(site, options, &p)? else {
                continue;
            };
            let now = match place {
                Place::Page(i) => &site.pages[i],
                Place::Intro(j) => site.sections[j].index.as_ref().expect("placed"),
            };
            // Read again but the same (a file saved unchanged, or one too recent to trust
            // its stamp): nothing to replace.
            if !same_page(now, &p) {
                differing.push((place, p));
            }
        }
        let id = if dir.is_empty() {
            key.to_owned()
        } else {
            format!("{dir}/{key}")
        };
        groups.push((id, diagnostics, differing));
    }
    // Every file's own warnings; a file that does not parse leaves the site incomplete.
    let mut diagnostics = Vec::new();
    for (_, entry) in cache.files.values() {
        diagnostics.extend(entry.warnings()?.iter().cloned());
    }
    // The edit keeps the shape: the pages go in.
    let mut patch = Patch {
        pages: Vec::new(),
        intros: Vec::new(),
        lists: Vec::new(),
        diagnostics,
    };
    let mut resort: BTreeSet<usize> = BTreeSet::new();
    for (id, diagnostics, pages) in groups {
        if diagnostics.is_empty() {
            cache.groups.remove(&id);
        } else {
            cache.groups.insert(id, diagnostics);
        }
        for (place, page) in pages {
            match place {
                Place::Page(i) => {
                    let old = std::mem::replace(&mut site.pages[i], page);
                    if list_order(&old) != list_order(&site.pages[i]) {
                        let p = &site.pages[i];
                        resort.extend(
                            site.sections
                                .iter()
                                .position(|s| s.dir == p.dir && s.lang == p.lang),
                        );
                    }
                    patch.pages.push((i, old));
                }
                Place::Intro(j) => {
                    let old = site.sections[j].index.replace(page);
                    patch
                        .intros
                        .push((j, old.expect("an intro replaces an intro")));
                }
            }
        }
    }
    for j in resort {
        let mut list = site.sections[j].pages.clone();
        sort_list(&site.pages, &mut list);
        if list != site.sections[j].pages {
            let old = std::mem::replace(&mut site.sections[j].pages, list);
            patch.lists.push((j, old));
        }
    }
    for diagnostics in cache.groups.values() {
        patch.diagnostics.extend(diagnostics.iter().cloned());
    }
    Some(patch)
}

/// A changed group of translations: its id, what filling it in found, and its pages that
/// differ from the site's, with their places.
type Regrouped = (String, Vec<Diagnostic>, Vec<(Place, Page)>);

/// Where a page of a changed group goes in the site.
#[derive(Clone, Copy)]
enum Place {
    Page(usize),
    Intro(usize),
}

/// Where `p` (filled in) goes in `site`: `Some(None)` for a draft left out, `None` when the
/// site has no such place, or has it for a page that is now left out, or at another path.
fn place(site: &Site, options: &LoadOptions, p: &Page) -> Option<Option<Place>> {
    let shown = options.drafts || !p.front.draft;
    if p.key == "_index" {
        let j = (site.sections.iter()).position(|s| s.dir == p.dir && s.lang == p.lang);
        let old = j.and_then(|j| site.sections[j].index.as_ref().map(|i| (j, i)));
        match old {
            Some((j, old)) if shown && old.path == p.path => Some(Some(Place::Intro(j))),
            None if !shown => Some(None),
            _ => None,
        }
    } else {
        let i = site.translations(&p.id).position(|q| q.lang == p.lang);
        let i = i.map(|n| site.by_id[&p.id][n]);
        match i {
            Some(i) if shown && site.pages[i].path == p.path => Some(Some(Place::Page(i))),
            None if !shown => Some(None),
            _ => None,
        }
    }
}

/// Whether two versions of a page (with the same path) are alike in all a build reads.
fn same_page(a: &Page, b: &Page) -> bool {
    a.source == b.source && a.front == b.front && a.slug == b.slug && a.body_line == b.body_line
}

/// What a page's place in its list depends on (see `sort_list`).
fn list_order(p: &Page) -> (Option<crate::dates::PartialDate>, Option<i64>, &str) {
    (p.front.neutral.date, p.front.weight, &p.front.title)
}

/// Loads and validates `root/content`; all problems come back together. With a `cache`, only
/// files that changed since it was filled are read and parsed.
pub fn load(
    root: &Path,
    config: Config,
    options: &LoadOptions,
    cache: Option<&mut SourceCache>,
) -> Loaded {
    let mut diagnostics = Vec::new();
    let content = root.join(CONTENT_DIR);
    let found = match discover(root, &content, &config) {
        Ok(found) => found,
        Err(d) => {
            return Loaded {
                site: None,
                diagnostics: vec![d],
                whole: false,
            }
        }
    };
    let mut cache = cache;
    let results = read_pages(root, &found.files, cache.as_deref_mut());
    if let Some(cache) = cache.as_deref_mut() {
        // Not stamped before the listing: the next `patch` lists again, and stamps them.
        cache.dirs = found.dirs.iter().map(|d| (d.clone(), None)).collect();
    }
    let mut whole = !found.diagnostics.iter().any(Diagnostic::is_error);
    diagnostics.extend(found.diagnostics);
    let mut pages = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((page, warnings)) => {
                diagnostics.extend(warnings);
                pages.push(page);
            }
            Err(errors) => {
                whole = false;
                diagnostics.extend(errors);
            }
        }
    }
    let language_order: HashMap<&str, usize> =
        config.codes().enumerate().map(|(i, c)| (c, i)).collect();
    pages.sort_by(|a, b| {
        (&a.id, language_order[a.lang.as_str()]).cmp(&(&b.id, language_order[b.lang.as_str()]))
    });
    let region_keys: Vec<String> = {
        let mut keys: Vec<String> = pages
            .iter()
            .filter(|p| p.is_region() && !p.key.starts_with('_'))
            .map(|p| p.key.clone())
            .collect();
        // Sorted, for finding a key by binary search (events name thousands of regions).
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    let mut groups = HashMap::new();
    for group in pages.chunk_by_mut(|a, b| a.id == b.id) {
        let found = settle_group(group, &region_keys);
        if !found.is_empty() {
            diagnostics.extend(found.iter().cloned());
            groups.insert(group[0].id.clone(), found);
        }
    }
    if let Some(cache) = cache {
        cache.groups = groups;
    }
    let mut drafts = HashSet::new();
    if !options.drafts {
        drafts = pages
            .iter()
            .filter(|p| p.front.draft)
            .map(|p| p.id.clone())
            .collect();
        pages.retain(|p| !p.front.draft);
    }
    let (pages, indexes): (Vec<Page>, Vec<Page>) =
        pages.into_iter().partition(|p| p.key != "_index");
    let mut site = Site {
        config,
        pages,
        sections: Vec::new(),
        build_date: options.build_date,
        region_keys,
        drafts,
        by_id: HashMap::new(),
    };
    site.by_id = index_by_id(&site.pages);
    site.sections = build_sections(&site, indexes);
    let collisions = check_collisions(&site);
    whole &= collisions.is_empty();
    diagnostics.extend(collisions);
    Loaded {
        site: Some(site),
        diagnostics,
        whole,
    }
}

/// Site path of a page; `_index` files stand for their folder.
fn page_path(lang: &str, dir: &str, slug: &str, key: &str) -> String {
    let mut path = format!("/{lang}/");
    if !dir.is_empty() {
        path.push_str(dir);
        path.push('/');
    }
    if key != "_index" {
        path.push_str(slug);
        path.push('/');
    }
    path
}

#[derive(Clone, PartialEq, Eq)]
struct FoundFile {
    file: String,
    lang: String,
    dir: String,
    key: String,
}

struct Found {
    files: Vec<FoundFile>,
    diagnostics: Vec<Diagnostic>,
    /// Every folder listed, `content/` included.
    dirs: Vec<std::path::PathBuf>,
}

/// Lists the Markdown files under `content/` with their language, folder and key.
fn discover(root: &Path, content: &Path, config: &Config) -> Result<Found, Diagnostic> {
    if !content.is_dir() {
        return Err(Diagnostic::error(
            "content",
            CONTENT_DIR,
            format!("no `{CONTENT_DIR}/` folder in {}", root.display()),
        )
        .with_hint("run the command in the site folder, or pass --root DIR"));
    }
    let mut found = Found {
        files: Vec::new(),
        diagnostics: Vec::new(),
        dirs: Vec::new(),
    };
    let walker = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !files::is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .map(|p| files::relative(root, p))
                    .unwrap_or_default();
                found
                    .diagnostics
                    .push(Diagnostic::error("io", at, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() {
            found.dirs.push(path.to_owned());
            continue;
        }
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let file = files::relative(root, path);
        let rel_dir = files::relative(content, path.parent().unwrap_or(content));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        match split_language(stem, config) {
            Ok((key, lang)) => found.files.push(FoundFile {
                file,
                lang,
                dir: rel_dir,
                key,
            }),
            Err(message) => {
                let codes: Vec<&str> = config.codes().collect();
                found.diagnostics.push(
                    Diagnostic::error("language", file, message)
                        .with_hint(format!("configured languages: {}", codes.join(", "))),
                );
            }
        }
    }
    Ok(found)
}

/// `attica.en` → (`attica`, `en`); `attica` → (`attica`, default language);
/// `attica.fr` → an error when `fr` is not configured.
fn split_language(stem: &str, config: &Config) -> Result<(String, String), String> {
    if let Some((key, suffix)) = stem.rsplit_once('.') {
        if config.language(suffix).is_some() {
            return Ok((key.to_owned(), suffix.to_owned()));
        }
        if looks_like_language(suffix) {
            return Err(format!(
                "language suffix `.{suffix}` names a language that is not configured in site.toml"
            ));
        }
    }
    Ok((stem.to_owned(), config.default_language.clone()))
}

fn looks_like_language(s: &str) -> bool {
    let (base, region) = s.split_once('-').unwrap_or((s, ""));
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && region.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn kind_of(dir: &str) -> PageKind {
    match dir.split('/').next() {
        Some(REGIONS) => PageKind::Region,
        Some(EVENTS) => PageKind::Event,
        _ => PageKind::Page,
    }
}

fn read_page(root: &Path, f: &FoundFile) -> PageResult {
    let bytes = std::fs::read(root.join(&f.file)).map_err(|e| {
        vec![Diagnostic::error(
            "io",
            &f.file,
            format!("cannot read the file: {e}"),
        )]
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        vec![Diagnostic::error(
            "encoding",
            &f.file,
            "expected UTF-8 text; save the file as UTF-8",
        )
        .at(line, None)]
    })?;
    let source = front_matter::normalize(&text);
    // `_index` files hold section intros: page fields only.
    let kind = if f.key == "_index" {
        PageKind::Page
    } else {
        kind_of(&f.dir)
    };
    let parsed = front_matter::parse(&f.file, &source, kind)?;
    let warnings = front_matter::typo_warnings(&f.file, &source, &parsed.front, kind);
    let body_start = source.len() - parsed.body.len();
    let id = if f.dir.is_empty() {
        f.key.clone()
    } else {
        format!("{}/{}", f.dir, f.key)
    };
    Ok((
        Page {
            file: f.file.clone(),
            lang: f.lang.clone(),
            dir: f.dir.clone(),
            key: f.key.clone(),
            id,
            kind: if f.key == "_index" {
                PageKind::Page
            } else {
                kind
            },
            front: parsed.front,
            slug: String::new(),
            path: String::new(),
            source,
            body_line: parsed.body_line,
            body_start,
        },
        warnings,
    ))
}

/// Fills in and checks one group of translations (the pages of one id, in language order):
/// missing language-neutral fields come from the other translations, fields two translations
/// give differently are reported, events are checked (`check_events`), and each page gets
/// its slug and path.
fn settle_group(group: &mut [Page], region_keys: &[String]) -> Vec<Diagnostic> {
    let mut diagnostics = inherit_neutral(group);
    diagnostics.extend(check_events(group, region_keys));
    for p in group.iter_mut() {
        p.slug = p
            .front
            .neutral
            .slug
            .clone()
            .unwrap_or_else(|| p.key.clone());
        p.path = page_path(&p.lang, &p.dir, &p.slug, &p.key);
    }
    diagnostics
}

/// Fills each translation's missing language-neutral fields from its counterparts, and reports
/// fields that two translations give differently. `group` holds the pages of one id.
fn inherit_neutral(group: &mut [Page]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if group.len() < 2 {
        return diagnostics;
    }
    let mut merged = Neutral::default();
    // `merged` as JSON, kept in step with it.
    let mut merged_json = fields_json(&merged);
    let mut origin: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, page) in group.iter().enumerate() {
        let page_json = fields_json(&page.front.neutral);
        for field in NEUTRAL_FIELDS {
            match (merged_json.get(field), page_json.get(field)) {
                (_, None) => {}
                (None, Some(value)) => {
                    copy_field(&mut merged, &page.front.neutral, field);
                    merged_json.insert(field.to_owned(), value.clone());
                    origin.insert(field, i);
                }
                (Some(a), Some(b)) if a != b => {
                    let first = &group[origin[field]];
                    diagnostics.push(
                        Diagnostic::error(
                            "translation-mismatch",
                            &page.file,
                            format!(
                                "{field}: {b} here, but {a} in {}; language-neutral fields must agree between translations",
                                first.file
                            ),
                        )
                        .in_source(&page.source, page.front.line_of(field), None)
                        .with_hint(format!(
                            "write `{field}` in one translation only, or make both the same"
                        )),
                    );
                }
                _ => {}
            }
        }
    }
    for page in group.iter_mut() {
        let page_json = fields_json(&page.front.neutral);
        for field in NEUTRAL_FIELDS {
            if !page_json.contains_key(field) {
                copy_field(&mut page.front.neutral, &merged, field);
            }
        }
    }
    diagnostics
}

/// The neutral fields that are set, as JSON, to compare and show values generically
/// (serialized once per page: this runs for every page of every build).
fn fields_json(n: &Neutral) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(n) {
        Ok(serde_json::Value::Object(fields)) => {
            fields.into_iter().filter(|(_, v)| !v.is_null()).collect()
        }
        _ => serde_json::Map::new(),
    }
}

fn copy_field(to: &mut Neutral, from: &Neutral, field: &str) {
    match field {
        "slug" => to.slug.clone_from(&from.slug),
        "country_code" => to.country_code.clone_from(&from.country_code),
        "established" => to.established = from.established,
        "status" => to.status = from.status,
        "coordinates" => to.coordinates = from.coordinates,
        "date" => to.date = from.date,
        "kind" => to.kind = from.kind,
        "regions" => to.regions.clone_from(&from.regions),
        _ => unreachable!("NEUTRAL_FIELDS and copy_field disagree on `{field}`"),
    }
}

/// Events need a date (in some translation) and may only name regions that exist.
fn check_events(pages: &[Page], region_keys: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for page in pages.iter().filter(|p| p.is_event()) {
        if page.front.neutral.date.is_none() {
            out.push(
                Diagnostic::error(
                    "front-matter",
                    &page.file,
                    "missing `date`: every event needs a date (in at least one of its translations)",
                )
                .in_source(&page.source, 1, Some(1))
                .with_hint("add a line like `date: 2023-05-12` (or 2023-05, or 2023)"),
            );
        }
        for region in page.front.neutral.regions.iter().flatten() {
            if region_keys.binary_search(region).is_ok() {
                continue;
            }
            let line = page.front.line_of("regions");
            let column = page
                .source
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(region.as_str()))
                .map(|i| i + 1);
            let mut d = Diagnostic::error(
                "unknown-region",
                &page.file,
                format!("regions: no region `{region}` in content/regions/"),
            )
            .in_source(&page.source, line, column);
            if let Some(guess) = suggest(region, region_keys.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean `{guess}`?"));
            }
            out.push(d);
        }
    }
    out
}

fn index_by_id(pages: &[Page]) -> HashMap<String, Vec<usize>> {
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        by_id.entry(p.id.clone()).or_default().push(i);
    }
    by_id
}

/// One section per (folder, language) that has a page or an `_index` file in that language, and a
/// home page in every language.
fn build_sections(site: &Site, indexes: Vec<Page>) -> Vec<Section> {
    let mut map: BTreeMap<(String, String), Section> = BTreeMap::new();
    let mut ensure = |dir: &str, lang: &str| {
        map.entry((dir.to_owned(), lang.to_owned()))
            .or_insert_with(|| Section {
                lang: lang.to_owned(),
                dir: dir.to_owned(),
                index: None,
                path: page_path(lang, dir, "", "_index"),
                pages: Vec::new(),
                subsections: Vec::new(),
            });
    };
    for lang in site.config.codes() {
        ensure("", lang);
    }
    // Every ancestor folder gets a list page too, so nested URLs never dead-end.
    for p in site.pages.iter().chain(&indexes) {
        for ancestor in ancestors(&p.dir) {
            ensure(ancestor, &p.lang);
        }
    }
    for (i, p) in site.pages.iter().enumerate() {
        if let Some(s) = map.get_mut(&(p.dir.clone(), p.lang.clone())) {
            s.pages.push(i);
        }
    }
    for index in indexes {
        if let Some(s) = map.get_mut(&(index.dir.clone(), index.lang.clone())) {
            s.index = Some(index);
        }
    }
    let keys: Vec<(String, String)> = map.keys().cloned().collect();
    for (dir, lang) in &keys {
        if dir.is_empty() {
            continue;
        }
        let parent = dir.rsplit_once('/').map_or("", |(p, _)| p).to_owned();
        if let Some(s) = map.get_mut(&(parent, lang.clone())) {
            s.subsections.push(dir.clone());
        }
    }
    let mut sections: Vec<Section> = map.into_values().collect();
    for s in &mut sections {
        sort_list(&site.pages, &mut s.pages);
    }
    sections
}

/// `a/b/c` → [`a/b/c`, `a/b`, `a`, ``]: the folder and every ancestor up to the home page.
fn ancestors(dir: &str) -> Vec<&str> {
    let mut out = vec![dir];
    let mut d = dir;
    while !d.is_empty() {
        d = d.rsplit_once('/').map_or("", |(p, _)| p);
        out.push(d);
    }
    out
}

/// Events newest first; everything else by weight, then title.
pub fn sort_list(pages: &[Page], list: &mut [usize]) {
    list.sort_by(|&a, &b| {
        let (a, b) = (&pages[a], &pages[b]);
        let by_date = b.front.neutral.date.cmp(&a.front.neutral.date);
        let by_weight = a
            .front
            .weight
            .unwrap_or(i64::MAX)
            .cmp(&b.front.weight.unwrap_or(i64::MAX));
        by_date
            .then(by_weight)
            .then_with(|| a.front.title.cmp(&b.front.title))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Two sources may not publish to the same URL (e.g. a `slug` equal to another page's key).
fn check_collisions(site: &Site) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for lang in site.config.codes() {
        for name in ["timeline", "map", "search"] {
            seen.insert(format!("/{lang}/{name}/"), "a built-in page");
        }
    }
    let mut out = Vec::new();
    let sections = site.sections.iter().map(|s| {
        let file = s.index.as_ref().map_or("the folder", |i| i.file.as_str());
        (s.path.as_str(), file)
    });
    let pages = site
        .pages
        .iter()
        .map(|p| (p.path.as_str(), p.file.as_str()));
    for (path, file) in sections.chain(pages) {
        if let Some(other) = seen.insert(path.to_owned(), file) {
            out.push(
                Diagnostic::error(
                    "url-collision",
                    file,
                    format!("publishes to {path}, which {other} also publishes to"),
                )
                .with_hint("give one of them a different `slug`, or rename the file"),
            );
        }
    }
    out
}
