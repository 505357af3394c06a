//! The site model — pages, sections and their translations — and how it is loaded from
//! `content/`: discovery, front matter, translation pairing, inheritance of language-neutral
//! fields, and the cross-file checks (URL collisions, region references).

use crate::config::{Config, Suffix};
use crate::dates::PartialDate;
use crate::diagnostics::{suggest, Diagnostic, Kind};
use crate::files;
use crate::front_matter::{self, FrontMatter, Neutral, PageKind, NEUTRAL_FIELDS};
use crate::layout::CONTENT_DIR;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

mod cache;
mod cover;
mod fallback;
use cache::read_pages;
pub use cache::{patch, Patch, SourceCache};

pub const REGIONS: &str = "regions";
pub const EVENTS: &str = "events";

/// One content file in one language.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// (`Site::take_sources`): read it again with `source_text`. Shared, so that the cache
    /// of what was read (`SourceCache`) and the site hold one copy of it.
    pub source: Arc<str>,
    pub body_line: usize,
    /// Byte offset of the Markdown body in `source`.
    pub body_start: usize,
    /// For a page published in a language it has no version in (`fallback`): the language it
    /// is written in. Lists, maps and feeds show it like the others; hreflang, the sitemap
    /// and the translation coverage leave it out.
    pub fallback_from: Option<String>,
    /// The cover its front matter names (`image:`), once slug and path are known.
    pub cover: Option<crate::media::Cover>,
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

    /// Whether this is another language's page standing in for a missing translation.
    pub fn is_fallback(&self) -> bool {
        self.fallback_from.is_some()
    }

    /// The language its text (and the tags it writes) are in: a fallback's original's.
    pub fn written_lang(&self) -> &str {
        self.fallback_from.as_deref().unwrap_or(&self.lang)
    }
}

/// A folder's list page in one language; `dir` is empty for the home page.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

impl Section {
    /// The list's title: the intro's, else the site's UI string named like the folder (`regions`),
    /// else the folder's name made readable (`cultural-exchange` → "Cultural exchange"); the home
    /// page is titled after the site.
    pub fn title(&self, language: &crate::config::Language) -> std::borrow::Cow<'_, str> {
        if let Some(index) = &self.index {
            return index.front.title.as_str().into();
        }
        if self.dir.is_empty() {
            return language.title.clone().into();
        }
        let last = self.dir.rsplit('/').next().unwrap_or(&self.dir);
        match language.strings.get(last) {
            Some(title) => title.clone().into(),
            None => readable(last).into(),
        }
    }
}

