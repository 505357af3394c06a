//! Everything a build produces, as one list of producers. Each says what it makes from the site
//! model (`produce`), which edits concern it and what it then makes again (`update`), and its
//! outputs are what it reserves of the output folder: `collisions` checks them in one place.
//! The full build and the incremental engine both iterate `PRODUCERS`, so a new kind of output
//! is one new producer (and its template).

use crate::check;
use crate::content::{Page, Patch, Site};
use crate::diagnostics::{Diagnostic, Kind};
use crate::feeds::{self, AlternateGroups};
use crate::highlight::{self, Highlighter};
use crate::layout::{SPECIAL_PAGES, STATIC_DIR};
use crate::markdown::{Bodies, Rendered};
use crate::output::{self, Output, Sinks};
use crate::pagination;
use crate::render::Renderer;
use crate::search;
use crate::special;
use crate::taxonomy;
use crate::taxonomy_pages;
use crate::templates::{self, Static};

mod media;
pub use media::{bundle_files, paths as media_paths};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// A kind of output the site has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Producer {
    /// Section lists, one output per list page; each language's home is its root section.
    Sections,
    /// The timeline, map and search page of each language, and the map's `world.svg`.
    Specials,
    /// Country and tag pages, and their lists, in each language.
    Taxonomies,
    /// The language chooser `/` and `/404.html`.
    Roots,
    /// Content pages, from their Markdown.
    Pages,
    /// The search index of each language.
    SearchIndex,
    /// The Atom feed of each language.
    Feeds,
    /// `sitemap.xml` and `robots.txt`.
    Sitemap,
    /// The code highlighting stylesheet, when a page has code.
    CodeStylesheet,
    /// The files of page bundles and the sizes of the images pages show.
    Media,
    /// The theme's static files and the site's `static/`.
    StaticFiles,
}

/// Every producer, in the order a full build runs them: the lists first, while no page body is
/// held (the timeline's and the map's contexts hold every region and event), then the pages,
/// which render the pages' Markdown, then the files that read it.
pub const PRODUCERS: [Producer; 11] = [
    Producer::Sections,
    Producer::Specials,
    Producer::Taxonomies,
    Producer::Roots,
    Producer::Pages,
    Producer::SearchIndex,
    Producer::Feeds,
    Producer::Sitemap,
    Producer::CodeStylesheet,
    Producer::Media,
    Producer::StaticFiles,
];

/// What producers read: the site and its templates (through the renderer), and where outputs
/// go as soon as they are made.
pub struct Model<'a, 'r> {
    pub root: &'a Path,
    /// Holds the site model; hands what it renders to `sinks.output`.
    pub renderer: &'a Renderer<'r>,
    pub highlighter: &'a Highlighter,
    pub sinks: Sinks<'a>,
    /// The preview's: photos are encoded in the background (see `producers::media`).
    pub background: Option<&'a crate::media::Background>,
}

/// The site's Markdown as a build goes.
pub struct Work {
    pub bodies: Bodies,
    /// The pages' Markdown, while not rendered yet: the full build renders each page's body and
    /// template in one step and lets its source go (`Producer::Pages` fills `bodies.pages`).
    pub sources: Option<Vec<std::sync::Arc<str>>>,
}

/// What a producer made: outputs, or why one could not be made.
pub type Made = Vec<Result<Output, Diagnostic>>;

/// What a producer made again after an edit, and the outputs it no longer makes.
#[derive(Default)]
pub struct Update {
    pub made: Made,
    pub removed: Vec<String>,
}

