//! What `serve` keeps between loads of the content: each file as last read (`SourceCache`),
//! and `patch`, which brings a loaded site up to date in place, in proportion to what changed.

use super::{
    discover, fallback, page_id, read_page, settle_group, sort_list, Found, FoundFile, LoadOptions,
    Page, PageResult, Site,
};
use crate::diagnostics::Diagnostic;
use crate::files::{Dirs, Stamp};
use crate::front_matter::Neutral;
use crate::layout::CONTENT_DIR;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::SystemTime;

/// Content files as last read and parsed, for `serve`: a file whose size and change times are
/// those it had when read is not read again. Parsing a page depends only on its bytes and its
/// path, so the cached result is the one reading it again would give.
#[derive(Default, Serialize, Deserialize)]
pub struct SourceCache {
    /// Every listed file's stamp (`None`: too recent to trust, always read again) and what
    /// reading it gave, before translations filled in each other's fields.
    files: HashMap<String, (Option<Stamp>, Cached)>,
    /// Files whose entry is `Cached::Read`, for `hollow`.
    read: Vec<String>,
    /// The files of the last listing, in order.
    listing: Vec<FoundFile>,
    /// Each listed file's stamp in `files`, or `None` (then `files` says): what an edit
    /// compares first, in order, without looking 15,000 names up.
    stamps: Vec<Option<Stamp>>,
    /// What filling in and checking each group of translations found, by page id (only ids
    /// with diagnostics).
    pub(super) groups: HashMap<String, Vec<Diagnostic>>,
    /// The folders of the last listing: while they keep their times, so does the listing.
    dirs: Dirs,
    /// What the last listing left out and says so (links, names: `files::Walk::skipped`).
    skipped: Vec<Diagnostic>,
}

/// What reading a file gave.
#[derive(Serialize, Deserialize)]
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
    /// What the last listing of the content left out and says so (`files::Walk::skipped`).
    pub fn skipped(&self) -> &[Diagnostic] {
        &self.skipped
    }

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
        self.stamps.fill(None);
    }

    /// Makes every entry whole again from `site` (the one `hollow` was given), before a full
    /// `load` with this cache.
    pub fn refill(&mut self, site: &Site) {
        // A fallback holds its original's source, but another language.
        let pages = site.pages.iter().filter(|p| !p.is_fallback());
        let pages = pages.chain(site.sections.iter().filter_map(|s| s.index.as_ref()));
        for page in pages {
            let Some((_, entry)) = self.files.get_mut(&page.file) else {
                continue;
            };
            if let Cached::InSite { neutral, warnings } = entry {
                let raw = raw_page(page, std::mem::take(neutral), &site.root);
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
                    site.page(&page_id(&found.dir, &found.key), &found.lang)?
                };
                Some(raw_page(page, neutral.clone(), &site.root))
            }
        }
    }
}

/// `page` (filled in) as it was read: with its own `neutral` fields, no slug or path yet, and
/// its source, read again when the site let it go (a site the build cache kept): messages
/// about its group quote it.
fn raw_page(page: &Page, neutral: Neutral, root: &Path) -> Page {
    let mut raw = Page {
        slug: String::new(),
        path: String::new(),
        ..page.clone()
    };
    if raw.source.is_empty() {
        raw.source = page.source_text(root).into();
    }
    raw.front.neutral = neutral;
    raw
}

