//! Checks over the whole rendered site that no single file can make alone: every internal link
//! and image reaches a page, file or heading the build produces; which pages lack which language
//! (translation coverage); and which external links there are, for `check --external`.
//!
//! `build` runs the link and translation checks, so a site that `check` passes also builds.

use crate::content::{Page, Site};
use crate::diagnostics::{self, Diagnostic, Kind, Quote};
use crate::front_matter::PageKind;
use crate::layout::STATIC_DIR;
use crate::markdown::Bodies;
use crate::markdown::Rendered;
use crate::output::Output;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Every rendered Markdown document: pages, then section intros (`_index` files). Fallbacks
/// are among them (a link may point at one of their headings), but their own links are their
/// originals': `document_links` and `external_links` leave them out.
pub(crate) fn documents<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
) -> impl Iterator<Item = (&'a Page, &'a Rendered)> {
    let pages = site.pages.iter().zip(&bodies.pages);
    let intros = site
        .sections
        .iter()
        .zip(&bodies.sections)
        .filter_map(|(s, b)| Some((s.index.as_ref()?, b.as_ref()?)));
    pages.chain(intros)
}

/// Links inside the site must reach a file the build produces; anchors must reach a heading.
/// `root` is the site folder, to quote the source of pages whose source the build let go.
pub fn links(root: &Path, site: &Site, bodies: &Bodies, outputs: &[Output]) -> Vec<Diagnostic> {
    // Pages count as produced even if their template failed: that error is reported already.
    let intended: Vec<String> = site
        .pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .map(crate::output::output_path)
        .collect();
    let produced: HashSet<&str> = outputs
        .iter()
        .map(|o| o.path.as_str())
        .chain(intended.iter().map(String::as_str))
        .collect();
    let by_path: HashMap<&str, &Rendered> = documents(site, bodies)
        .map(|(p, b)| (p.path.as_str(), b))
        .collect();
    let targets = Targets {
        root,
        produces: &|file| produced.contains(file),
        document: &|path| by_path.get(path).copied(),
    };
    documents(site, bodies)
        .flat_map(|(page, body)| document_links(site, page, body, &targets))
        .collect()
}

/// What links are checked against.
pub(crate) struct Targets<'t, 'a> {
    /// The site folder, to quote the source of pages whose source the build let go.
    pub root: &'t Path,
    /// Whether the build produces an output (a path relative to the output folder).
    pub produces: &'t dyn Fn(&str) -> bool,
    /// The rendered document published at a site path (`/en/regions/attica/`), for its headings.
    pub document: &'t dyn Fn(&str) -> Option<&'a Rendered>,
}

/// The broken links of one document (none for a fallback: its links are its original's).
pub(crate) fn document_links(
    site: &Site,
    page: &Page,
    body: &Rendered,
    targets: &Targets,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if page.is_fallback() {
        return out;
    }
    // Read (at most) once for all of the document's broken links, not once for each.
    let mut source = None;
    for link in &body.links {
        let target = if link.path.is_empty() {
            page.path.as_str()
        } else {
            link.path.as_str()
        };
        let file = percent_decode(target.split('?').next().unwrap_or(""));
        let problem = if !exists(targets.produces, &file) {
            let message = format!(
                "link to `{}`: the site has no page or file at {file}",
                link.written
            );
            Some((message, missing_target_hint(targets.root, site, &file)))
        } else {
            // Only a link with an anchor needs the target's headings.
            let anchor = link.anchor.as_deref().filter(|a| !a.is_empty());
            let ids: Option<HashSet<&str>> = anchor.and_then(|_| {
                let doc = (targets.document)(target)?;
                Some(doc.toc.iter().map(|h| h.id.as_str()).collect())
            });
            match (anchor, ids) {
                (Some(a), Some(ids)) if !ids.contains(percent_decode(a).as_str()) => {
                    let message = format!(
                        "link to `{}`: no heading with id `{a}` on that page",
                        link.written
                    );
                    let hint = anchor_hint(&percent_decode(a), &ids);
                    Some((message, hint))
                }
                _ => None,
            }
        };
        if let Some((message, hint)) = problem {
            out.push(
                Diagnostic::error(Kind::BrokenLink, &page.file, message)
                    .quoting(
                        source.get_or_insert_with(|| page.source_text(targets.root)),
                        link.at.offset,
                        link.at.line,
                        link.at.column,
                    )
                    .underline(link.at.len)
                    .with_hint(hint),
            );
        }
    }
    out
}