impl Producer {
    /// Every output of this kind, each handed to the model's sinks as soon as it is made.
    pub fn produce(self, m: &Model, work: &Work) -> Made {
        let r = m.renderer;
        let (site, sink, bodies) = (r.site, m.sinks.output, &work.bodies);
        match self {
            Producer::Sections => r.sections(&bodies.sections),
            Producer::Specials => special::render_all(r),
            Producer::Taxonomies => taxonomy_pages::render_all(r),
            Producer::Roots => r.root_pages(),
            Producer::Pages => r.pages(&bodies.pages),
            Producer::SearchIndex => search::index_files(site, bodies, sink),
            Producer::Feeds => feeds_of(m, bodies, site.config.codes(), None),
            Producer::Sitemap => vec![
                sink(feeds::sitemap(site, &alternates(site))),
                sink(feeds::robots(site)),
            ],
            Producer::CodeStylesheet => match has_code(site, bodies) {
                true => vec![sink(Output::new(
                    highlight::STYLESHEET,
                    m.highlighter.stylesheet(),
                ))],
                false => Vec::new(),
            },
            Producer::Media => media::publish(m.root, site, bodies, m.sinks, m.background),
            Producer::StaticFiles => static_files(m.root, m.sinks),
        }
    }

    /// What an edit that kept the site's shape makes again (see `Edit` for which outputs read
    /// what); the rest of this kind's outputs stay as they are.
    pub fn update(self, m: &Model, work: &mut Work, edit: &mut Edit) -> Update {
        let r = m.renderer;
        let (site, sink, bodies) = (r.site, m.sinks.output, &work.bodies);
        let made = match self {
            Producer::Pages => site
                .pages
                .par_iter()
                .zip(&bodies.pages)
                .enumerate()
                .filter(|(i, _)| edit.pages.contains(i))
                .map(|(_, (p, body))| {
                    r.page(p, &crate::render::with_html(site, m.highlighter, p, body))
                })
                .collect(),
            Producer::Sections => site
                .sections
                .par_iter()
                .zip(&bodies.sections)
                .enumerate()
                .filter_map(|(j, section)| Some((edit.sections.get(&j)?, section)))
                .flat_map_iter(|(numbers, (s, body))| {
                    r.section(s, body.as_ref(), &|n| {
                        numbers.as_ref().is_none_or(|numbers| numbers.contains(&n))
                    })
                })
                .collect(),
            Producer::Specials => return specials_update(m, &edit.specials),
            Producer::Taxonomies if edit.taxonomies => {
                let (before, after) = &edit.taxonomy_outputs;
                // The same country and tag pages: only those showing what changed change.
                let made = match before == after {
                    true => taxonomy_pages::render_showing(r, &edit.shown),
                    false => self.produce(m, work),
                };
                let removed = before.difference(after).cloned();
                return Update {
                    made,
                    removed: removed.collect(),
                };
            }
            // Country and tag pages come and go with the tags and countries pages have.
            Producer::Sitemap if edit.taxonomy_outputs.0 != edit.taxonomy_outputs.1 => {
                self.produce(m, work)
            }
            // They depend only on the shape.
            Producer::Taxonomies | Producer::Roots | Producer::Sitemap => Vec::new(),
            Producer::SearchIndex => {
                let published = edit.published;
                let read = |path: &str| std::fs::read(published?.join(path)).ok();
                let bodies = &mut work.bodies;
                return match edit
                    .index
                    .update(site, bodies, &edit.before, edit.files, &read)
                {
                    Ok(index) => Update {
                        made: index.files.into_iter().map(sink).collect(),
                        removed: index.removed,
                    },
                    Err(why) => Update {
                        made: vec![Err(Diagnostic::error(Kind::Output, why, UNREAD))],
                        removed: Vec::new(),
                    },
                };
            }
            Producer::Feeds => feeds_of(m, bodies, edit.feeds.iter().copied(), Some(edit)),
            Producer::CodeStylesheet => {
                let made = self.produce(m, work);
                let was = output::find(edit.files, highlight::STYLESHEET).is_some();
                if made.is_empty() && was {
                    return Update {
                        made,
                        removed: vec![highlight::STYLESHEET.to_owned()],
                    };
                }
                made
            }
            // Read again: they are cheap.
            Producer::StaticFiles => self.produce(m, work),
            // An edit never waits for a photo to be encoded; those no page shows any more go.
            Producer::Media => {
                let files = edit.bundle_files.clone();
                let (made, now) = media::republish(m.root, files, bodies, m.sinks, m.background);
                let removed = edit.media.difference(&now).cloned().collect();
                edit.media = now;
                return Update { made, removed };
            }
        };
        Update {
            made,
            removed: Vec::new(),
        }
    }
}