/// Reads and parses the found files, taking unchanged ones from `cache` (when given), which
/// then holds exactly the found files.
pub(super) fn read_pages(
    root: &Path,
    found: &Found,
    cache: Option<&mut SourceCache>,
) -> Vec<PageResult> {
    let files = &found.files;
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
    let mut stamps = Vec::with_capacity(files.len());
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
                if failed_reading(&result) {
                    entry.0 = None;
                }
                entry.1 = Cached::Read(Box::new(result.clone()));
                result
            }
        };
        results.push(result);
        stamps.push(entry.0);
        cache.files.insert(f.file.clone(), entry);
    }
    cache.stamps = stamps;
    cache.read = files.iter().map(|f| f.file.clone()).collect();
    cache.listing = files.to_vec();
    // A listing that met a problem is never trusted: the next `patch` lists again.
    cache.dirs = match found.diagnostics.is_empty() {
        true => Dirs::listed_since(&found.dirs, found.since),
        false => Dirs::default(),
    };
    cache.skipped = found.skipped.clone();
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
        self.read_if_other(root, f, Stamp::settled(&root.join(&f.file), now))
    }

    /// `None` when the cached result for `f` has `stamp` (taken before reading), else `f`
    /// read again.
    fn read_if_other(
        &self,
        root: &Path,
        f: &FoundFile,
        stamp: Option<Stamp>,
    ) -> Option<(Option<Stamp>, Cached)> {
        match (stamp, self.files.get(&f.file)) {
            (Some(now), Some((Some(then), _))) if now == *then => None,
            _ => {
                let read = read_page(root, f);
                // A read the system refused (out of file handles, say) says nothing about the
                // file: unstamped, it is read again next time instead of failing for good.
                let stamp = stamp.filter(|_| !failed_reading(&read));
                Some((stamp, Cached::Read(Box::new(read))))
            }
        }
    }
}

/// Whether reading failed for a reason outside the file (not its encoding or front matter).
fn failed_reading(read: &PageResult) -> bool {
    read.as_ref()
        .is_err_and(|errors| errors.iter().any(|d| d.kind == super::READ_ERROR))
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
    cache.relist(root, site, now)?;
    let changed = cache.read_changed(root, now);
    let groups = cache.regroup(site, options, &changed)?;
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
    let resort = put_in(site, cache, groups, &mut patch);
    resort_lists(site, resort, &mut patch);
    for diagnostics in cache.groups.values() {
        patch.diagnostics.extend(diagnostics.iter().cloned());
    }
    Some(patch)
}

impl SourceCache {
    /// Lists the content files again unless no folder's times changed; `None` when files
    /// came, went or were renamed (or cannot be listed).
    fn relist(&mut self, root: &Path, site: &Site, now: SystemTime) -> Option<()> {
        let (listed, stamps) = self.dirs.check(now);
        if listed {
            return Some(());
        }
        let found = discover(root, &root.join(CONTENT_DIR), &site.config).ok()?;
        if !found.diagnostics.is_empty() || found.files != self.listing {
            return None;
        }
        self.dirs.restamp(stamps, found.dirs, found.since);
        self.skipped = found.skipped;
        Some(())
    }

    /// Reads the listed files that changed into the cache; their positions in the listing.
    fn read_changed(&mut self, root: &Path, now: SystemTime) -> Vec<usize> {
        let stamps = Stamp::settled_all(root, &self.listing, |f| f.file.as_str(), now);
        let read: Vec<(usize, (Option<Stamp>, Cached))> = (self.listing.par_iter().zip(stamps))
            .enumerate()
            .filter(|(k, (_, stamp))| stamp.is_none() || *stamp != self.stamps[*k])
            .filter_map(|(k, (f, stamp))| Some((k, self.read_if_other(root, f, stamp)?)))
            .collect();
        let changed = read.iter().map(|(k, _)| *k).collect();
        for (k, entry) in read {
            self.stamps[k] = entry.0;
            let file = &self.listing[k].file;
            self.files.insert(file.clone(), entry);
            self.read.push(file.clone());
        }
        changed
    }

    /// Each group of translations with a `changed` file (positions in the listing), filled in
    /// and checked again, with those of its pages that differ from the site's (one group's
    /// worth at a time, so that re-reading every file never holds a second copy of the
    /// site). `None` when a page no longer fits the site's shape.
    fn regroup(
        &self,
        site: &Site,
        options: &LoadOptions,
        changed: &[usize],
    ) -> Option<Vec<Regrouped>> {
        let order: HashMap<&str, usize> = (site.config.codes().enumerate())
            .map(|(i, c)| (c, i))
            .collect();
        let mut groups = Vec::new();
        for ((dir, key), files) in self.changed_groups(changed) {
            let mut group = Vec::new();
            for g in files {
                group.push(self.raw(&g.file, site, g)?);
            }
            group.sort_by_key(|p| order[p.lang.as_str()]);
            let diagnostics = settle_group(&mut group, &site.region_keys);
            super::cover::resolve(&site.root, &mut group);
            // Fallbacks that come or go change the site's shape (where a fallback's URL is
            // taken, the site has none: `place` finds no place for it).
            let stand_ins = fallback::for_group(&group, &site.config, options.drafts, &|_| false);
            if stand_ins.len() != fallback::count(site, dir, key) {
                return None;
            }
            group.extend(stand_ins);
            let differing = differing(site, options, group)?;
            groups.push((page_id(dir, key), diagnostics, differing));
        }
        Some(groups)
    }