/// A folder name as a title: separators become spaces, the first letter a capital.
fn readable(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
    /// The site folder: images are read from it as pages are rendered.
    pub root: std::path::PathBuf,
    /// Hashed with FxHash: looked up for every link, translation and region of every page, by
    /// ids the site's own files give.
    by_id: FxHashMap<String, Vec<usize>>,
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

/// The site as the build cache keeps it: all but its configuration, folder and date, which
/// the next build has as they were (`Site::from_kept`), and the pages' sources.
#[derive(Serialize, Deserialize)]
pub struct KeptSite {
    pages: Vec<Page>,
    sections: Vec<Section>,
    region_keys: Vec<String>,
    drafts: HashSet<String>,
}

impl Site {
    /// What the build cache keeps of the site (sources let go: they are read again when
    /// needed, `Page::source_text`).
    pub fn keep(mut self) -> KeptSite {
        self.take_sources();
        for s in &mut self.sections {
            if let Some(index) = &mut s.index {
                index.source = Arc::default();
            }
        }
        KeptSite {
            pages: self.pages,
            sections: self.sections,
            region_keys: self.region_keys,
            drafts: self.drafts,
        }
    }

    /// The site `keep` kept, with the configuration, folder and date it was built with.
    pub fn from_kept(kept: KeptSite, config: Config, root: &Path, build_date: PartialDate) -> Site {
        Site {
            config,
            by_id: index_by_id(&kept.pages),
            pages: kept.pages,
            sections: kept.sections,
            build_date,
            region_keys: kept.region_keys,
            drafts: kept.drafts,
            root: root.to_owned(),
        }
    }

    /// Moves the pages' sources out of the model, aligned with `pages`, so that a build can let
    /// each go as soon as the page is rendered: together they are as large as the content.
    pub fn take_sources(&mut self) -> Vec<Arc<str>> {
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
    let results = read_pages(root, &found, cache.as_deref_mut());
    let mut whole = !found.diagnostics.iter().any(Diagnostic::is_error);
    diagnostics.extend(found.diagnostics);
    diagnostics.extend(found.skipped);
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
    sort_pages(&mut pages, &config);
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
    let settled: Vec<(String, Vec<Diagnostic>)> = pages
        .par_chunk_by_mut(|a, b| a.id == b.id)
        .map(|group| (group[0].id.clone(), settle_group(group, &region_keys)))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    let mut groups = HashMap::new();
    for (id, found) in settled {
        diagnostics.extend(found.iter().cloned());
        groups.insert(id, found);
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
    // Before the fallbacks, which show their original's.
    cover::resolve(root, &mut pages);
    if config.translations.fallback {
        pages = fallback::add(pages, &config, options.drafts);
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
        root: root.to_owned(),
        by_id: FxHashMap::default(),
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

/// Sorts pages by id, then language order.
fn sort_pages(pages: &mut [Page], config: &Config) {
    let language_order: HashMap<&str, usize> =
        config.codes().enumerate().map(|(i, c)| (c, i)).collect();
    pages.sort_by(|a, b| {
        (&a.id, language_order[a.lang.as_str()]).cmp(&(&b.id, language_order[b.lang.as_str()]))
    });
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

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FoundFile {
    file: String,
    lang: String,
    dir: String,
    key: String,
}

struct Found {
    files: Vec<FoundFile>,
    diagnostics: Vec<Diagnostic>,
    /// Links and names the listing left out (warnings and errors from `files::walk`).
    skipped: Vec<Diagnostic>,
    /// Every folder listed, `content/` included.
    dirs: Vec<std::path::PathBuf>,
    /// When the listing began.
    since: std::time::SystemTime,
}

/// Lists the Markdown files under `content/` with their language, folder and key.
fn discover(root: &Path, content: &Path, config: &Config) -> Result<Found, Diagnostic> {
    if !content.is_dir() {
        return Err(Diagnostic::error(
            Kind::Content,
            CONTENT_DIR,
            format!("no `{CONTENT_DIR}/` folder in {}", root.display()),
        )
        .with_hint("run the command in the site folder, or pass --root DIR"));
    }
    let mut found = Found {
        files: Vec::new(),
        diagnostics: Vec::new(),
        skipped: Vec::new(),
        dirs: Vec::new(),
        since: std::time::SystemTime::now(),
    };
    let walk = files::walk(root, CONTENT_DIR, files::is_ignored, Some("md"));
    found.dirs = walk.dirs;
    found.skipped = walk.skipped;
    for e in walk.errors {
        let at = e
            .path()
            .map(|p| files::relative(root, p))
            .unwrap_or_default();
        found
            .diagnostics
            .push(Diagnostic::error(Kind::Io, at, format!("cannot read: {e}")));
    }
    for (_, path) in &walk.files {
        let path = path.as_path();
        let file = files::relative(root, path);
        let rel_dir = files::relative(content, path.parent().unwrap_or(content));
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        match split_language(stem, config) {
            Ok((key, lang)) => {
                let (dir, key) = bundle_page(rel_dir, key);
                found.files.push(FoundFile {
                    file,
                    lang,
                    dir,
                    key,
                })
            }
            Err(message) => {
                let codes: Vec<&str> = config.codes().collect();
                found.diagnostics.push(
                    Diagnostic::error(Kind::Language, file, message)
                        .with_hint(format!("configured languages: {}", codes.join(", "))),
                );
            }
        }
    }
    Ok(found)
}

/// A page that is a folder (`regions/puglia/index.en.md`) is the page its folder names
/// (`regions/puglia`): (folder, key) → (parent folder, folder name). Other files keep theirs.
fn bundle_page(dir: String, key: String) -> (String, String) {
    if key != "index" || dir.is_empty() {
        return (dir, key);
    }
    match dir.rsplit_once('/') {
        Some((parent, name)) => (parent.to_owned(), name.to_owned()),
        None => (String::new(), dir),
    }
}

/// `attica.en` → (`attica`, `en`); `attica` → (`attica`, default language);
/// `attica.fr` → an error when `fr` is not configured.
fn split_language(stem: &str, config: &Config) -> Result<(String, String), String> {
    match config.split_language(stem) {
        Suffix::Language(key, lang) => Ok((key.to_owned(), lang.to_owned())),
        Suffix::Unconfigured(_, suffix) => Err(format!(
            "language suffix `.{suffix}` names a language that is not configured in site.toml"
        )),
        Suffix::None(key) => Ok((key.to_owned(), config.default_language.clone())),
    }
}

fn kind_of(dir: &str) -> PageKind {
    match dir.split('/').next() {
        Some(REGIONS) => PageKind::Region,
        Some(EVENTS) => PageKind::Event,
        _ => PageKind::Page,
    }
}

/// The kind of diagnostic for a file the system could not read.
pub(crate) const READ_ERROR: Kind = Kind::Io;

fn read_page(root: &Path, f: &FoundFile) -> PageResult {
    let bytes = std::fs::read(root.join(&f.file)).map_err(|e| {
        vec![Diagnostic::error(
            READ_ERROR,
            &f.file,
            format!("cannot read the file: {e}"),
        )]
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        vec![Diagnostic::error(
            Kind::Encoding,
            &f.file,
            "expected UTF-8 text; save the file as UTF-8",
        )
        .at(line, None)]
    })?;
    let front_matter::Normalized {
        text: source,
        cleaned,
    } = front_matter::normalized(&text);
    // `_index` files hold section intros: page fields only.
    let kind = if f.key == "_index" {
        PageKind::Page
    } else {
        kind_of(&f.dir)
    };
    let parsed = front_matter::parse(&f.file, &source, kind)?;
    let mut warnings = front_matter::typo_warnings(&f.file, &source, &parsed.front, kind);
    if cleaned {
        warnings.extend(crate::text::warnings(&f.file, &text));
    }
    warnings.extend(parsed.warnings.iter().cloned());
    let id = page_id(&f.dir, &f.key);
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
            body_start: parsed.body_start,
            fallback_from: None,
            cover: None,
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
    diagnostics.extend(group.iter().filter_map(country_mismatch));
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

/// A warning when a page's `country` is not a name of the country its `country_code` (its own
/// or inherited) stands for: `country: Poland` with `country_code: PT`.
fn country_mismatch(p: &Page) -> Option<Diagnostic> {
    let written = p.front.country.as_deref()?;
    let code = p.front.neutral.country_code.as_deref()?;
    if crate::countries::agrees(code, written)? {
        return None;
    }
    let line = p
        .source
        .lines()
        .position(|l| l.starts_with("country:"))
        .map_or(1, |i| i + 1);
    let mut d = Diagnostic::warning(
        Kind::CountryMismatch,
        &p.file,
        format!("country: \"{written}\" is not the country of country_code {code}"),
    )
    .in_source(&p.source, line, Some(1));
    if let Some(name) = crate::countries::name(code, &p.lang) {
        d = d.with_hint(format!(
            "{code} is {name}: correct the country or the code (set in this page or its translation)"
        ));
    }
    Some(d)
}

/// Fills each translation's missing language-neutral fields from its counterparts, and reports
/// fields that two translations give differently. `group` holds the pages of one id.
fn inherit_neutral(group: &mut [Page]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if group.len() < 2 {
        return diagnostics;
    }
    let mut merged = Neutral::default();
    // For each field, the page `merged` took it from.
    let mut origin = [None; NEUTRAL_FIELDS.len()];
    for (i, page) in group.iter().enumerate() {
        for (k, field) in NEUTRAL_FIELDS.into_iter().enumerate() {
            let Some(value) = field_value(&page.front.neutral, field) else {
                continue;
            };
            let Some(first) = origin[k] else {
                copy_field(&mut merged, &page.front.neutral, field);
                origin[k] = Some(i);
                continue;
            };
            if field_value(&merged, field) != Some(value) {
                let first: &Page = &group[first];
                diagnostics.push(mismatch(page, first, &merged, field));
            }
        }
    }
    for page in group.iter_mut() {
        for field in NEUTRAL_FIELDS {
            if field_value(&page.front.neutral, field).is_none() {
                copy_field(&mut page.front.neutral, &merged, field);
            }
        }
    }
    diagnostics
}

/// The error for a neutral field `page` gives differently than `first` (whose value `merged`
/// holds), with both values as JSON.
fn mismatch(page: &Page, first: &Page, merged: &Neutral, field: &str) -> Diagnostic {
    let (a, b) = (
        &fields_json(merged)[field],
        &fields_json(&page.front.neutral)[field],
    );
    Diagnostic::error(
        Kind::TranslationMismatch,
        &page.file,
        format!(
            "{field}: {b} here, but {a} in {}; language-neutral fields must agree between translations",
            first.file
        ),
    )
    .in_source(&page.source, page.front.line_of(field), None)
    .with_hint(format!(
        "write `{field}` in one translation only, or make both the same"
    ))
}

/// A neutral field's value, when set, to compare without serializing: this runs for every page of
/// every build.
#[derive(PartialEq)]
enum FieldValue<'a> {
    Text(&'a str),
    Date(PartialDate),
    Status(front_matter::Status),
    Coordinates(front_matter::Coordinates),
    Kind(front_matter::EventKind),
    List(&'a [String]),
}

fn field_value<'a>(n: &'a Neutral, field: &str) -> Option<FieldValue<'a>> {
    match field {
        "slug" => n.slug.as_deref().map(FieldValue::Text),
        "country_code" => n.country_code.as_deref().map(FieldValue::Text),
        "established" => n.established.map(FieldValue::Date),
        "status" => n.status.map(FieldValue::Status),
        "coordinates" => n.coordinates.map(FieldValue::Coordinates),
        "date" => n.date.map(FieldValue::Date),
        "kind" => n.kind.map(FieldValue::Kind),
        "regions" => n.regions.as_deref().map(FieldValue::List),
        _ => unreachable!("NEUTRAL_FIELDS and field_value disagree on `{field}`"),
    }
}

/// The neutral fields that are set, as JSON, to show values generically.
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
                    Kind::FrontMatter,
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
                Kind::UnknownRegion,
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

/// A page's id, shared by its translations: its path under `content/` without the language
/// suffix (`regions/attica`, `about`).
pub(crate) fn page_id(dir: &str, key: &str) -> String {
    if dir.is_empty() {
        key.to_owned()
    } else {
        format!("{dir}/{key}")
    }
}

fn index_by_id(pages: &[Page]) -> FxHashMap<String, Vec<usize>> {
    let mut by_id: FxHashMap<String, Vec<usize>> = FxHashMap::default();
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

/// A page or intro published in a folder of built-in pages (`content/tags/`): they would
/// replace each other.
fn in_builtin_folder(site: &Site, path: &str, file: &str) -> Option<Diagnostic> {
    let (lang, rest) = path.trim_start_matches('/').split_once('/')?;
    let folder = rest.split('/').next()?;
    let builtin = site.config.language(lang).is_some()
        && crate::layout::BUILTIN_FOLDERS.contains(&folder)
        && file.starts_with(CONTENT_DIR);
    builtin.then(|| {
        Diagnostic::error(
            Kind::UrlCollision,
            file,
            format!("publishes to {path}, but the build publishes its own pages under /{lang}/{folder}/"),
        )
        .with_hint("move the file to a folder of another name")
    })
}

/// Two sources may not publish to the same URL (e.g. a `slug` equal to another page's key).
fn check_collisions(site: &Site) -> Vec<Diagnostic> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for lang in site.config.codes() {
        for name in crate::layout::SPECIAL_PAGES {
            seen.insert(format!("/{lang}/{name}/"), "a built-in page");
        }
    }
    let mut out = Vec::new();
    let sections = site.sections.iter().map(|s| {
        let file = s.index.as_ref().map_or("the folder", |i| i.file.as_str());
        (s.path.as_str(), file)
    });
    // A fallback takes no URL another page has (see `fallback::add`).
    let pages = (site.pages.iter())
        .filter(|p| !p.is_fallback())
        .map(|p| (p.path.as_str(), p.file.as_str()));
    for (path, file) in sections.chain(pages) {
        if let Some(d) = in_builtin_folder(site, path, file) {
            out.push(d);
            continue;
        }
        if let Some(other) = seen.insert(path.to_owned(), file) {
            out.push(
                Diagnostic::error(
                    Kind::UrlCollision,
                    file,
                    format!("publishes to {path}, which {other} also publishes to"),
                )
                .with_hint("give one of them a different `slug`, or rename the file"),
            );
        }
    }
    out
}