/// One path a producer made, for `collisions`.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub path: &'a str,
    pub by: Producer,
}

/// Paths claimed by more than one output, or a file where another output needs a folder
/// (`static/en` and the page `en/index.html`): the one place where what producers reserve is
/// checked against each other (`collisions` names the sources).
pub fn collisions(root: &Path, site: &Site, claims: &[Claim]) -> Vec<Diagnostic> {
    // The manifest is written by publishing, after the producers; its path is reserved too.
    let reserved = std::iter::once(output::MANIFEST);
    let paths = claims.iter().map(|c| c.path).chain(reserved).collect();
    let statics = claims
        .iter()
        .filter(|c| c.by == Producer::StaticFiles)
        .map(|c| c.path);
    crate::collisions::check(root, site, paths, statics).1
}

/// The content pages (`Producer::Pages`): from their Markdown (`sources`, the full build's),
/// with the bodies rendered for `Work::bodies.pages`; else from the bodies already rendered.
pub fn pages(
    m: &Model,
    sources: Option<Vec<std::sync::Arc<str>>>,
    work: &Work,
) -> (Option<Vec<Rendered>>, Made) {
    match sources {
        Some(sources) => {
            // Of the bodies' HTML, only the feeds' events' is read again: they quote them whole.
            let quoted = feeds::quoted(m.renderer.site);
            let (pages, made) =
                (m.renderer).pages_from_markdown(sources, m.highlighter, |i| quoted[i]);
            (Some(pages), made)
        }
        None => (None, Producer::Pages.produce(m, work)),
    }
}

/// What `Producer::Specials` makes again after an edit: the special pages (language, name) in
/// `specials` (`Edit::specials`). It reads only the site, so the engine renders them beside
/// the other producers' updates.
pub fn specials_update(m: &Model, specials: &BTreeSet<(&str, &'static str)>) -> Update {
    Update {
        made: special::render_showing_content(m.renderer, specials),
        removed: Vec::new(),
    }
}

/// Why an edit could not be made by the engine: a published file it reads back.
pub const UNREAD: &str = "the engine could not read back what this published file holds";

/// The Atom feeds of `langs`, each handed to `sink` as soon as it is made: they quote their
/// events whole, so one per language at a time (two languages, side by side). After an `edit`,
/// each reuses what its feed before the edit holds of the events left alone.
fn feeds_of<'l>(
    m: &Model,
    bodies: &Bodies,
    langs: impl Iterator<Item = &'l str>,
    edit: Option<&Edit>,
) -> Made {
    let (site, sink) = (m.renderer.site, m.sinks.output);
    let langs: Vec<&str> = langs.collect();
    let before = |lang: &str| {
        let edit = edit?;
        let feed = output::find(edit.files, &format!("{lang}/{}", feeds::ATOM_FILE))?;
        Some(feeds::Before {
            feed,
            rendered_again: &edit.rendered_again,
        })
    };
    langs
        .par_iter()
        .map(|l| sink(feeds::atom(site, bodies, m.highlighter, l, before(l))))
        .collect()
}

/// The sitemap's groups of alternates: one per page id or section folder (the versions of one
/// page in each language), and one per special page. Fallbacks are not listed: search engines
/// index their originals.
fn alternates(site: &Site) -> AlternateGroups {
    let mut groups: AlternateGroups = Vec::new();
    let mut index: HashMap<(bool, &str), usize> = HashMap::new();
    let pages = (site.pages.iter())
        .filter(|p| !p.is_fallback())
        .map(|p| ((false, p.id.as_str()), &p.lang, &p.path));
    let sections = site
        .sections
        .iter()
        .map(|s| ((true, s.dir.as_str()), &s.lang, &s.path));
    for (key, lang, path) in pages.chain(sections) {
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push((lang.clone(), path.clone()));
    }
    groups.extend(taxonomy::alternates(site));
    for name in SPECIAL_PAGES {
        groups.push(
            site.config
                .codes()
                .map(|l| (l.to_owned(), format!("/{l}/{name}/")))
                .collect(),
        );
    }
    groups.sort();
    groups
}

