//! Country and tag pages in each language: `/<lang>/countries/` (by continent), a page per
//! country with a partner region there, `/<lang>/tags/` (most used first) and a paged list per
//! tag. They list whatever pages the model holds in their language; the same country's, or the
//! same paired tag's, pages in other languages are their alternates.

use crate::config::Language;
use crate::content::{sort_list, Page};
use crate::countries::display_name;
use crate::diagnostics::Diagnostic;
use crate::front_matter::PageKind;
use crate::output::Output;
use crate::pagination::{self, Pager};
use crate::render::{Job, Renderer, TranslationView};
use crate::seo::Seo;
use crate::tags::{self, Tag, TagRef};
use crate::taxonomy::{self, country_path, encoded, link, tag_path, Link, Shown};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Every country and tag page of every language.
pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    render_where(r, &|_| true, &|_| true, &|_| true)
}

/// The country and tag pages that show what `shown` says (after an edit that keeps the same
/// country and tag pages: only the pages listing what changed change).
pub fn render_showing(r: &Renderer, shown: &Shown) -> Vec<Result<Output, Diagnostic>> {
    render_where(
        r,
        &|lang| shown.langs.contains(lang),
        &|key| shown.countries.contains(key),
        &|key| shown.tags.contains(key),
    )
}

/// The lists of the languages, the country pages and the tag pages that the tests pass.
fn render_where(
    r: &Renderer,
    lists: &(dyn Fn(&str) -> bool + Sync),
    country: &(dyn Fn(&(String, String)) -> bool + Sync),
    tag: &(dyn Fn(&(String, TagRef)) -> bool + Sync),
) -> Vec<Result<Output, Diagnostic>> {
    let site = r.site;
    let all_tags = tags::collect(&site.config, site.pages.iter().enumerate());
    let all_countries = taxonomy::countries(site.pages.iter().enumerate());
    let mut out: Vec<Result<Output, Diagnostic>> = site
        .config
        .languages
        .par_iter()
        .filter(|language| lists(&language.code))
        .flat_map_iter(|language| {
            [
                countries_list(r, language, &all_countries),
                tags_list(r, language, &all_tags),
            ]
        })
        .collect();
    out.par_extend(
        (all_countries.par_iter())
            .filter(|(key, _)| country(key))
            .map(|((lang, code), regions)| country_page(r, lang, code, regions, &all_countries)),
    );
    out.par_extend(
        (all_tags.par_iter())
            .filter(|(key, _)| tag(key))
            .flat_map_iter(|(_, tag)| tag_pages(r, tag, &all_tags)),
    );
    out
}

/// The language versions of a country or tag page: `exists(lang)` says where there is one;
/// elsewhere the switcher goes to that language's list (`list`), not its home.
fn versions<'a>(
    r: &Renderer<'a>,
    lang: &str,
    path: impl Fn(&str) -> String,
    exists: impl Fn(&str) -> bool,
    list: impl Fn(&str) -> String,
) -> Vec<TranslationView<'a>> {
    let config = &r.site.config;
    let mut views = r.translations(lang, |l| exists(l).then(|| encoded(&path(l))));
    for v in views.iter_mut().filter(|v| !v.exists) {
        let to = list(v.code);
        v.url = config.url(&to);
        v.permalink = config.permalink(&to);
    }
    views
}

fn string<'l>(language: &'l Language, key: &'l str) -> &'l str {
    language.strings.get(key).map_or(key, String::as_str)
}

/// Renders `template` at `path` (as written; links get it encoded).
fn render_at(
    r: &Renderer,
    template: &str,
    lang: &str,
    path: &str,
    translations: Vec<TranslationView>,
    mut view: serde_json::Value,
) -> Result<Output, Diagnostic> {
    let permalink = r.site.config.permalink(&encoded(path));
    view["canonical"] = permalink.clone().into();
    view["permalink"] = permalink.into();
    let job = Job {
        template,
        lang,
        path,
        translations,
        has_code: false,
        what: &page_what(path),
    };
    r.render(job, view)
}

/// What a failure to render the page at `path` is blamed on.
fn page_what(path: &str) -> String {
    format!("the page {path}")
}

/// A language's list of countries or of tags: `name` names its template, title and description
/// (`countries.html`, `t.countries`, `t.countries_description`); `items` are the template's
/// `<name>.<key>`. The other languages' lists are its versions.
fn list_page(
    r: &Renderer,
    language: &Language,
    name: &str,
    path: fn(&str, Option<&str>) -> String,
    key: &str,
    items: impl Serialize,
) -> Result<Output, Diagnostic> {
    let lang = language.code.as_str();
    let title = string(language, name);
    let description = string(language, &format!("{name}_description")).to_owned();
    let view = serde_json::json!({
        name: { "title": title, key: items },
        "seo": Seo::listing(&r.site.config, title, &description),
    });
    let list = |l: &str| path(l, None);
    let translations = versions(r, lang, list, |_| true, list);
    render_at(
        r,
        &format!("{name}.html"),
        lang,
        &list(lang),
        translations,
        view,
    )
}

#[derive(Serialize)]
struct Continent<'a> {
    key: &'a str,
    name: &'a str,
    countries: Vec<Link>,
}