    /// The listed files of each group of translations (by folder and key) with a `changed`
    /// file.
    fn changed_groups(&self, changed: &[usize]) -> BTreeMap<(&str, &str), Vec<&FoundFile>> {
        let mut members: BTreeMap<(&str, &str), Vec<&FoundFile>> = (changed.iter())
            .map(|&k| {
                let f = &self.listing[k];
                ((f.dir.as_str(), f.key.as_str()), Vec::new())
            })
            .collect();
        for f in &self.listing {
            if let Some(m) = members.get_mut(&(f.dir.as_str(), f.key.as_str())) {
                m.push(f);
            }
        }
        members
    }
}

/// The pages of a filled-in `group` that differ from the site's, with their places; `None`
/// when one has no place in the site.
fn differing(site: &Site, options: &LoadOptions, group: Vec<Page>) -> Option<Vec<(Place, Page)>> {
    let mut out = Vec::new();
    for p in group {
        let Some(place) = place(site, options, &p)? else {
            continue;
        };
        let now = match place {
            Place::Page(i) => &site.pages[i],
            Place::Intro(j) => site.sections[j].index.as_ref().expect("placed"),
        };
        // Read again but the same (a file saved unchanged, or one too recent to trust its
        // stamp): nothing to replace.
        if !same_page(now, &p) {
            out.push((place, p));
        }
    }
    Some(out)
}

/// Puts the pages of `groups` in the site, the pages they replace in `patch`, and their
/// diagnostics in the cache; returns the sections whose list order may have changed.
fn put_in(
    site: &mut Site,
    cache: &mut SourceCache,
    groups: Vec<Regrouped>,
    patch: &mut Patch,
) -> BTreeSet<usize> {
    let mut resort = BTreeSet::new();
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
                            (site.sections.iter()).position(|s| s.dir == p.dir && s.lang == p.lang),
                        );
                    }
                    patch.pages.push((i, old));
                }
                Place::Intro(j) => {
                    let old = site.sections[j].index.replace(page);
                    let old = old.expect("an intro replaces an intro");
                    patch.intros.push((j, old));
                }
            }
        }
    }
    resort
}

/// Sorts the lists of `sections` again; those whose order changed go in `patch` as they were.
fn resort_lists(site: &mut Site, sections: BTreeSet<usize>, patch: &mut Patch) {
    for j in sections {
        let mut list = site.sections[j].pages.clone();
        sort_list(&site.pages, &mut list);
        if list != site.sections[j].pages {
            let old = std::mem::replace(&mut site.sections[j].pages, list);
            patch.lists.push((j, old));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn found(file: &str, key: &str) -> FoundFile {
        FoundFile {
            file: file.into(),
            lang: "en".into(),
            dir: String::new(),
            key: key.into(),
        }
    }

    #[test]
    fn a_file_the_system_could_not_read_is_read_again_next_time() {
        let root = tempfile::tempdir().unwrap();
        // A folder where a page should be: reading it fails outside the text, as running out
        // of file handles would.
        std::fs::create_dir_all(root.path().join("content/about.en.md")).unwrap();
        std::fs::write(root.path().join("content/bad.en.md"), "no front matter\n").unwrap();
        // Stamps are trusted only once a file is a second old.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let cache = SourceCache::default();
        let now = SystemTime::now();
        let (stamp, read) = cache
            .read_if_changed(root.path(), &found("content/about.en.md", "about"), now)
            .unwrap();
        assert!(matches!(&read, Cached::Read(r) if failed_reading(r)));
        assert!(
            stamp.is_none(),
            "a failed read must not be cached as current"
        );
        // A mistake in the text is the file's own: cached until the file changes.
        let (stamp, read) = cache
            .read_if_changed(root.path(), &found("content/bad.en.md", "bad"), now)
            .unwrap();
        assert!(matches!(&read, Cached::Read(r) if r.is_err() && !failed_reading(r)));
        assert!(stamp.is_some());
    }
}