fn has_code(site: &Site, bodies: &Bodies) -> bool {
    check::documents(site, bodies).any(|(_, b)| b.has_code)
}

/// The static files, in parallel: built-in ones through `sinks.output`, the site's through
/// `sinks.file` (which copies a large file rather than holding it).
fn static_files(root: &Path, sinks: Sinks) -> Made {
    match templates::static_files(root) {
        Ok(files) => files
            .into_par_iter()
            .map(|(path, file)| match file {
                Static::Builtin(bytes) => (sinks.output)(Output::new(path, bytes)),
                Static::File(source) => (sinks.file)(path, &source),
            })
            .collect(),
        Err(e) => vec![Err(Diagnostic::error(
            Kind::Io,
            STATIC_DIR,
            format!("{e:#}"),
        ))],
    }
}

/// An edit that kept the site's shape, as the producers ask about it: which outputs show what
/// it changed. Cards and lists show titles, summaries, dates and places, never bodies.
pub struct Edit<'a> {
    /// Pages to render again: those edited, the regions a changed event names (before or
    /// after the edit), the events that name a changed region.
    pub pages: HashSet<usize>,
    /// Lists to render again, with the numbers (from 1) of their list pages to render, or
    /// `None` for all of them: the list pages holding a changed page or whose part of the
    /// order changed; every list page of those whose own or a subsection's intro changed, and
    /// the home of a language whose regions or events changed.
    pub sections: HashMap<usize, Option<BTreeSet<usize>>>,
    /// Special pages to render again (language, name): the timeline where a region or event
    /// changed, the map where a region did.
    pub specials: BTreeSet<(&'a str, &'static str)>,
    /// Whether any page's front matter changed: country and tag pages list them by title,
    /// tags and country.
    pub taxonomies: bool,
    /// The country and tag pages showing a page whose front matter changed, before or after.
    pub shown: taxonomy::Shown,
    /// The output paths of country and tag pages before the edit and after (neither listed
    /// when no front matter changed).
    pub taxonomy_outputs: (BTreeSet<String>, BTreeSet<String>),
    /// Languages with an event whose source or front matter changed.
    pub feeds: BTreeSet<&'a str>,
    /// Pages whose Markdown the edit rendered again: the others' HTML is as the outputs before
    /// the edit show it.
    pub rendered_again: HashSet<usize>,
    /// The documents the edit changed, as they were: the search index tokenizes them again.
    pub before: Vec<search::Before<'a>>,
    /// The search index's shard sizes, brought up to date by `Producer::SearchIndex`.
    pub index: search::Live,
    /// The outputs before the edit, sorted by path.
    pub files: &'a [Output],
    /// Where they are published, when `files` has not all their bytes (the engine the build
    /// cache kept reads back some of them).
    pub published: Option<&'a Path>,
    /// What `Producer::Media` made before the edit; after it, once updated.
    pub media: BTreeSet<String>,
    /// The files of the site's page folders published as they are (`bundle_files`): the
    /// same after an edit that keeps the site's shape and the files of its folders.
    pub bundle_files: BTreeMap<String, std::path::PathBuf>,
}

/// What changed in an edit that kept the site's shape, for `Edit::new`.
pub struct Changed<'a> {
    pub patch: &'a Patch,
    /// Pages whose source changed (their Markdown is rendered again).
    pub sources: &'a [usize],
    /// Pages whose source is the same but whose front matter changed through inheritance.
    pub front_only: &'a [usize],
    /// Whether each page's front matter (after inheritance) changed.
    pub front: &'a [bool],
    /// Whether each section's index file changed (source or front matter).
    pub index: &'a [bool],
}