/// The likely intended heading, else the headings there are.
fn anchor_hint(anchor: &str, ids: &HashSet<&str>) -> String {
    if let Some(s) = diagnostics::suggest(anchor, ids.iter().copied()) {
        return format!("did you mean `#{s}`?");
    }
    let mut ids: Vec<&str> = ids.iter().copied().collect();
    ids.sort_unstable();
    if ids.is_empty() {
        return "that page has no headings to link to".to_owned();
    }
    let list: Vec<String> = ids.iter().take(8).map(|i| format!("`#{i}`")).collect();
    format!(
        "the page's headings are {}{}; a heading's id is its text in lower case with `-` for spaces",
        list.join(", "),
        if ids.len() > 8 { ", …" } else { "" }
    )
}

/// A site path the build publishes; `/en/about` counts for `/en/about/` (servers redirect it).
fn exists(produces: &dyn Fn(&str) -> bool, path: &str) -> bool {
    let rel = path.trim_start_matches('/');
    produces(crate::output::output_path(path).as_str())
        || produces(rel)
        || produces(format!("{rel}/index.html").as_str())
}

fn missing_target_hint(root: &Path, site: &Site, path: &str) -> String {
    let pages = site
        .pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()));
    if let Some(guess) = diagnostics::suggest(path, pages) {
        return format!("did you mean `{guess}`?");
    }
    let name = path.rsplit('/').next().unwrap_or("");
    if let Some(link) = skipped_link(root, path) {
        format!(
            "{link} is a symbolic link the build skipped: links are followed only while they \
             lead somewhere inside the site folder"
        )
    } else if name.contains('.') {
        format!(
            "files are published from `{STATIC_DIR}/` at the site root: {path} comes from {STATIC_DIR}{path}"
        )
    } else {
        "link to a page by its file, like @/regions/attica.md, so the link follows the page's language and slug".to_owned()
    }
}

