//! What lists, cards and maps show of a page: the view types that `render`, `map` and
//! `timeline` share, made from the site model alone.

use crate::content::{Page, Site};
use crate::dates::PartialDate;
use crate::front_matter::{PageKind, Status};
use serde::Serialize;

/// A page as a list entry or a link: enough to show a card.
#[derive(Serialize, Clone)]
pub struct PageLink<'a> {
    /// Borrowed from front matter, except for a folder without an intro (see `Section::title`).
    pub title: std::borrow::Cow<'a, str>,
    pub summary: Option<&'a str>,
    pub url: String,
    pub path: &'a str,
    pub key: &'a str,
    pub kind: PageKind,
    pub date: Option<PartialDate>,
    pub date_display: Option<String>,
    pub event_kind: Option<&'static str>,
    pub country: Option<&'a str>,
    pub country_code: Option<&'a str>,
    pub established: Option<PartialDate>,
    pub established_display: Option<String>,
    pub status: &'static str,
    /// The cover (front matter `image:`) in a card's size, as HTML.
    pub cover: Option<String>,
    /// For a fallback page: the language its title and text are in, for a `lang` attribute
    /// and a badge, so that readers know before they click.
    pub written_in: Option<Written<'a>>,
    /// In lists: the entry's card, as `macros.html`'s `card` renders it (see `render::cards`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
}

/// The language a fallback page is written in.
#[derive(Serialize, Clone, Copy)]
pub struct Written<'a> {
    pub code: &'a str,
    /// For `lang` attributes: `zh-Hans`.
    pub locale: &'a str,
    /// The language's own name, for the badge: 中文, English.
    pub name: &'a str,
}

impl<'a> Written<'a> {
    /// The language `p` is written in, when it stands in for a missing translation.
    pub fn of(site: &'a Site, p: &Page) -> Option<Written<'a>> {
        Written::language(site, p.fallback_from.as_deref()?)
    }

    fn language(site: &'a Site, code: &str) -> Option<Written<'a>> {
        let language = site.config.language(code)?;
        Some(Written {
            code: &language.code,
            locale: &language.locale,
            name: &language.name,
        })
    }
}

#[derive(Serialize, Clone)]
pub struct Anniversary {
    pub years: i32,
    pub date: PartialDate,
    pub date_display: String,
    /// `结好40周年` / `40th anniversary`.
    pub label: String,
}

pub fn page_link<'a>(site: &'a Site, p: &'a Page) -> PageLink<'a> {
    let n = &p.front.neutral;
    PageLink {
        title: p.front.title.as_str().into(),
        summary: p.front.summary.as_deref(),
        url: site.config.url(&p.path),
        path: &p.path,
        key: &p.key,
        kind: p.kind,
        date: n.date,
        date_display: n.date.map(|d| d.display(&p.lang)),
        event_kind: n.kind.map(|k| k.name()),
        country: p.front.country.as_deref(),
        country_code: n.country_code.as_deref(),
        established: n.established,
        established_display: n.established.map(|d| d.display(&p.lang)),
        status: match n.status {
            Some(Status::Preparing) => "preparing",
            _ => "established",
        },
        cover: (p.cover.as_ref()).and_then(|c| c.thumbnail(&site.config.base_path)),
        written_in: Written::of(site, p),
        card: None,
    }
}

/// The next round (5-year) anniversary of an established region, counted from `today`.
pub fn next_anniversary(p: &Page, today: PartialDate, lang: &str) -> Option<Anniversary> {
    let n = &p.front.neutral;
    if !p.is_region() || n.status == Some(Status::Preparing) {
        return None;
    }
    let (years, date) = n.established?.next_round_anniversary(today, 5);
    Some(anniversary_view(years, date, lang))
}

pub fn anniversary_view(years: i32, date: PartialDate, lang: &str) -> Anniversary {
    let label = if lang.starts_with("zh") {
        format!("结好{years}周年")
    } else {
        format!("{} anniversary", crate::dates::ordinal(years))
    };
    Anniversary {
        years,
        date,
        date_display: date.display(lang),
        label,
    }
}

/// The notice at the top of a fallback page, in the reader's language, with a link to the
/// original (the preview's notice on outdated translations looks the same: see `outdated`).
#[derive(Serialize)]
pub struct Notice<'a> {
    /// The reader's language's sentence, naming the language the page is shown in.
    pub text: String,
    pub original_url: String,
    /// The original's language, for the link's `hreflang` and `lang`.
    pub original: Written<'a>,
}

impl<'a> Notice<'a> {
    /// The notice on `p` (in `p`'s language) that `original` (in its own) is what it shows.
    pub fn fallback(site: &'a Site, p: &Page, original: &'a Page) -> Option<Notice<'a>> {
        let strings = &site.config.language(&p.lang)?.strings;
        let written = Written::language(site, &original.lang)?;
        let name = strings
            .get(&format!("language_{}", written.code))
            .map_or(written.name, String::as_str);
        let text = strings.get("fallback_notice")?.replace("{language}", name);
        Some(Notice {
            text,
            original_url: site.config.url(&original.path),
            original: written,
        })
    }
}