impl<'a> Edit<'a> {
    pub fn new(
        site: &'a Site,
        changed: &Changed,
        before: Vec<search::Before<'a>>,
        index: search::Live,
        files: &'a [Output],
    ) -> Self {
        let (page_changed, index_changed, patch) = (changed.front, changed.index, changed.patch);
        let changed_front = |i: usize| page_changed[i];
        // (language, region key) of changed regions, and of regions named by changed events
        // before or after the edit.
        let mut regions: HashSet<(&str, &str)> = HashSet::new();
        let mut named: HashSet<(&str, &str)> = HashSet::new();
        let mut langs: HashSet<&str> = HashSet::new();
        let mut shown = taxonomy::Shown::default();
        for (i, p) in site
            .pages
            .iter()
            .enumerate()
            .filter(|(i, _)| changed_front(*i))
        {
            if p.is_region() {
                regions.insert((&p.lang, &p.key));
            }
            if p.is_region() || p.is_event() {
                langs.insert(&p.lang);
            }
            let old = patch.page(i).expect("a changed page was patched");
            for key in region_refs(p).chain(region_refs(old)) {
                named.insert((&p.lang, key));
            }
            shown.add(site, p);
            shown.add(site, old);
        }
        let mut pages: HashSet<usize> = site
            .pages
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                changed_front(*i)
                    || (p.is_region() && named.contains(&(p.lang.as_str(), p.key.as_str())))
                    || region_refs(p).any(|k| regions.contains(&(p.lang.as_str(), k)))
            })
            .map(|(i, _)| i)
            .collect();
        pages.extend(changed.sources);
        let index_of: HashMap<(&str, &str), usize> = site
            .sections
            .iter()
            .enumerate()
            .map(|(j, s)| ((s.lang.as_str(), s.dir.as_str()), j))
            .collect();
        let sections = site
            .sections
            .iter()
            .enumerate()
            .filter_map(|(j, s)| {
                let whole = index_changed[j]
                    || (s.dir.is_empty() && langs.contains(s.lang.as_str()))
                    || s.subsections.iter().any(|d| {
                        index_of
                            .get(&(s.lang.as_str(), d.as_str()))
                            .is_some_and(|&k| index_changed[k])
                    });
                let old = patch.lists.iter().find(|(k, _)| *k == j);
                let per_page = pagination::per_page(&site.config, s);
                let numbers: BTreeSet<usize> = (s.pages.chunks(per_page).enumerate())
                    .filter(|(n, now)| {
                        now.iter().any(|&i| changed_front(i))
                            || old.is_some_and(|(_, o)| o.chunks(per_page).nth(*n) != Some(now))
                    })
                    .map(|(n, _)| n + 1)
                    .collect();
                // The home page is one page, whatever its list holds.
                match whole || (s.dir.is_empty() && !numbers.is_empty()) {
                    true => Some((j, None)),
                    false => (!numbers.is_empty()).then_some((j, Some(numbers))),
                }
            })
            .collect();
        let feeds = changed
            .sources
            .iter()
            .chain(changed.front_only)
            .map(|&i| &site.pages[i])
            .filter(|p| p.is_event())
            .map(|p| p.lang.as_str())
            .collect();
        let old = |(i, p): (usize, &'a Page)| (i, patch.page(i).unwrap_or(p));
        let taxonomies = page_changed.iter().any(|&c| c);
        // Country and tag pages change only with front matter (listing them reads every page).
        let taxonomy_outputs = match taxonomies {
            true => (
                taxonomy::outputs(&site.config, site.pages.iter().enumerate().map(old)),
                taxonomy::outputs(&site.config, site.pages.iter().enumerate()),
            ),
            false => Default::default(),
        };
        Edit {
            pages,
            sections,
            specials: special::showing_content(
                langs.into_iter(),
                regions.iter().map(|(lang, _)| *lang),
            ),
            taxonomies,
            shown,
            taxonomy_outputs,
            feeds,
            rendered_again: changed.sources.iter().copied().collect(),
            before,
            index,
            files,
            published: None,
            media: BTreeSet::new(),
            bundle_files: BTreeMap::new(),
        }
    }
}

fn region_refs(p: &Page) -> impl Iterator<Item = &str> {
    p.front.neutral.regions.iter().flatten().map(String::as_str)
}
