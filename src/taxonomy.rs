//! What country and tag pages there are, from the site model alone: the regions of each
//! country and the pages of each tag by language, their paths and the links to them. The
//! pages themselves are rendered by `taxonomy_pages`.

use crate::config::Config;
use crate::content::Page;
use crate::countries::display_name;
use crate::layout::{COUNTRIES_DIR, TAGS_DIR};
use crate::output::output_path;
use crate::pagination;
use crate::tags;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The regions (index and page) with a `country_code`, by (language, code), in site order.
pub fn countries<'a>(
    pages: impl Iterator<Item = (usize, &'a Page)>,
) -> BTreeMap<(String, String), Vec<usize>> {
    let mut by: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.filter(|(_, p)| p.is_region()) {
        if let Some(code) = &p.front.neutral.country_code {
            by.entry((p.lang.clone(), code.clone()))
                .or_default()
                .push(i);
        }
    }
    by
}

/// What a path segment cannot hold as written; anything not ASCII is encoded too.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A site path as links write it: `/zh/tags/文化/` → `/zh/tags/%E6%96%87%E5%8C%96/`.
pub fn encoded(path: &str) -> String {
    utf8_percent_encode(path, SEGMENT).to_string()
}

/// `/<lang>/countries/`, or a country's page with `code`.
pub fn country_path(lang: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("/{lang}/{}/{}/", COUNTRIES_DIR, code.to_ascii_lowercase()),
        None => format!("/{lang}/{}/", COUNTRIES_DIR),
    }
}

/// `/<lang>/tags/`, or a tag's page with `slug` (as written: see `encoded`).
pub fn tag_path(lang: &str, slug: Option<&str>) -> String {
    match slug {
        Some(slug) => format!("/{lang}/{}/{slug}/", TAGS_DIR),
        None => format!("/{lang}/{}/", TAGS_DIR),
    }
}

/// A link to a country or tag page, or one entry of their lists.
#[derive(Serialize, Clone)]
pub struct Link {
    pub label: String,
    /// Root-relative, percent-encoded.
    pub url: String,
    /// How many pages (regions, for a country) it lists.
    pub count: usize,
}

pub fn link(config: &Config, label: String, path: &str, count: usize) -> Link {
    Link {
        label,
        url: config.url(&encoded(path)),
        count,
    }
}

/// The tag pages a page's tags link to, in the order it writes them.
pub fn tag_links(config: &Config, p: &Page) -> Vec<Link> {
    p.front
        .tags
        .iter()
        .filter_map(|written| {
            let tag = tags::resolve(config, p.written_lang(), written)?;
            Some(link(
                config,
                // A fallback's tags are written in its original's language.
                tags::label(config, &p.lang, &tag).unwrap_or_else(|| written.clone()),
                &tag_path(&p.lang, Some(&tag.slug)),
                0,
            ))
        })
        .collect()
}

/// A region's country page.
pub fn country_link(config: &Config, p: &Page) -> Option<Link> {
    let code = p.front.neutral.country_code.as_deref()?;
    let language = config.language(&p.lang)?;
    let name = display_name(&language.strings, &p.lang, code, p.front.country.as_deref());
    Some(link(config, name, &country_path(&p.lang, Some(code)), 0))
}

/// The country and tag pages of `pages`, as the site paths of their first list pages by
/// language: one alternates group per country, per paired tag, per list; one per unpaired tag.
struct Paths {
    groups: BTreeMap<(u8, String), Vec<(String, String)>>,
    /// Output paths, list pages after the first included.
    outputs: BTreeSet<String>,
}

fn paths<'a>(config: &Config, pages: impl Iterator<Item = (usize, &'a Page)> + Clone) -> Paths {
    let mut groups: BTreeMap<(u8, String), Vec<(String, String)>> = BTreeMap::new();
    let mut outputs = BTreeSet::new();
    let mut add = |group: (u8, String), lang: &str, path: String, lists: usize| {
        for n in 1..=lists {
            outputs.insert(output_path(&pagination::page_path(&path, n)));
        }
        groups
            .entry(group)
            .or_default()
            .push((lang.to_owned(), encoded(&path)));
    };
    for lang in config.codes() {
        add((0, COUNTRIES_DIR.into()), lang, country_path(lang, None), 1);
        add((0, TAGS_DIR.into()), lang, tag_path(lang, None), 1);
    }
    for (lang, code) in countries(pages.clone()).into_keys() {
        add(
            (1, code.clone()),
            &lang,
            country_path(&lang, Some(&code)),
            1,
        );
    }
    let per_page = pagination::site_per_page(config);
    for ((lang, tag), t) in tags::collect(config, pages) {
        let group = match tag.paired {
            true => (2, tag.slug.clone()),
            false => (3, format!("{lang}/{}", tag.slug)),
        };
        let lists = pagination::page_count(t.pages.len(), per_page);
        add(group, &lang, tag_path(&lang, Some(&tag.slug)), lists);
    }
    Paths { groups, outputs }
}

/// The sitemap's groups of alternates for country and tag pages.
pub fn alternates(site: &crate::content::Site) -> Vec<Vec<(String, String)>> {
    paths(&site.config, site.pages.iter().enumerate())
        .groups
        .into_values()
        .collect()
}

/// Every output path of country and tag pages made from `pages` (index and page): what an
/// edit compares before and after, to drop the pages no longer made.
pub fn outputs<'a>(
    config: &Config,
    pages: impl Iterator<Item = (usize, &'a Page)> + Clone,
) -> BTreeSet<String> {
    paths(config, pages).outputs
}

/// The country and tag pages (and the lists of a language's countries and tags) that show
/// some pages: what an edit of those pages that keeps the same country and tag pages makes
/// again.
#[derive(Debug, Default)]
pub struct Shown {
    pub langs: BTreeSet<String>,
    /// (language, code): a region's country; an event is shown on its regions' countries.
    pub countries: BTreeSet<(String, String)>,
    /// (language, tag), as `tags::collect` keys them.
    pub tags: BTreeSet<(String, tags::TagRef)>,
}

impl Shown {
    /// Where `p`, as it is in `site` or was before an edit, is shown: its tags, and its
    /// country or (for an event) its regions' countries as `site` has them.
    pub fn add(&mut self, site: &crate::content::Site, p: &Page) {
        let lang = &p.lang;
        self.langs.insert(lang.clone());
        let mut country = |code: Option<&String>| {
            if let Some(code) = code {
                self.countries.insert((lang.clone(), code.clone()));
            }
        };
        if p.is_region() {
            country(p.front.neutral.country_code.as_ref());
        }
        if p.is_event() {
            for region in site.regions_of(p) {
                country(region.front.neutral.country_code.as_ref());
            }
        }
        (self.tags).extend(tags::of(&site.config, p).map(|tag| (lang.clone(), tag)));
    }
}
