//! Fallback pages: a page without a version in some language is published in that language
//! too, at the URL its translation would have, with its own text (and a notice saying so).
//! They are pages of the model like the others, so that every list, map, timeline and feed
//! of that language shows them; what must not count them (hreflang, the sitemap, the
//! translation coverage) asks `Page::is_fallback`.

use super::{page_path, Page, Site};
use crate::config::Config;
use std::collections::HashSet;

/// `pages` (sorted by id and language order, drafts already left out unless `drafts`) with
/// their fallbacks, in the same order.
pub(super) fn add(mut pages: Vec<Page>, config: &Config, drafts: bool) -> Vec<Page> {
    let extra: Vec<Page> = {
        let taken: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        let taken = |path: &str| taken.contains(path);
        pages
            .chunk_by(|a, b| a.id == b.id)
            .flat_map(|group| for_group(group, config, drafts, &taken))
            .collect()
    };
    if extra.is_empty() {
        return pages;
    }
    pages.extend(extra);
    super::sort_pages(&mut pages, config);
    pages
}

/// The fallbacks of one group of translations (the pages of one id, in language order, with
/// their paths): one for each language that shows no version of it, copied from the first
/// version that is not a draft, unless a page of that language is at its URL (`taken`).
/// `drafts`: whether drafts are published.
pub(super) fn for_group(
    group: &[Page],
    config: &Config,
    drafts: bool,
    taken: &dyn Fn(&str) -> bool,
) -> Vec<Page> {
    if !config.translations.fallback {
        return Vec::new();
    }
    let shown = |p: &&Page| !p.is_fallback() && (drafts || !p.front.draft);
    let Some(original) = group.iter().find(|p| shown(p) && !p.front.draft) else {
        return Vec::new();
    };
    config
        .codes()
        .filter(|lang| !group.iter().filter(shown).any(|p| p.lang == *lang))
        .map(|lang| stand_in(original, lang))
        .filter(|p| !taken(&p.path))
        .collect()
}

/// How many fallbacks `site` has of the page (or intro, `_index`) `key` in `dir`.
pub(super) fn count(site: &Site, dir: &str, key: &str) -> usize {
    if key == "_index" {
        (site.sections.iter())
            .filter(|s| s.dir == dir && s.index.as_ref().is_some_and(Page::is_fallback))
            .count()
    } else {
        (site.translations(&super::page_id(dir, key)))
            .filter(|p| p.is_fallback())
            .count()
    }
}

/// `original` standing in for its missing version in `lang`.
fn stand_in(original: &Page, lang: &str) -> Page {
    Page {
        lang: lang.to_owned(),
        path: page_path(lang, &original.dir, &original.slug, &original.key),
        fallback_from: Some(original.lang.clone()),
        ..original.clone()
    }
}