/// The symbolic link in `static/` on the way to the file at the site path `path`, if the build
/// skipped it (see `files::walk`): the file is there, but not published.
fn skipped_link(root: &Path, path: &str) -> Option<String> {
    let site = root.canonicalize().ok()?;
    let mut rel = STATIC_DIR.to_owned();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        rel = format!("{rel}/{part}");
        let at = root.join(&rel);
        if at.symlink_metadata().ok()?.file_type().is_symlink() {
            let inside = at.canonicalize().is_ok_and(|t| t.starts_with(&site));
            return (!inside).then_some(rel);
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// How completely one section (top-level folder under `content/`) is translated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectionCoverage {
    /// The folder (`regions`), or `(top level)` for pages directly in `content/`.
    pub section: String,
    /// Distinct pages (by id) in any language.
    pub total: usize,
    /// Pages that have a version in each language, in the site's language order.
    pub languages: Vec<LanguageCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LanguageCount {
    pub lang: String,
    pub pages: usize,
    /// Ids of the pages without this language (`regions/wallonia`).
    pub missing: Vec<String>,
    /// Ids of the pages whose version in this language is possibly outdated (see `outdated`;
    /// empty without git history).
    pub outdated: Vec<String>,
}

/// Translation coverage of the published pages (drafts count only when built with them).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Coverage {
    pub sections: Vec<SectionCoverage>,
}

pub const TOP_LEVEL: &str = "(top level)";

impl Coverage {
    /// One line per section: `regions: zh 8/8, en 7/8`.
    pub fn lines(&self) -> Vec<String> {
        self.sections
            .iter()
            .map(|s| {
                let counts: Vec<String> = s
                    .languages
                    .iter()
                    .map(|l| match l.outdated.len() {
                        0 => format!("{} {}/{}", l.lang, l.pages, s.total),
                        n => format!("{} {}/{} ({n} outdated)", l.lang, l.pages, s.total),
                    })
                    .collect();
                format!("{}: {}", s.section, counts.join(", "))
            })
            .collect()
    }
}

pub fn coverage(site: &Site) -> Coverage {
    let mut by_section: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for p in site.pages.iter().filter(|p| !p.is_fallback()) {
        let section = section_of(p);
        by_section
            .entry(section)
            .or_default()
            .entry(p.id.as_str())
            .or_default()
            .push(p.lang.as_str());
    }
    let sections = by_section
        .into_iter()
        .map(|(section, ids)| SectionCoverage {
            section: section.to_owned(),
            total: ids.len(),
            languages: site
                .config
                .codes()
                .map(|lang| {
                    let missing: Vec<String> = ids
                        .iter()
                        .filter(|(_, langs)| !langs.contains(&lang))
                        .map(|(id, _)| (*id).to_owned())
                        .collect();
                    LanguageCount {
                        lang: lang.to_owned(),
                        pages: ids.len() - missing.len(),
                        missing,
                        outdated: Vec::new(),
                    }
                })
                .collect(),
        })
        .collect();
    Coverage { sections }
}

/// The section of the coverage report a page counts in: its top-level folder.
fn section_of(p: &Page) -> &str {
    match p.dir.split('/').next() {
        Some("") | None => TOP_LEVEL,
        Some(s) => s,
    }
}

impl Coverage {
    /// Counts the outdated translations in their sections and languages.
    pub fn count_outdated(&mut self, outdated: &[crate::outdated::Outdated]) {
        // Section intros are not counted as pages either.
        for o in outdated.iter().filter(|o| o.page.key != "_index") {
            let section = self
                .sections
                .iter_mut()
                .find(|s| s.section == section_of(o.page));
            let language =
                section.and_then(|s| s.languages.iter_mut().find(|l| l.lang == o.page.lang));
            if let Some(l) = language {
                l.outdated.push(o.page.id.clone());
            }
        }
    }
}

/// A page without a version in some language: the switcher goes to that language's home.
pub fn missing_translations(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in site.pages.iter().filter(|p| !p.is_fallback()) {
        for lang in site.config.codes() {
            let version = site.page(&p.id, lang);
            if version.is_none_or(Page::is_fallback) {
                // Regions and events are named by key, pages by their path under content/.
                let key = if p.kind == PageKind::Page {
                    &p.id
                } else {
                    &p.key
                };
                out.push(
                    Diagnostic::warning(
                        Kind::MissingTranslation,
                        &p.file,
                        match version {
                            Some(_) => format!("no `{lang}` translation: `{lang}` readers are shown this page, with a notice"),
                            None => format!("no `{lang}` translation: the language switcher links to the `{lang}` home page instead"),
                        },
                    )
                    .with_hint(format!("start one with `henan-stories new {} {key}.{lang}`", p.kind.name())),
                );
            }
        }
    }
    // A folder's intro (`_index`) in one language only: the other language's list has none.
    for s in &site.sections {
        let Some(index) = s.index.as_ref().filter(|i| !i.is_fallback()) else {
            continue;
        };
        for lang in site.config.codes() {
            let intro = site.section(&s.dir, lang).and_then(|t| t.index.as_ref());
            if intro.is_none_or(Page::is_fallback) {
                out.push(
                    Diagnostic::warning(
                        Kind::MissingTranslation,
                        &index.file,
                        format!("no `{lang}` translation: the `{lang}` list of this folder has no title, intro or summary of its own"),
                    )
                    .with_hint(format!("add `_index.{lang}.md` beside this file, translated")),
                );
            }
        }
    }
    out.extend(untitled_folders(site));
    out
}

/// A folder with no intro in any language and no UI string of its name: its lists are titled
/// after the folder's name, made readable.
fn untitled_folders(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for s in &site.sections {
        let language = site.config.language(&s.lang).expect("configured");
        let folder = s.dir.rsplit('/').next().unwrap_or(&s.dir);
        let untitled = !s.dir.is_empty()
            && !language.strings.contains_key(folder)
            && site
                .config
                .codes()
                .all(|l| site.section(&s.dir, l).is_none_or(|t| t.index.is_none()));
        if untitled && seen.insert(&s.dir) {
            let langs: Vec<String> = site
                .config
                .codes()
                .map(|l| format!("`_index.{l}.md`"))
                .collect();
            out.push(
                Diagnostic::warning(
                    Kind::MissingIntro,
                    format!("{}/{}", crate::layout::CONTENT_DIR, s.dir),
                    format!("this folder has no intro (`_index`): its lists are titled “{}”, from the folder's name", s.title(language)),
                )
                .with_hint(format!("add {} with a `title:` in each language", langs.join(" and "))),
            );
        }
    }
    out
}

/// An external link found in the content, located for messages.
#[derive(Debug, Clone)]
pub struct ExternalRef {
    pub url: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub len: usize,
    pub quote: Option<Quote>,
}

impl ExternalRef {
    /// An error at this link, with the source line quoted under it.
    pub fn error(&self, message: String) -> Diagnostic {
        let mut d = Diagnostic::error(Kind::ExternalLink, &self.file, message)
            .at(self.line, Some(self.column))
            .underline(self.len);
        d.quote.clone_from(&self.quote);
        d
    }
}

/// Every `http(s)://` link in the published content, in file order.
pub fn external_links(root: &Path, site: &Site, bodies: &Bodies) -> Vec<ExternalRef> {
    documents(site, bodies)
        .filter(|(page, body)| !body.external.is_empty() && !page.is_fallback())
        .flat_map(|(page, body)| {
            let source = page.source_text(root);
            body.external
                .iter()
                .map(|l| ExternalRef {
                    url: l.url.clone(),
                    file: page.file.clone(),
                    line: l.at.line,
                    column: l.at.column,
                    len: l.at.len,
                    quote: Quote::around(&source, l.at.offset),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
