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
        cover: crate::media::thumbnail(&site.root, &site.config.base_path, p),
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