fn countries_list(
    r: &Renderer,
    language: &Language,
    all: &BTreeMap<(String, String), Vec<usize>>,
) -> Result<Output, Diagnostic> {
    let (site, lang) = (r.site, language.code.as_str());
    let mut continents: BTreeMap<&str, Vec<Link>> = BTreeMap::new();
    for ((_, code), regions) in all.iter().filter(|((l, _), _)| l == lang) {
        let written = site.pages[regions[0]].front.country.as_deref();
        let name = display_name(&language.strings, lang, code, written);
        let key = crate::geo::continent(code).unwrap_or("other-continent");
        let path = country_path(lang, Some(code));
        continents
            .entry(key)
            .or_default()
            .push(link(&site.config, name, &path, regions.len()));
    }
    let continents: Vec<Continent> = continents
        .into_iter()
        .map(|(key, mut countries)| {
            countries.sort_by(|a, b| a.label.cmp(&b.label));
            Continent {
                key,
                name: string(language, key),
                countries,
            }
        })
        .collect();
    list_page(
        r,
        language,
        "countries",
        country_path,
        "continents",
        continents,
    )
}

fn country_page(
    r: &Renderer,
    lang: &str,
    code: &str,
    regions: &[usize],
    all: &BTreeMap<(String, String), Vec<usize>>,
) -> Result<Output, Diagnostic> {
    let site = r.site;
    let language = site.config.language(lang).expect("configured");
    let regions: Vec<&Page> = regions.iter().map(|&i| &site.pages[i]).collect();
    let name = display_name(
        &language.strings,
        lang,
        code,
        regions[0].front.country.as_deref(),
    );
    let keys: BTreeSet<&str> = regions.iter().map(|p| p.key.as_str()).collect();
    let mut events: Vec<usize> = site
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PageKind::Event && p.lang == lang)
        .filter(|(_, p)| {
            p.front
                .neutral
                .regions
                .iter()
                .flatten()
                .any(|k| keys.contains(k.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    sort_list(&site.pages, &mut events);
    let placed: Vec<_> = regions
        .iter()
        .filter_map(|p| Some((*p, p.front.neutral.coordinates?)))
        .collect();
    let description = format!("{} · {}", name, string(language, "regions"));
    let path = country_path(lang, Some(code));
    let what = page_what(&path);
    let view = serde_json::json!({
        "country": {
            "code": code,
            "name": name,
            "regions": r.cards(lang, regions.iter().copied(), &what)?,
            "events": r.cards(lang, events.iter().map(|&i| &site.pages[i]), &what)?,
            "map": crate::map::country(site, &placed, &name),
        },
        "seo": Seo::listing(&site.config, &name, &description),
    });
    let has = |l: &str| all.contains_key(&(l.to_owned(), code.to_owned()));
    let translations = versions(
        r,
        lang,
        |l| country_path(l, Some(code)),
        has,
        |l| country_path(l, None),
    );
    render_at(r, "country.html", lang, &path, translations, view)
}

fn tags_list(
    r: &Renderer,
    language: &Language,
    all: &BTreeMap<(String, TagRef), Tag>,
) -> Result<Output, Diagnostic> {
    let (site, lang) = (r.site, language.code.as_str());
    let mut list: Vec<&Tag> = all.values().filter(|t| t.lang == lang).collect();
    // Most used first; then by label, for a stable order.
    list.sort_by(|a, b| {
        b.pages
            .len()
            .cmp(&a.pages.len())
            .then_with(|| a.label.cmp(&b.label))
    });
    let links: Vec<Link> = list
        .iter()
        .map(|t| {
            let path = tag_path(lang, Some(&t.tag.slug));
            link(&site.config, t.label.clone(), &path, t.pages.len())
        })
        .collect();
    list_page(r, language, "tags", tag_path, "tags", links)
}

/// A tag's list, one output per list page.
fn tag_pages(
    r: &Renderer,
    tag: &Tag,
    all: &BTreeMap<(String, TagRef), Tag>,
) -> Vec<Result<Output, Diagnostic>> {
    let site = r.site;
    let lang = tag.lang.as_str();
    let language = site.config.language(lang).expect("configured");
    let mut pages = tag.pages.clone();
    sort_list(&site.pages, &mut pages);
    let per_page = pagination::site_per_page(&site.config);
    let total = pagination::page_count(pages.len(), per_page);
    let path = tag_path(lang, Some(&tag.tag.slug));
    let title = string(language, "tagged").replace("{tag}", &tag.label);
    let seo = Seo::listing(&site.config, &title, &title);
    (1..=total)
        .map(|number| {
            let at = pagination::page_path(&path, number);
            let list = (pages[(number - 1) * per_page..].iter())
                .take(per_page)
                .map(|&i| &site.pages[i]);
            let list = r.cards(lang, list, &page_what(&at))?;
            // A paired tag's other languages, where they have its list page of this number.
            let has = |l: &str| {
                l == lang
                    || tag.tag.paired
                        && all.get(&(l.to_owned(), tag.tag.clone())).is_some_and(|t| {
                            pagination::page_count(t.pages.len(), per_page) >= number
                        })
            };
            let translations = versions(
                r,
                lang,
                |l| pagination::page_path(&tag_path(l, Some(&tag.tag.slug)), number),
                has,
                |l| tag_path(l, None),
            );
            let view = serde_json::json!({
                "tag": { "label": tag.label, "title": title, "pages": list },
                "seo": seo,
                "pager": Pager::new(&site.config, &encoded(&path), number, total),
            });
            render_at(r, "tag.html", lang, &at, translations, view)
        })
        .collect()
}
